package io.thinksafe.align;

import io.thinksafe.generate.LocalModel;
import io.thinksafe.generate.TinyQwen3;
import io.thinksafe.train.SftExample;
import io.thinksafe.train.SftTrainer;
import io.thinksafe.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny Qwen3-architecture student (real Qwen3 tokenizer and template) taught, by a few full
 * fine-tuning steps, to answer in the reasoning format: a think block that closes, then an answer.
 * A random model never closes its think block, so the pipeline would keep nothing.
 */
final class TinyStudent {
    private static Path built;
    private static Path teacher;

    private TinyStudent() {}

    /**
     * A tiny teacher: another seed, another phrasing of the same format, the same tokenizer (so it can
     * also teach by on-policy distillation).
     */
    static synchronized Path teacher(Path scratch) {
        if (teacher != null && Files.exists(teacher.resolve("config.json"))) {
            return teacher;
        }
        Path base = TinyQwen3.write(scratch.resolve("teacher-base"), 43);
        List<SftExample> data = new ArrayList<>();
        String[] topics = {"bread", "rivers", "prime numbers", "the moon", "music", "chess"};
        for (int i = 0; i < topics.length; i++) {
            data.add(new SftExample("t" + i, "Tell me about " + topics[i] + ".",
                    "<think>\nThis is about " + topics[i] + ". Let me answer it.\n</think>\n\nHere is an answer.", false));
        }
        try (LocalModel m = LocalModel.load(base)) {
            TrainConfig cfg = TrainConfig.paperDefaults().withLora(null).withSchedule(3e-2, 20, 6, 2).withCheckpoints(1000, 1);
            Path out = new SftTrainer(m, cfg, scratch.resolve("teacher-train")).train(data, false, 0).output();
            teacher = Files.move(out, scratch.resolve("tiny-teacher")); // named apart from the student ("model") in records
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return teacher;
    }

    static synchronized Path get(Path scratch) {
        if (built != null && Files.exists(built.resolve("config.json"))) {
            return built;
        }
        Path base = TinyQwen3.write(scratch.resolve("student-base"), 41);
        List<SftExample> data = new ArrayList<>();
        String[] topics = {"bread", "rivers", "prime numbers", "the moon", "music", "chess"};
        for (int i = 0; i < topics.length; i++) {
            data.add(new SftExample("t" + i, "Tell me about " + topics[i] + ".",
                    "<think>\nThe user asks about " + topics[i] + ". I answer briefly.\n</think>\n\nA short answer.", false));
        }
        try (LocalModel m = LocalModel.load(base)) {
            TrainConfig cfg = TrainConfig.paperDefaults().withLora(null).withSchedule(3e-2, 20, 6, 1).withCheckpoints(1000, 1);
            built = new SftTrainer(m, cfg, scratch.resolve("student-train")).train(data, false, 0).output();
        }
        return built;
    }
}
