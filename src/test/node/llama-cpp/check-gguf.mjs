// Loads GGUF files with llama.cpp (node-llama-cpp's prebuilt CPU binaries) and prints, as JSON on
// stdout, what the Java tests compare with `thinksafe logprobs` and our tokenizer:
//   node check-gguf.mjs JOB.json
// JOB.json: {"models": [{"gguf": PATH, "f32Cache": bool, "sequences": [[ids]], "greedy": {"prompt": [ids], "steps": n}, "texts": [s]}]}
// Per model: the natural-log probability of each next token of each sequence (llama.cpp's softmax of
// its raw logits: temperature 1, no top-k/top-p/min-p), the greedy continuation with each step's
// top-1/top-2 log-probability margin, llama.cpp's token ids for each text (special tokens parsed),
// and what it read from the metadata.
import fs from "node:fs";
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const llama = await getLlama({gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error});

// the whole distribution, unfiltered (node-llama-cpp 3.21 reports probabilities, not logits)
const RAW = {probabilities: true, options: {temperature: 1, topK: 0, topP: 1, minP: 0}};

function topTwo(probabilities) {
    // the Map is sorted by probability, highest first
    const it = probabilities.entries();
    const first = it.next().value;
    const second = it.next().value;
    return {token: first[0], margin: Math.log(first[1]) - Math.log(second[1])};
}

async function nextProbabilities(sequence, tokens) {
    const items = tokens.map((t, i) => (i === tokens.length - 1 ? [t, {generateNext: RAW}] : t));
    const out = await sequence.controlledEvaluate(items);
    return out[tokens.length - 1].next.probabilities;
}

const results = [];
for (const m of job.models) {
    const model = await llama.loadModel({modelPath: m.gguf, gpuLayers: 0});
    // an f32 KV cache needs flash attention off: llama.cpp's CPU flash attention rounds K and V to f16
    const cacheType = m.f32Cache
        ? {experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32", flashAttention: false}
        : {};
    const context = await model.createContext({contextSize: 512, batchSize: 512, sequences: 1, threads: 1, ...cacheType});
    const sequence = context.getSequence();
    const result = {gguf: m.gguf, logprobs: [], tokens: []};

    for (const ids of m.sequences ?? []) {
        await sequence.clearHistory();
        const items = ids.map((t, i) => (i < ids.length - 1 ? [t, {generateNext: RAW}] : t));
        const out = await sequence.controlledEvaluate(items);
        const lps = [];
        for (let i = 0; i + 1 < ids.length; i++) lps.push(Math.log(out[i].next.probabilities.get(ids[i + 1])));
        result.logprobs.push(lps);
    }

    if (m.greedy && m.greedy.steps > 0) {
        await sequence.clearHistory();
        let probabilities = await nextProbabilities(sequence, m.greedy.prompt);
        const tokens = [];
        const margins = [];
        for (let step = 0; step < m.greedy.steps; step++) {
            const best = topTwo(probabilities);
            tokens.push(best.token);
            margins.push(best.margin);
            if (step + 1 < m.greedy.steps) probabilities = await nextProbabilities(sequence, [best.token]);
        }
        result.greedy = {tokens, margins};
    }

    for (const text of m.texts ?? []) result.tokens.push(Array.from(model.tokenize(text, true)));

    const meta = model.fileInfo.metadata;
    result.metadata = {
        architecture: meta.general?.architecture,
        bos: model.tokens.bos,
        eos: model.tokens.eos,
        prependsBos: model.tokens.shouldPrependBosToken,
        chatTemplate: meta.tokenizer?.chat_template ?? null,
        pre: meta.tokenizer?.ggml?.pre ?? null,
    };
    results.push(result);
    await context.dispose();
    await model.dispose();
}

process.stdout.write(JSON.stringify({llamaCpp: llama.llamaCppRelease, buildType: llama.buildType, results}) + "\n");
await llama.dispose();
