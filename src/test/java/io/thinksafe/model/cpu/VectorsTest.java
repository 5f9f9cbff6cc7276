package io.thinksafe.model.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorsTest {
    /** The decoder's exponential: within 2 ulp of Math.exp, and the vector and scalar forms agree to the bit. */
    @Test
    void expIsAccurateAndTheSameBitsInVectorAndScalarForm() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[Vectors.LANES];
        for (int trial = 0; trial < 20_000; trial++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextDouble() * 180 - 90);
                if (trial % 7 == 0) {
                    x[i] = (float) (r.nextDouble() * 20 - 10);
                }
            }
            FloatVector v = Vectors.exp(FloatVector.fromArray(Vectors.F, x, 0));
            for (int i = 0; i < x.length; i++) {
                float scalar = Vectors.exp(x[i]);
                assertThat(Float.floatToRawIntBits(v.lane(i))).as("x=%s", x[i]).isEqualTo(Float.floatToRawIntBits(scalar));
                double exact = Math.exp(Math.min(Math.max(x[i], -87.3f), 88f)); // clamped, as the decoder needs no more
                assertThat((double) scalar).as("x=%s", x[i]).isCloseTo(exact, org.assertj.core.data.Offset.offset(2.5 * Math.ulp((float) exact)));
            }
        }
    }
}
