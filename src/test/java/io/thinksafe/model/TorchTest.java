package io.thinksafe.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Regression: scalar products must survive garbage collection between forward and backward. */
class TorchTest {
    @Test
    void aScaledTensorBackPropagatesTheScaleAfterTheCollectorRuns() {
        Torch.init();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(1000));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Torch.times(x, 2f);
                churn();
                gc.backward(y.sum());
            }
            for (float g : x.getGradient().toFloatArray()) {
                assertThat(g).isEqualTo(2f); // with x.mul(2f) the scalar's freed buffer gave 0 or garbage here
            }
        }
    }

    /** Collects garbage and reuses direct memory, as a long training step does. */
    private static void churn() {
        for (int i = 0; i < 30; i++) {
            System.gc();
            byte[][] junk = new byte[100][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[100_000];
            }
        }
        for (int i = 0; i < 100; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4000);
            while (b.hasRemaining()) {
                b.putFloat(12345f);
            }
        }
    }
}
