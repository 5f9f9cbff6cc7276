package io.thinksafe.align;

import io.thinksafe.train.DistillConfig;
import java.util.List;

/** {@code recipe: onpolicy_distill}: the student samples, the teacher scores every token, reverse KL, online like GRPO. */
public record OnPolicyDistill(DistillConfig config) implements Method {
    public static final String KEY = "onpolicy_distill";

    @Override
    public String key() {
        return KEY;
    }

    @Override
    public List<StageRun> stages() {
        return List.of(new StageRun(Stage.DISTILL, 1));
    }
}
