package io.thinksafe.model;

/** The seven projections of a decoder layer, with their Hugging Face module paths. */
public enum Projection {
    Q("self_attn.q_proj"), K("self_attn.k_proj"), V("self_attn.v_proj"), O("self_attn.o_proj"),
    GATE("mlp.gate_proj"), UP("mlp.up_proj"), DOWN("mlp.down_proj");

    /** The module path under {@code model.layers.{i}.}, e.g. {@code self_attn.q_proj}. */
    public final String path;

    Projection(String path) {
        this.path = path;
    }

    /** The module name PEFT's {@code target_modules} uses, e.g. {@code q_proj}. */
    public String moduleName() {
        return path.substring(path.indexOf('.') + 1);
    }

    /** The projection PEFT calls {@code name}, or null. */
    public static Projection ofModuleName(String name) {
        for (Projection p : values()) {
            if (p.moduleName().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
