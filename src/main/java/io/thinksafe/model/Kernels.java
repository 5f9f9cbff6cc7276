package io.thinksafe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import io.thinksafe.model.cpu.CpuKernels;

/**
 * How inference runs the decoder's matrix products and decode steps. {@link #REFERENCE} is libtorch
 * alone, the definition of the forward; {@code model.cpu} is faster on CPUs (Java kernels for the
 * few-row products of decoding, reading bf16/f16 weights directly) and is held to the reference by
 * tests. The implementation is chosen once, at start ({@link #current}), and said once when the fast
 * path cannot run. Training (autograd) always uses libtorch directly.
 */
public interface Kernels {
    /** {@code x·Wᵀ (+ bias)} over the last axis of x, outside autograd; the result belongs to x's manager. */
    NDArray linear(NDArray x, Weight w, NDArray bias);

    /** {@code W · xt} for xt [in, n]: [out, n], outside autograd (the layout of the losses' vocabulary products). */
    NDArray timesTransposed(Weight w, NDArray xt);

    /** A decoder over {@code t}'s weights. */
    Decoder decoder(Transformer t);

    /** One line for logs: what runs the products. */
    String description();

    /** libtorch alone: 16-bit weights widened to float32 one block of rows at a time. */
    Kernels REFERENCE = new Kernels() {
        @Override
        public NDArray linear(NDArray x, Weight w, NDArray bias) {
            return Kernels.reference(x, w, bias);
        }

        @Override
        public NDArray timesTransposed(Weight w, NDArray xt) {
            return inRowBlocks(w, xt);
        }

        @Override
        public Decoder decoder(Transformer t) {
            return new TorchDecoder(t);
        }

        @Override
        public String description() {
            return "libtorch";
        }
    };

    /**
     * The definition: {@code linear(x, W, b)} (autograd sees through it). A 16-bit weight is widened in
     * blocks of rows, each block's outputs computed from its float32 copy and joined along the last axis.
     */
    static NDArray reference(NDArray x, Weight w, NDArray bias) {
        if (w.tensor() != null) {
            return ai.djl.nn.core.Linear.linear(x, w.tensor(), bias).singletonOrThrow();
        }
        NDManager m = x.getManager();
        int per = w.rowsPerTorchBlock();
        NDList parts = new NDList();
        for (int from = 0; from < w.rows(); from += per) {
            NDArray block = w.float32Rows(from, Math.min(w.rows(), from + per), m);
            parts.add(ai.djl.nn.core.Linear.linear(x, block).singletonOrThrow());
        }
        NDArray y = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
        return bias == null ? y : y.add(bias);
    }

    /**
     * {@code W · xt} block by block of rows: a float32 weight is used in place (tall ones in blocks of
     * 8192 rows, which keep each product's output in cache: measured 90 vs 140 GFLOP/s at 64 columns), a
     * 16-bit one widened per block and the copy freed at once so the next block reuses its memory.
     * The result belongs to xt's manager.
     */
    static NDArray inRowBlocks(Weight w, NDArray xt) {
        NDManager out = xt.getManager();
        int per = w.tensor() != null ? Math.min(w.rows(), 8192) : Math.min(8192, w.rowsPerTorchBlock());
        if (per >= w.rows() && w.tensor() != null) {
            NDArray y = w.tensor().matMul(xt);
            y.attach(out); // results belong to the first operand's manager: keep them off the weights'
            return y;
        }
        NDList parts = new NDList();
        try (NDManager tmp = out.newSubManager()) {
            for (int from = 0; from < w.rows(); from += per) {
                NDArray block = w.float32Rows(from, Math.min(w.rows(), from + per), tmp);
                NDArray part = block.matMul(xt);
                part.attach(tmp);
                parts.add(part);
                block.close();
            }
            NDArray y = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            y.attach(out);
            return y;
        }
    }

    /** The kernels this process uses (chosen once). */
    static Kernels current() {
        return Chosen.kernels;
    }

    /** Replaces the kernels (tests comparing the two paths; {@code -Dthinksafe.kernels=torch} at start). */
    static void use(Kernels k) {
        Chosen.kernels = k;
    }

    /** Holds the choice made at start. */
    final class Chosen {
        private static volatile Kernels kernels = choose();

        private Chosen() {}

        private static Kernels choose() {
            if ("torch".equalsIgnoreCase(System.getProperty("thinksafe.kernels"))
                    || Boolean.getBoolean("thinksafe.torchDecode") || Torch.device().isGpu()) {
                return REFERENCE;
            }
            Kernels cpu = CpuKernels.create();
            return cpu != null ? cpu : REFERENCE;
        }
    }
}
