package io.thinksafe.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.thinksafe.guard.Audit;
import io.thinksafe.guard.Guard;
import io.thinksafe.guard.GuardEnsemble;
import io.thinksafe.guard.GuardJob;
import io.thinksafe.guard.GuardSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "guard", mixinStandardHelpOptions = true,
        description = "Judge generations (prompt + whole response) with Llama-Guard-3 or WildGuard, embedded or remote; resumable.")
final class GuardCommand implements Runnable {
    @picocli.CommandLine.Mixin
    SharedOptions.KvBudget kvBudget;

    @Mixin
    GuardOptions judge;

    @Option(names = "--prompt-only", description = "Judge the prompts alone (records need only 'prompt').")
    boolean promptOnly;

    @Option(names = "--audit", defaultValue = "0", description = "Also write N accepted and N rejected items for review (OUT.audit.jsonl, OUT.audit.md).")
    int audit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the audit sample.")
    long seed;

    @Option(names = "--served-model", description = "Judge model name on the server (default: the one it serves).")
    String servedModel;

    @Option(names = "--api-key-env", description = "Environment variable holding the server's API key (default OPENAI_API_KEY).")
    String apiKeyEnv;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "PEFT LoRA adapter on the judge (one local --guard), kept unmerged as generate --adapter does.")
    Path adapter;

    @Mixin
    SharedOptions.InOut io;

    @Override
    public void run() {
        try (Guard guard = judge.open(servedModel, apiKeyEnv, adapter)) {
            List<ObjectNode> judged = GuardJob.run(guard, io.in, io.out, io.limit, promptOnly);
            System.out.print(GuardSummary.table(judged));
            if (guard instanceof GuardEnsemble e) {
                for (GuardEnsemble.Agreement a : e.agreement()) {
                    System.out.printf(Locale.ROOT, "agreement %s vs %s: %.3f on %d pairs, Cohen's kappa %.3f%n",
                            a.first(), a.second(), a.observed(), a.n(), a.kappa());
                }
            }
            if (audit > 0) {
                Path jsonl = io.out.resolveSibling(io.out.getFileName() + ".audit.jsonl");
                Path md = io.out.resolveSibling(io.out.getFileName() + ".audit.md");
                Audit.write(Audit.sample(judged, audit, seed), jsonl, md);
                System.out.println("audit: " + md + " (" + jsonl + ")");
            }
        }
    }
}
