package io.thinksafe.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.thinksafe.model.DenseLinear;
import io.thinksafe.model.Transformer;
import java.util.function.Supplier;

/**
 * The output projection when it is frozen (LoRA), for losses over the vocabulary that write the
 * gradient with respect to the logits by hand ({@link TokenLoss}, {@link GrpoLoss}): an autograd
 * graph over [rows, vocab] cost half a LoRA step, measured. Logits are laid out as columns,
 * [vocab, rows], with the weight on the left where sgemm is fastest.
 */
final class FrozenHead {
    /** Logit floats per chunk of rows: the losses' few [vocab, rows] buffers stay under glibc's mmap threshold. */
    private static final long CHUNK_BUDGET = 7L << 20;

    private final DenseLinear head;
    private final int vocab;

    private FrozenHead(DenseLinear head, int vocab) {
        this.head = head;
        this.vocab = vocab;
    }

    /** The model's output projection if it is a plain matrix without a gradient, else null (full fine-tuning). */
    static FrozenHead of(Transformer model) {
        if (model.lmHead() instanceof DenseLinear head && !head.trainable()) {
            return new FrozenHead(head, model.config().vocabSize());
        }
        return null;
    }

    /** Rows of logits handled at once. */
    int rowsPerChunk() {
        return (int) Math.max(1, CHUNK_BUDGET / vocab);
    }

    int vocab() {
        return vocab;
    }

    /** log softmax(logits / temperature) of hidden-state rows [n, hidden], as columns [vocab, n]; call without a graph. */
    NDArray logSoftmax(NDArray rows, double temperature) {
        NDArray logits = head.timesTransposed(rows.transpose());
        return (temperature == 1 ? logits : logits.div(temperature)).logSoftmax(0);
    }

    /** Runs {@code body} with autograd off (the reference and the loss arithmetic are constants to it). */
    static <T> T withoutGraph(Supplier<T> body) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Hands ∂loss/∂logits of the rows {@code idx} of {@code hidden} (columns [vocab, n]) to autograd:
     * multiplied back through the projection into ∂loss/∂h [n, hidden], then d/dh Σ (h ⊙ G) = G is
     * back-propagated, which scatters G into the rows of the leaf {@code hidden}.
     */
    void backward(GradientCollector gc, NDArray hidden, NDArray idx, NDArray gradLogits, NDManager m) {
        NDArray gradRows = withoutGraph(() -> head.transposedTimes(gradLogits).transpose()); // [n, hidden]; 16-bit heads widened per block
        gradRows.attach(m);
        NDArray h = hidden.get(idx);
        h.attach(m);
        gc.backward(h.mul(gradRows).sum());
    }
}
