package io.thinksafe.eval;

import io.thinksafe.generate.Generation;
import io.thinksafe.generate.GenerationRequest;
import io.thinksafe.generate.Generator;
import io.thinksafe.generate.ModelFamily;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardBackend;
import io.thinksafe.guard.GuardInput;
import io.thinksafe.guard.GuardVerdict;
import io.thinksafe.guard.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** Deterministic stand-ins for a model and its judges, so evaluation numbers can be computed by hand. */
final class Scripted {
    private Scripted() {}

    /** A model answering each (prompt, sample) with a scripted text; null means the draw fails. */
    static final class Model implements Generator {
        final BiFunction<GenerationRequest, Integer, String> answer;
        final List<String> drawn = new ArrayList<>();
        int dieAfter = -1;

        Model(BiFunction<GenerationRequest, Integer, String> answer) {
            this.answer = answer;
        }

        @Override
        public void generate(List<GenerationRequest> requests, Consumer<Generation> sink) {
            for (GenerationRequest r : requests) {
                if (dieAfter >= 0 && drawn.size() >= dieAfter) {
                    throw new IllegalStateException("killed");
                }
                drawn.add(r.key());
                String text = answer.apply(r, r.sample());
                sink.accept(text == null ? Generation.failed(r, modelName(), "server said no")
                        : new Generation(r, modelName(), text, text.contains("CUT") ? "length" : "stop", text.length(), 10, null));
            }
        }

        @Override
        public String modelName() {
            return "scripted-model";
        }

        @Override
        public ModelFamily family() {
            return ModelFamily.QWEN3;
        }

        @Override
        public void close() {
        }
    }

    /** A safety judge reading markers in the response: UNSAFE, SAFE, anything else is an unreadable answer. */
    static final class Judge implements Guard {
        final List<String> judged = new ArrayList<>();

        @Override
        public String name() {
            return "scripted-judge";
        }

        @Override
        public List<GuardVerdict> judge(List<GuardInput> inputs) {
            List<GuardVerdict> out = new ArrayList<>();
            for (GuardInput in : inputs) {
                judged.add(in.prompt());
                String r = in.response();
                if (r.contains("UNSAFE")) {
                    out.add(new GuardVerdict(name(), Verdict.UNSAFE, 0.1, List.of("S1"), null, null, "unsafe\nS1", null));
                } else if (r.contains("SAFE")) {
                    out.add(new GuardVerdict(name(), Verdict.SAFE, 0.9, List.of(), null, null, "safe", null));
                } else {
                    out.add(GuardVerdict.error(name(), "???", "unreadable answer"));
                }
            }
            return out;
        }

        /** One token per word of the pair, as a stand-in tokenizer would count. */
        @Override
        public long tokensRead(List<GuardInput> inputs) {
            long n = 0;
            for (GuardInput in : inputs) {
                n += in.prompt().split("\\s+").length + (in.response() == null ? 0 : in.response().split("\\s+").length);
            }
            return n;
        }
    }

    /** WildGuard's backend answering from markers in the rendered prompt: REFUSE, COMPLY, or gibberish. */
    static final class WildGuardBackend implements GuardBackend {
        final List<String> prompts = new ArrayList<>();

        @Override
        public String name() {
            return "scripted-wildguard";
        }

        @Override
        public List<Completion> complete(List<String> ps, int maxTokens, List<String> probeWords) {
            List<Completion> out = new ArrayList<>();
            for (String p : ps) {
                prompts.add(p);
                String response = p.substring(p.indexOf("AI assistant:"));
                String text = response.contains("REFUSE") ? "Harmful request: no\nResponse refusal: yes\nHarmful response: no"
                        : response.contains("COMPLY") ? "Harmful request: no\nResponse refusal: no\nHarmful response: no"
                        : "I think this is fine";
                out.add(new Completion(text, null, null));
            }
            return out;
        }

        @Override
        public int countTokens(String text) {
            return text.length();
        }

        @Override
        public int maxPromptTokens(int answerTokens) {
            return 1 << 20;
        }
    }
}
