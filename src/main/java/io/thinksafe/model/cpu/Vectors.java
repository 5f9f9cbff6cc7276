package io.thinksafe.model.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector loads and stores on memory outside the Java heap (mapped weights, tensor memory): the one
 * place where the kernels depend on the JDK.
 *
 * <p>The incubating Vector API reads off-heap memory through {@code fromByteBuffer} in Java 17–18 and
 * through {@code fromMemorySegment} from Java 19 on ({@code MemorySegment} is final from 22; in 19–21 it
 * is a preview API, so those JDKs need {@code --enable-preview}, which {@code bin/thinksafe} passes).
 * The jar is compiled on 17, where {@code MemorySegment} does not exist, so both routes are looked up
 * once, at start, as method handles; a constant handle is inlined by the JIT like a direct call, and
 * the loads stay vector instructions. Which route runs is decided here once: the segment route, else
 * the buffer route, else none ({@link #AVAILABLE} false, and the kernels are not used).
 *
 * <p>Memory is passed as {@code Object}: a {@code ByteBuffer} or a {@code MemorySegment} made by
 * {@link #wrap}; offsets are in bytes.
 */
public final class Vectors {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private static final MethodHandle LOAD_FLOATS;
    private static final MethodHandle LOAD_INTS;
    private static final MethodHandle STORE_FLOATS;
    private static final MethodHandle WRAP;
    /** How memory is read ("MemorySegment", "ByteBuffer"), or why the kernels cannot run. */
    public static final String ROUTE;
    public static final boolean AVAILABLE;

    static {
        MethodHandle[] handles = null;
        String route;
        String segmentFailure;
        try {
            handles = segmentRoute();
            probe(handles);
            route = "MemorySegment";
            segmentFailure = null;
        } catch (Throwable e) {
            segmentFailure = describe(e);
            route = null;
        }
        if (route == null) {
            try {
                handles = bufferRoute();
                probe(handles);
                route = "ByteBuffer";
            } catch (Throwable e) {
                handles = null;
                route = "unavailable: neither FloatVector.fromMemorySegment (" + segmentFailure
                        + ") nor FloatVector.fromByteBuffer (" + describe(e) + ") can be used on Java "
                        + Runtime.version().feature();
            }
        }
        boolean ok = handles != null && !Boolean.getBoolean("thinksafe.noSkinny");
        LOAD_FLOATS = ok ? handles[0] : null;
        LOAD_INTS = ok ? handles[1] : null;
        STORE_FLOATS = ok ? handles[2] : null;
        WRAP = ok ? handles[3] : null;
        ROUTE = ok ? route : handles != null ? "turned off by -Dthinksafe.noSkinny" : route;
        AVAILABLE = ok;
    }

    private Vectors() {}

    private static String describe(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    /** Java 19+: {@code fromMemorySegment(species, segment, long, order)}, memory as a MemorySegment. */
    private static MethodHandle[] segmentRoute() throws ReflectiveOperationException {
        Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        MethodHandle floats = l.findStatic(FloatVector.class, "fromMemorySegment",
                MethodType.methodType(FloatVector.class, VectorSpecies.class, segment, long.class, ByteOrder.class));
        MethodHandle ints = l.findStatic(IntVector.class, "fromMemorySegment",
                MethodType.methodType(IntVector.class, VectorSpecies.class, segment, long.class, ByteOrder.class));
        MethodHandle store = l.findVirtual(FloatVector.class, "intoMemorySegment",
                MethodType.methodType(void.class, segment, long.class, ByteOrder.class));
        MethodHandle wrap = l.findStatic(segment, "ofBuffer", MethodType.methodType(segment, Buffer.class));
        return adapt(floats, ints, store, wrap);
    }

    /** Java 17–18: {@code fromByteBuffer(species, buffer, int, order)}, memory as the ByteBuffer itself. */
    private static MethodHandle[] bufferRoute() throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        MethodHandle floats = l.findStatic(FloatVector.class, "fromByteBuffer",
                MethodType.methodType(FloatVector.class, VectorSpecies.class, ByteBuffer.class, int.class, ByteOrder.class));
        MethodHandle ints = l.findStatic(IntVector.class, "fromByteBuffer",
                MethodType.methodType(IntVector.class, VectorSpecies.class, ByteBuffer.class, int.class, ByteOrder.class));
        MethodHandle store = l.findVirtual(FloatVector.class, "intoByteBuffer",
                MethodType.methodType(void.class, ByteBuffer.class, int.class, ByteOrder.class));
        return adapt(floats, ints, store, MethodHandles.identity(ByteBuffer.class));
    }

    /** Binds species and byte order and erases the memory type to Object and the offset to long. */
    private static MethodHandle[] adapt(MethodHandle floats, MethodHandle ints, MethodHandle store, MethodHandle wrap) {
        MethodHandle f = MethodHandles.insertArguments(MethodHandles.insertArguments(floats, 3, ByteOrder.LITTLE_ENDIAN), 0, F);
        MethodHandle i = MethodHandles.insertArguments(MethodHandles.insertArguments(ints, 3, ByteOrder.LITTLE_ENDIAN), 0, I);
        MethodHandle s = MethodHandles.insertArguments(store, 3, ByteOrder.LITTLE_ENDIAN);
        return new MethodHandle[] {
            MethodHandles.explicitCastArguments(f, MethodType.methodType(FloatVector.class, Object.class, long.class)),
            MethodHandles.explicitCastArguments(i, MethodType.methodType(IntVector.class, Object.class, long.class)),
            MethodHandles.explicitCastArguments(s, MethodType.methodType(void.class, FloatVector.class, Object.class, long.class)),
            MethodHandles.explicitCastArguments(wrap, MethodType.methodType(Object.class, ByteBuffer.class))};
    }

    /** Reads and writes a few known values through the handles (a preview API refusing shows here). */
    private static void probe(MethodHandle[] h) throws Throwable {
        ByteBuffer b = ByteBuffer.allocateDirect(8 * LANES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < LANES; i++) {
            b.putFloat(4 * i, i + 0.5f);
        }
        Object mem = (Object) h[3].invokeExact(b);
        FloatVector v = (FloatVector) h[0].invokeExact(mem, 0L);
        IntVector iv = (IntVector) h[1].invokeExact(mem, 0L);
        h[2].invokeExact(v, mem, (long) (4 * LANES));
        if (v.lane(LANES - 1) != LANES - 0.5f || Float.intBitsToFloat(iv.lane(1)) != 1.5f
                || b.getFloat(4 * (2 * LANES - 1)) != LANES - 0.5f) {
            throw new IllegalStateException("vector loads read wrong values");
        }
    }

    /** The object the loads take for {@code buffer} (the buffer, or a MemorySegment over it). */
    public static Object wrap(ByteBuffer buffer) {
        try {
            return (Object) WRAP.invokeExact(buffer);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code LANES} floats at byte {@code offset}, little-endian. */
    static FloatVector floats(Object memory, long offset) {
        try {
            return (FloatVector) LOAD_FLOATS.invokeExact(memory, offset);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code LANES} ints at byte {@code offset}, little-endian (two 16-bit values each). */
    static IntVector ints(Object memory, long offset) {
        try {
            return (IntVector) LOAD_INTS.invokeExact(memory, offset);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * The lanes of {@code v} added in lane order. {@code reduceLanes(ADD)} leaves the order open, and the
     * compiled and interpreted forms of it differ in the last bit; this does not.
     */
    static float sum(FloatVector v) {
        float s = 0;
        for (int i = 0; i < LANES; i++) {
            s += v.lane(i); // no array: this runs once per weight row
        }
        return s;
    }

    // exp(x) = 2^n · e^r with n = round(x·log2 e), r = x − n·ln 2 (ln 2 in two parts), e^r by a degree-7
    // polynomial on |r| ≤ ln2/2 (error under 2 ulp). Every step is one correctly rounded operation, so the
    // compiled and the interpreted code give the same bits; VectorOperators.EXP does not (it is a
    // different library in each), and decoding would then depend on how warm the JIT is.
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer
    private static final float[] EXP_POLY = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f, 1f, 1f};

    /** e^x lane by lane, the same bits in every JIT tier (see {@link #exp(float)}). */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-87.3f).min(88f); // the range where 2^n stays a normal float
        FloatVector n = c.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.mul(-LN2_LO).add(n.fma(FloatVector.broadcast(F, -LN2_HI), c)); // r = c − n·ln2_hi − n·ln2_lo
        FloatVector p = FloatVector.broadcast(F, EXP_POLY[0]);
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = p.fma(r, FloatVector.broadcast(F, EXP_POLY[i]));
        }
        IntVector scale = ((IntVector) n.convert(jdk.incubator.vector.VectorOperators.F2I, 0)).add(127)
                .lanewise(jdk.incubator.vector.VectorOperators.LSHL, 23);
        return p.mul(scale.reinterpretAsFloats());
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations, the same bits. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, -87.3f), 88f);
        float n = c * LOG2E + ROUND - ROUND;
        float r = n * -LN2_LO + Math.fma(n, -LN2_HI, c);
        float p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = Math.fma(p, r, EXP_POLY[i]);
        }
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** The sum of the floats in bytes [from, to) of {@code memory}: a pure stream of loads (bandwidth probes). */
    public static float sum(Object memory, long from, long to) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int step = 2 * F.vectorByteSize();
        for (long o = from; o + step <= to; o += step) {
            a0 = a0.add(floats(memory, o));
            a1 = a1.add(floats(memory, o + F.vectorByteSize()));
        }
        return a0.add(a1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    static void store(FloatVector v, Object memory, long offset) {
        try {
            STORE_FLOATS.invokeExact(v, memory, offset);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(e);
    }
}
