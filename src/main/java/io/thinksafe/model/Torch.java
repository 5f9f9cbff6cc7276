package io.thinksafe.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One-time set-up of DJL's PyTorch engine: offline unless told otherwise (the CPU natives come from
 * the bundled jar; a CUDA build may be fetched with {@code -Dai.djl.offline=false}), no telemetry.
 */
public final class Torch {
    private static volatile boolean ready;

    private Torch() {}

    /**
     * The device models live on: the CPU unless {@code -Dthinksafe.device=gpu} (or THINKSAFE_DEVICE=gpu)
     * asks for the first GPU. On a GPU only the libtorch paths run (no Java kernels).
     */
    public static Device device() {
        init();
        String d = System.getProperty("thinksafe.device", System.getenv().getOrDefault("THINKSAFE_DEVICE", "cpu"));
        return d.equalsIgnoreCase("gpu") ? Device.gpu() : Device.cpu();
    }

    /**
     * {@code x · s}, safe under autograd. DJL's {@code mul(Number)} wraps the number in a tensor over
     * a Java direct buffer and closes the wrapper at once; autograd keeps that tensor for the
     * backward pass, by which time the garbage collector may have freed the buffer, and the
     * gradient is read from freed memory (seen as NaN LoRA gradients once GRPO freed a merged
     * copy of the weights every step). A scalar made by libtorch is owned by libtorch and lives as
     * long as the graph holds it.
     */
    public static NDArray times(NDArray x, float s) {
        try (NDArray scalar = x.getManager().full(new Shape(), s, x.getDataType())) {
            return x.mul(scalar);
        }
    }

    /**
     * Threads libtorch may use inside one operation. Tiny models gain nothing from them, and when
     * another process wants the same cores the threads wait on each other for whole time slices:
     * on 2 busy cores a micro-world training step ran 10-20x slower with 2 threads than with 1.
     */
    public static void setThreads(int n) {
        init();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(n);
    }

    public static int threads() {
        init();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** Runs {@code body} with {@code n} libtorch threads, then restores the count. */
    public static <T> T withThreads(int n, java.util.function.Supplier<T> body) {
        int before = threads();
        setThreads(n);
        try {
            return body.get();
        } finally {
            setThreads(before);
        }
    }

    public static void init() {
        if (ready) {
            return;
        }
        synchronized (Torch.class) {
            if (!ready) {
                if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
                    System.setProperty("ai.djl.offline", "true");
                }
                System.setProperty("OPT_OUT_TRACKING", "true");
                Engine.getEngine("PyTorch");
                ready = true;
            }
        }
    }
}
