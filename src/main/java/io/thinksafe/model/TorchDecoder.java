package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/** Decoding through the reference forward ({@link Transformer#hidden}): one-token segments over the caches. */
final class TorchDecoder implements Decoder {
    private final Transformer model;

    TorchDecoder(Transformer model) {
        this.model = model;
    }

    @Override
    public float[] step(int[] tokens, KvCache[] caches) {
        List<Transformer.Segment> segments = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            segments.add(new Transformer.Segment(new int[] {tokens[i]}, caches[i]));
        }
        try (NDManager step = model.manager().newSubManager()) {
            return model.hidden(segments, step).toFloatArray();
        }
    }

    @Override
    public float[] logits(float[] hidden, int rows) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray h = step.create(hidden, new Shape(rows, model.config().hiddenSize()));
            return model.logits(h).toFloatArray();
        }
    }
}
