package io.thinksafe.generate;

import io.thinksafe.ThinkSafeException;
import io.thinksafe.model.Adapter;
import io.thinksafe.model.Checkpoint;
import io.thinksafe.model.MemoryBudget;
import io.thinksafe.model.Torch;
import io.thinksafe.model.Transformer;
import io.thinksafe.model.TransformerLoader;
import io.thinksafe.text.ChatTemplate;
import io.thinksafe.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model directory loaded for use: the decoder, its tokenizer, its own chat template and every id
 * that ends a sequence (config.json, generation_config.json and the tokenizer's eos token together,
 * as inference servers do).
 */
public final class LocalModel implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Integer> eosIds;
    private final ModelFamily family;
    private final MemoryBudget.Plan memory;
    private Path adapter;

    private LocalModel(Checkpoint checkpoint, Transformer transformer, Tokenizer tokenizer, ChatTemplate template,
                       Set<Integer> eosIds, MemoryBudget.Plan memory) {
        this.memory = memory;
        this.checkpoint = checkpoint;
        this.transformer = transformer;
        this.tokenizer = tokenizer;
        this.template = template;
        this.eosIds = Set.copyOf(eosIds);
        this.family = ModelFamily.detect(checkpoint.config().architecture(), template == null ? null : template.source());
    }

    public static LocalModel load(Path dir) {
        return load(dir, null);
    }

    /**
     * Loads a model directory, with a PEFT LoRA adapter on top when {@code adapter} is given: kept
     * unmerged, so it costs its own size (the base stays as stored, bf16 included), in inference mode.
     */
    public static LocalModel load(Path dir, Path adapter) {
        return load(dir, adapter, MemoryBudget.Workload.inference());
    }

    /**
     * Loads a model for {@code workload}: its memory plan (weights as stored, KV cache, activations) is
     * checked against what this process may still use before any weight is read, and refused in one
     * line when it does not fit.
     */
    public static LocalModel load(Path dir, Path adapter, MemoryBudget.Workload workload) {
        Checkpoint ckpt = Checkpoint.open(dir);
        Tokenizer tok = Tokenizer.load(dir);
        ChatTemplate template = loadTemplate(dir);
        MemoryBudget.Plan plan = Torch.device().isGpu() ? null
                : MemoryBudget.reserve(dir.getFileName().toString(), ckpt.config(), ckpt.storageDtype(),
                        ckpt.weightBytes() + adapterBytes(adapter), workload, System.err);
        Transformer t;
        try {
            t = TransformerLoader.load(ckpt);
            if (plan != null) {
                t.setKvBudget(plan.kv());
            }
            if (adapter != null) {
                Adapter.load(t, adapter).setTraining(false);
            }
        } catch (RuntimeException e) {
            release(plan);
            throw e;
        }
        Set<Integer> eos = new LinkedHashSet<>(ckpt.config().eosTokenIds());
        eos.addAll(ckpt.generation().eosTokenIds());
        if (template != null && template.specialTokens().get("eos_token") instanceof String s) {
            Integer id = tok.addedTokenId(s);
            if (id != null) {
                eos.add(id);
            }
        }
        if (eos.isEmpty()) {
            t.close();
            release(plan);
            throw new ThinkSafeException(dir + ": no end-of-sequence token (eos_token_id in config.json or generation_config.json)");
        }
        LocalModel m = new LocalModel(ckpt, t, tok, template, eos, plan);
        m.adapter = adapter;
        return m;
    }

    private static void release(MemoryBudget.Plan plan) {
        if (plan != null) {
            MemoryBudget.release(plan);
        }
    }

    private static long adapterBytes(Path adapter) {
        try {
            return adapter == null ? 0 : Files.size(adapter.resolve("adapter_model.safetensors"));
        } catch (java.io.IOException e) {
            return 0; // a missing adapter is reported by Adapter.load with its own message
        }
    }

    /** The chat template of {@code tokenizer_config.json}, or null when the model has none. */
    static ChatTemplate loadTemplate(Path dir) {
        Path cfg = dir.resolve("tokenizer_config.json");
        if (!Files.exists(cfg)) {
            return null;
        }
        // classifiers such as WildGuard ship a tokenizer config without a template: they format their own prompts
        if (!Files.exists(dir.resolve("chat_template.jinja")) && !io.thinksafe.util.Json.read(cfg).has("chat_template")) {
            return null;
        }
        return ChatTemplate.fromTokenizerConfig(cfg);
    }

    public String name() {
        return checkpoint.dir().getFileName().toString();
    }

    /** The PEFT adapter loaded on top (kept unmerged), or null. */
    public Path adapter() {
        return adapter;
    }

    /** The name records carry: the directory's, with the adapter's as {@code base+adapter} when one is loaded. */
    public String nameWithAdapter() {
        return Generators.nameWithAdapter(name(), adapter);
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public Transformer transformer() {
        return transformer;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    public Set<Integer> eosIds() {
        return eosIds;
    }

    public ModelFamily family() {
        return family;
    }

    /** Renders messages with the model's template and tokenises the text. */
    public int[] chatTokens(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        return tokenizer.encode(chatText(messages, addGenerationPrompt, extra));
    }

    public String chatText(List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        if (template == null) {
            throw new ThinkSafeException(checkpoint.dir() + ": no chat_template in tokenizer_config.json");
        }
        return template.render(messages, addGenerationPrompt, extra == null ? new HashMap<>() : extra);
    }

    @Override
    public void close() {
        transformer.close();
        tokenizer.close();
        release(memory);
    }
}
