// Decode and prefill speed of llama.cpp (node-llama-cpp's prebuilt CPU build) on a GGUF file, for the
// engine benchmark's comparison (dev/engine-vs-llama-cpp.sh): prints JSON {prefillTokensPerSecond,
// decodeTokensPerSecond} for one sequence, greedy, with the given thread count.
//   node dev/llama-cpp-speed.mjs FILE.gguf THREADS PROMPT_TOKENS DECODE_STEPS
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [gguf, threads, promptTokens, steps] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5]];
const llama = await getLlama({gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: gguf, gpuLayers: 0});
const context = await model.createContext({contextSize: promptTokens + steps + 8, batchSize: promptTokens, sequences: 1, threads});
const sequence = context.getSequence();
const prompt = Array.from({length: promptTokens}, (_, i) => 1000 + ((i * 7919) % 50000));
const greedy = {temperature: 0};

async function run() {
    await sequence.clearHistory();
    let t = performance.now();
    const items = prompt.map((id, i) => (i === prompt.length - 1 ? [id, {generateNext: {token: true, options: greedy}}] : id));
    let out = await sequence.controlledEvaluate(items);
    const prefill = promptTokens / ((performance.now() - t) / 1000);
    let next = out[prompt.length - 1].next.token;
    t = performance.now();
    for (let s = 0; s < steps; s++) {
        out = await sequence.controlledEvaluate([[next, {generateNext: {token: true, options: greedy}}]]);
        next = out[0].next.token;
    }
    return {prefill, decode: steps / ((performance.now() - t) / 1000)};
}

await run(); // warm-up
const r = await run();
console.log(JSON.stringify({gguf, threads, prefillTokensPerSecond: r.prefill, decodeTokensPerSecond: r.decode}));
await context.dispose();
await model.dispose();
