package dev.mambamixer.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.backend.cpu.ElementKernels;
import dev.mambamixer.engine.backend.cpu.ScalarScanKernel;
import dev.mambamixer.engine.backend.cpu.ScanKernel;
import dev.mambamixer.engine.backend.cpu.VectorScanKernel;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CpuBackend kernel against ReferenceBackend on the same (float-representable) random
 * inputs: max |cpu - ref| <= TOL * (1 + max |ref|) per output tensor.
 */
class CpuBackendParityTest {

    private static final double TOL = 1e-4;

    private final CpuBackend cpu = new CpuBackend();
    private final ReferenceBackend ref = new ReferenceBackend();

    /** A pair of tensors holding the same values on both backends. */
    private record Pair(Tensor c, Tensor r) {}

    private Pair rand(SplittableRandom rng, double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return new Pair(cpu.fromFloats(v, shape), ref.fromFloats(v, shape));
    }

    private Pair zeros(int... shape) { return new Pair(cpu.zeros(shape), ref.zeros(shape)); }

    private static void assertClose(Pair p, String what) { assertClose(p, what, TOL); }

    private static void assertClose(Pair p, String what, double tol) {
        double[] c = p.c().backend().toDoubles(p.c()), r = p.r().backend().toDoubles(p.r());
        assertEquals(r.length, c.length, what + " size");
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < r.length; i++) {
            assertTrue(Double.isFinite(c[i]), what + "[" + i + "] is not finite: " + c[i]);
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            double err = Math.abs(c[i] - r[i]);
            if (err > maxErr) { maxErr = err; worst = i; }
        }
        double bound = tol * (1 + maxRef);
        assertTrue(maxErr <= bound, what + ": max abs err " + maxErr + " at " + worst + " (cpu "
            + (worst < 0 ? 0 : c[worst]) + ", ref " + (worst < 0 ? 0 : r[worst]) + ") > " + bound);
    }

    // ---------------------------------------------------------------- GEMM

    @Test
    void gemmAllTransposesWithOffsetsAlphaBeta() {
        SplittableRandom rng = new SplittableRandom(1);
        int m = 37, n = 19, k = 23, off = 5;
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                Pair a = rand(rng, -1, 1, off + m * k), b = rand(rng, -1, 1, off + k * n), c = rand(rng, -1, 1, 3 + m * n);
                cpu.gemm(ta, tb, m, n, k, 0.7, a.c(), off, b.c(), off, 0.3, c.c(), 3);
                ref.gemm(ta, tb, m, n, k, 0.7, a.r(), off, b.r(), off, 0.3, c.r(), 3);
                assertClose(c, "gemm ta=" + ta + " tb=" + tb);
            }
    }

    @Test
    void gemmBetaZeroIgnoresNaNInC() {
        SplittableRandom rng = new SplittableRandom(2);
        int m = 64, n = 128, k = 32;
        Pair a = rand(rng, -1, 1, m, k), b = rand(rng, -1, 1, k, n), c = zeros(m, n);
        cpu.fill(c.c(), Double.NaN);
        ref.fill(c.r(), Double.NaN);
        cpu.gemm(false, false, m, n, k, 1.0, a.c(), 0, b.c(), 0, 0.0, c.c(), 0);
        ref.gemm(false, false, m, n, k, 1.0, a.r(), 0, b.r(), 0, 0.0, c.r(), 0);
        assertClose(c, "gemm beta=0 over NaN");
    }

    @Test
    void gemmKZeroScalesC() {
        Pair a = zeros(1), b = zeros(1), c = rand(new SplittableRandom(3), -1, 1, 2, 3);
        cpu.gemm(false, false, 2, 3, 0, 1.0, a.c(), 0, b.c(), 0, 0.5, c.c(), 0);
        ref.gemm(false, false, 2, 3, 0, 1.0, a.r(), 0, b.r(), 0, 0.5, c.r(), 0);
        assertClose(c, "gemm k=0");
    }

    @Test
    void gemmRejectsOutOfRange() {
        Tensor a = cpu.zeros(4, 4), b = cpu.zeros(4, 4), c = cpu.zeros(4, 3);
        assertThrows(IllegalArgumentException.class,
            () -> cpu.gemm(false, false, 4, 4, 4, 1, a, 0, b, 0, 0, c, 0));
    }

    // ---------------------------------------------------------------- element-wise

    /** Small (inline) and large (> PARALLEL_MIN, parallel blocks) sizes. */
    static List<Integer> sizes() { return List.of(1001, 3 * CpuBackend.PARALLEL_MIN + 17); }

    @ParameterizedTest
    @MethodSource("sizes")
    void elementwiseKernels(int n) {
        SplittableRandom rng = new SplittableRandom(n);
        Pair a = rand(rng, -6, 6, n), b = rand(rng, -2, 2, n), out = zeros(n);
        cpu.add(a.c(), b.c(), out.c()); ref.add(a.r(), b.r(), out.r()); assertClose(out, "add");
        cpu.sub(a.c(), b.c(), out.c()); ref.sub(a.r(), b.r(), out.r()); assertClose(out, "sub");
        cpu.mul(a.c(), b.c(), out.c()); ref.mul(a.r(), b.r(), out.r()); assertClose(out, "mul");
        cpu.siluForward(a.c(), out.c()); ref.siluForward(a.r(), out.r()); assertClose(out, "silu");
        cpu.siluBackward(a.c(), b.c(), out.c()); ref.siluBackward(a.r(), b.r(), out.r()); assertClose(out, "siluBackward");
        cpu.axpy(-0.37, a.c(), 3, b.c(), 1, n - 5); ref.axpy(-0.37, a.r(), 3, b.r(), 1, n - 5); assertClose(b, "axpy");
        cpu.scale(a.c(), 1.7); ref.scale(a.r(), 1.7); assertClose(a, "scale");
        double dc = cpu.dot(a.c(), b.c()), dr = ref.dot(a.r(), b.r());
        assertEquals(dr, dc, 1e-6 * (1 + Math.abs(dr)), "dot"); // b went through a float axpy
        double sc = cpu.sumAbs(a.c()), sr = ref.sumAbs(a.r());
        assertEquals(sr, sc, 1e-6 * sr, "sumAbs"); // a went through a float scale
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void rowVectorKernels(int approx) {
        SplittableRandom rng = new SplittableRandom(approx + 1);
        int cols = 96, rows = approx / cols + 1;
        Pair x = rand(rng, -1, 1, rows, cols), v = rand(rng, -1, 1, cols), acc = rand(rng, -1, 1, cols);
        cpu.addRowVector(x.c(), rows, cols, v.c()); ref.addRowVector(x.r(), rows, cols, v.r());
        assertClose(x, "addRowVector");
        cpu.sumRows(x.c(), rows, cols, acc.c()); ref.sumRows(x.r(), rows, cols, acc.r());
        assertClose(acc, "sumRows (accumulate)");
    }

    @Test
    void dropoutMaskMatchesReferenceExactly() {
        Pair m = zeros(5000);
        cpu.dropoutMask(m.c(), 0.7, 42L);
        ref.dropoutMask(m.r(), 0.7, 42L);
        assertArrayEquals(ref.toFloats(m.r()), cpu.toFloats(m.c()));
        assertThrows(IllegalArgumentException.class, () -> cpu.dropoutMask(m.c(), 0.0, 1L));
    }

    @Test
    void layoutKernelsAreExact() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int scale : new int[] {1, 40}) { // 40: above PARALLEL_MIN, parallel path
            int a = 3 * scale, b = 7, c = 9, d = 32;
            Pair x = rand(rng, -1, 1, a, b, c, d), out = zeros(a, c, b, d);
            cpu.swapMiddle(x.c(), a, b, c, d, out.c()); ref.swapMiddle(x.r(), a, b, c, d, out.r());
            assertArrayEquals(ref.toFloats(out.r()), cpu.toFloats(out.c()), "swapMiddle");
            Pair f = zeros(a * b, c, d);
            cpu.flipSequence(x.c(), a * b, c, d, f.c()); ref.flipSequence(x.r(), a * b, c, d, f.r());
            assertArrayEquals(ref.toFloats(f.r()), cpu.toFloats(f.c()), "flipSequence");
        }
    }

    // ---------------------------------------------------------------- conv, LayerNorm

    @ParameterizedTest
    @MethodSource("convShapes")
    void causalConvForwardBackward(int s, int l, int e, int k) {
        SplittableRandom rng = new SplittableRandom(s * 31L + l);
        Pair x = rand(rng, -1, 1, s, l, e), w = rand(rng, -0.5, 0.5, e, k), bias = rand(rng, -0.5, 0.5, e);
        Pair out = zeros(s, l, e);
        cpu.causalConvForward(x.c(), w.c(), bias.c(), s, l, e, k, out.c());
        ref.causalConvForward(x.r(), w.r(), bias.r(), s, l, e, k, out.r());
        assertClose(out, "conv out");
        Pair g = rand(rng, -1, 1, s, l, e), dx = rand(rng, -1, 1, s, l, e); // dx garbage: overwritten
        Pair dw = rand(rng, -1, 1, e, k), db = rand(rng, -1, 1, e);          // accumulate onto these
        cpu.causalConvBackward(x.c(), w.c(), g.c(), s, l, e, k, dx.c(), dw.c(), db.c());
        ref.causalConvBackward(x.r(), w.r(), g.r(), s, l, e, k, dx.r(), dw.r(), db.r());
        assertClose(dx, "conv dx");
        assertClose(dw, "conv dw");
        assertClose(db, "conv dbias");
    }

    private static ElementKernels elementKernels(String name) {
        return name.equals("vector") ? new dev.mambamixer.engine.backend.cpu.VectorElementKernels() : ElementKernels.scalar();
    }

    /** SiLU and conv of both element-kernel implementations; E = 13 has a vector part and a scalar tail. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"vector", "scalar"})
    void elementKernelsMatchReference(String kind) {
        CpuBackend be = new CpuBackend(new ScalarScanKernel(), elementKernels(kind));
        SplittableRandom rng = new SplittableRandom(21);
        int n = 4099;
        Pair a = rand(rng, -12, 12, n), b = rand(rng, -2, 2, n), out = zeros(n);
        float[] av = cpu.toFloats(a.c()); // extremes: exp over/underflow must give 0 / x, not NaN
        av[0] = -100f; av[1] = 100f; av[2] = -1e30f; av[3] = 1e30f; av[4] = 0f;
        cpu.upload(av, a.c()); ref.upload(av, a.r());
        be.siluForward(a.c(), out.c()); ref.siluForward(a.r(), out.r()); assertClose(out, kind + " silu");
        be.siluBackward(a.c(), b.c(), out.c()); ref.siluBackward(a.r(), b.r(), out.r()); assertClose(out, kind + " siluBackward");
        for (int[] sh : new int[][] {{3, 9, 13, 4}, {2, 2, 13, 4}, {5, 7, 16, 3}}) {
            int s = sh[0], l = sh[1], e = sh[2], k = sh[3];
            Pair x = rand(rng, -1, 1, s, l, e), w = rand(rng, -0.5, 0.5, e, k), bias = rand(rng, -0.5, 0.5, e);
            Pair o = zeros(s, l, e), g = rand(rng, -1, 1, s, l, e), dx = rand(rng, -1, 1, s, l, e);
            Pair dw = rand(rng, -1, 1, e, k), db = rand(rng, -1, 1, e);
            be.causalConvForward(x.c(), w.c(), bias.c(), s, l, e, k, o.c());
            ref.causalConvForward(x.r(), w.r(), bias.r(), s, l, e, k, o.r());
            be.causalConvBackward(x.c(), w.c(), g.c(), s, l, e, k, dx.c(), dw.c(), db.c());
            ref.causalConvBackward(x.r(), w.r(), g.r(), s, l, e, k, dx.r(), dw.r(), db.r());
            String tag = kind + " conv " + java.util.Arrays.toString(sh);
            assertClose(o, tag + " out");
            assertClose(dx, tag + " dx");
            assertClose(dw, tag + " dw");
            assertClose(db, tag + " dbias");
        }
    }

    @Test
    void vectorElementKernelsAreBitReproducible() {
        // Several runs: the first ones execute in the interpreter/C1, later ones in C2.
        CpuBackend be = new CpuBackend(new ScalarScanKernel(), elementKernels("vector"));
        int s = 64, l = 63, e = 64, k = 4;
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            SplittableRandom rng = new SplittableRandom(5);
            Pair x = rand(rng, -6, 6, s, l, e), w = rand(rng, -0.5, 0.5, e, k), bias = rand(rng, -0.5, 0.5, e);
            Pair o = zeros(s, l, e), u = zeros(s, l, e), g = rand(rng, -1, 1, s, l, e), dx = zeros(s, l, e);
            Pair dw = zeros(e, k), db = zeros(e);
            be.causalConvForward(x.c(), w.c(), bias.c(), s, l, e, k, o.c());
            be.siluForward(o.c(), u.c());
            be.siluBackward(o.c(), g.c(), u.c());
            be.causalConvBackward(x.c(), w.c(), u.c(), s, l, e, k, dx.c(), dw.c(), db.c());
            float[][] got = {cpu.toFloats(o.c()), cpu.toFloats(u.c()), cpu.toFloats(dx.c()), cpu.toFloats(dw.c()), cpu.toFloats(db.c())};
            if (first == null) first = got;
            else for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], "output " + i + " differs between runs");
        }
    }

    static List<org.junit.jupiter.params.provider.Arguments> convShapes() {
        return List.of(org.junit.jupiter.params.provider.Arguments.of(2, 5, 3, 4),  // L > K barely
                       org.junit.jupiter.params.provider.Arguments.of(3, 2, 4, 4),  // L < K
                       org.junit.jupiter.params.provider.Arguments.of(64, 63, 64, 4)); // parallel
    }

    @ParameterizedTest
    @MethodSource("lnShapes")
    void layerNormForwardBackward(int rows, int n) {
        SplittableRandom rng = new SplittableRandom(rows * 7L + n);
        Pair x = rand(rng, -2, 3, rows, n), gamma = rand(rng, 0.5, 1.5, n), beta = rand(rng, -0.5, 0.5, n);
        Pair out = zeros(rows, n), mean = zeros(rows), rstd = zeros(rows);
        cpu.layerNormForward(x.c(), gamma.c(), beta.c(), rows, n, 1e-5, out.c(), mean.c(), rstd.c());
        ref.layerNormForward(x.r(), gamma.r(), beta.r(), rows, n, 1e-5, out.r(), mean.r(), rstd.r());
        assertClose(out, "LN out");
        assertClose(mean, "LN mean");
        assertClose(rstd, "LN rstd");
        Pair g = rand(rng, -1, 1, rows, n), dx = zeros(rows, n), dg = rand(rng, -1, 1, n), dbt = rand(rng, -1, 1, n);
        cpu.layerNormBackward(x.c(), gamma.c(), mean.c(), rstd.c(), g.c(), rows, n, dx.c(), dg.c(), dbt.c());
        ref.layerNormBackward(x.r(), gamma.r(), mean.r(), rstd.r(), g.r(), rows, n, dx.r(), dg.r(), dbt.r());
        assertClose(dx, "LN dx");
        assertClose(dg, "LN dgamma");
        assertClose(dbt, "LN dbeta");
    }

    static List<org.junit.jupiter.params.provider.Arguments> lnShapes() {
        return List.of(org.junit.jupiter.params.provider.Arguments.of(5, 12),
                       org.junit.jupiter.params.provider.Arguments.of(224, 2016), // time-mixer Norm2D
                       org.junit.jupiter.params.provider.Arguments.of(300, 224)); // variate-mixer-like rows
    }

    // ---------------------------------------------------------------- selective scan

    /** Scan inputs on both backends, plus outputs and gradient buffers. */
    private final class ScanCase {
        final ScanDims dims;
        final Pair u, dr, aLog, b, c, d, z, db, out, ck, g, du, ddr, dal, dB, dC, dD, dz, ddb;

        ScanCase(ScanDims dims, boolean withZ, long seed) {
            this.dims = dims;
            SplittableRandom rng = new SplittableRandom(seed);
            int S = dims.s(), L = dims.l(), E = dims.e(), N = dims.n();
            u = rand(rng, -1, 1, S, L, E);
            dr = rand(rng, -4, 1, S, L, E);
            // A few pre-activations above the softplus threshold (identity branch).
            float[] drv = cpu.toFloats(dr.c());
            for (int i = 0; i < drv.length; i += 97) drv[i] = 24f;
            cpu.upload(drv, dr.c());
            ref.upload(drv, dr.r());
            float[] al = new float[E * N];
            for (int e = 0; e < E; e++)
                for (int n = 0; n < N; n++) al[e * N + n] = (float) (Math.log(n + 1) + 0.2 * rng.nextDouble());
            aLog = new Pair(cpu.fromFloats(al, E, N), ref.fromFloats(al, E, N));
            b = rand(rng, -1, 1, S, L, N);
            c = rand(rng, -1, 1, S, L, N);
            d = rand(rng, 0.5, 1.5, E);
            z = withZ ? rand(rng, -3, 3, S, L, E) : null;
            db = rand(rng, -1, 0.5, E);
            out = zeros(S, L, E);
            ck = zeros(dims.checkpointShape());
            g = rand(rng, -1, 1, S, L, E);
            du = rand(rng, -9, 9, S, L, E);   // garbage: overwritten
            ddr = rand(rng, -9, 9, S, L, E);
            dB = rand(rng, -9, 9, S, L, N);
            dC = rand(rng, -9, 9, S, L, N);
            dz = rand(rng, -9, 9, S, L, E);
            dal = rand(rng, -1, 1, E, N);     // accumulate onto these
            dD = rand(rng, -1, 1, E);
            ddb = rand(rng, -1, 1, E);
        }

        Tensor zc() { return z == null ? null : z.c(); }
        Tensor zr() { return z == null ? null : z.r(); }

        void forward(Backend be) {
            boolean c0 = be == cpuOf();
            be.scanForward(dims, new ScanInputs(pick(u, c0), pick(dr, c0), pick(aLog, c0), pick(b, c0), pick(c, c0), pick(d, c0),
                c0 ? zc() : zr(), pick(db, c0)), pick(out, c0), pick(ck, c0));
        }

        void backward(Backend be) {
            boolean c0 = be == cpuOf();
            be.scanBackward(dims, new ScanInputs(pick(u, c0), pick(dr, c0), pick(aLog, c0), pick(b, c0), pick(c, c0), pick(d, c0),
                c0 ? zc() : zr(), pick(db, c0)), pick(ck, c0), pick(g, c0), new ScanGrads(pick(du, c0), pick(ddr, c0),
                pick(dal, c0), pick(dB, c0), pick(dC, c0), pick(dD, c0), pick(dz, c0), pick(ddb, c0)));
        }

        Backend cpuOf() { return u.c().backend(); }

        void assertAllClose(String tag) {
            assertClose(out, tag + " out");
            assertClose(ck, tag + " checkpoints");
            assertClose(du, tag + " du");
            assertClose(ddr, tag + " dDeltaRaw");
            assertClose(dal, tag + " dALog");
            assertClose(dB, tag + " dB");
            assertClose(dC, tag + " dC");
            assertClose(dD, tag + " dD");
            assertClose(ddb, tag + " dDeltaBias");
            if (z != null) assertClose(dz, tag + " dz");
        }
    }

    private static Tensor pick(Pair p, boolean c) { return c ? p.c() : p.r(); }

    static List<org.junit.jupiter.params.provider.Arguments> scanCases() {
        List<org.junit.jupiter.params.provider.Arguments> list = new java.util.ArrayList<>();
        ScanDims[] dims = {
            new ScanDims(2, 6, 3, 4, 6),        // one chunk, N below the vector width
            new ScanDims(3, 13, 5, 16, 4),      // chunk does not divide L
            new ScanDims(2, 7, 4, 19, 3),       // N with a scalar tail
            new ScanDims(2, 9, 4, 16, 64),      // chunk > L
        };
        for (ScanDims d : dims)
            for (boolean withZ : new boolean[] {true, false})
                for (String kernel : new String[] {"vector", "scalar"})
                    list.add(org.junit.jupiter.params.provider.Arguments.of(d, withZ, kernel));
        // Large: many blocks on several threads (two combinations keep the test time down).
        ScanDims large = new ScanDims(64, 63, 64, 16, 16);
        list.add(org.junit.jupiter.params.provider.Arguments.of(large, true, "vector"));
        list.add(org.junit.jupiter.params.provider.Arguments.of(large, false, "scalar"));
        return list;
    }

    private static ScanKernel kernel(String name) {
        return name.equals("vector") ? new VectorScanKernel() : new ScalarScanKernel();
    }

    @ParameterizedTest(name = "{0} z={1} {2}")
    @MethodSource("scanCases")
    void scanMatchesReference(ScanDims dims, boolean withZ, String kernelName) {
        CpuBackend be = new CpuBackend(kernel(kernelName));
        // Tensors from `cpu` are plain float[] tensors; any CpuBackend instance can run them.
        ScanCase sc = new ScanCase(dims, withZ, dims.hashCode() + (withZ ? 1 : 0));
        runCpu(be, sc);
        sc.forward(ref);
        sc.backward(ref);
        sc.assertAllClose(dims + " z=" + withZ + " " + kernelName);
    }

    private static void runCpu(CpuBackend be, ScanCase sc) {
        ScanDims dm = sc.dims;
        be.scanForward(dm, new ScanInputs(sc.u.c(), sc.dr.c(), sc.aLog.c(), sc.b.c(), sc.c.c(), sc.d.c(), sc.zc(), sc.db.c()),
            sc.out.c(), sc.ck.c());
        be.scanBackward(dm, new ScanInputs(sc.u.c(), sc.dr.c(), sc.aLog.c(), sc.b.c(), sc.c.c(), sc.d.c(), sc.zc(), sc.db.c()),
            sc.ck.c(), sc.g.c(),
                new ScanGrads(sc.du.c(), sc.ddr.c(), sc.dal.c(), sc.dB.c(), sc.dC.c(), sc.dD.c(), sc.dz.c(), sc.ddb.c()));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"vector", "scalar"})
    void scanIsBitReproducible(String kernelName) {
        // Several runs, so the first ones execute in the interpreter/C1 and later ones in C2:
        // the bits must not depend on the JIT tier nor on thread scheduling.
        CpuBackend be = new CpuBackend(kernel(kernelName));
        ScanDims dims = new ScanDims(64, 63, 64, 16, 16);
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            ScanCase sc = new ScanCase(dims, true, 99);
            runCpu(be, sc);
            float[][] got = {cpu.toFloats(sc.out.c()), cpu.toFloats(sc.du.c()), cpu.toFloats(sc.ddr.c()),
                cpu.toFloats(sc.dal.c()), cpu.toFloats(sc.dB.c()), cpu.toFloats(sc.dC.c()),
                cpu.toFloats(sc.dD.c()), cpu.toFloats(sc.dz.c()), cpu.toFloats(sc.ddb.c())};
            if (first == null) first = got;
            else for (int i = 0; i < got.length; i++) assertArrayEquals(first[i], got[i], "output " + i + " differs between runs");
        }
    }

    @Test
    void vectorExpIsAccurate() {
        jdk.incubator.vector.VectorSpecies<Float> sp = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = new float[sp.length()], y = new float[sp.length()];
        double maxRel = 0;
        for (int i = 0; i <= 20000; i++) {
            for (int l = 0; l < x.length; l++) x[l] = -87f + 175f * (i * x.length + l) / (20001f * x.length);
            VectorScanKernel.exp(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
            for (int l = 0; l < x.length; l++) {
                double ex = Math.exp(x[l]);
                maxRel = Math.max(maxRel, Math.abs(y[l] - ex) / ex);
            }
        }
        assertTrue(maxRel < 3e-7, "vector exp max relative error " + maxRel);
        x[0] = -500f; // δ·A far below the float range: ~0
        VectorScanKernel.exp(jdk.incubator.vector.FloatVector.fromArray(sp, x, 0)).intoArray(y, 0);
        assertTrue(y[0] >= 0f && y[0] < 2e-38f, "exp(-500) = " + y[0]);
    }

    @Test
    void scanRejectsWrongShapes() {
        ScanDims dims = new ScanDims(2, 4, 3, 4, 2);
        ScanCase sc = new ScanCase(dims, false, 1);
        Tensor badCk = cpu.zeros(2, 1, 3, 4); // needs 2 chunks
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            cpu.scanForward(dims, new ScanInputs(sc.u.c(), sc.dr.c(), sc.aLog.c(), sc.b.c(), sc.c.c(), sc.d.c(), null, sc.db.c()),
                sc.out.c(), badCk));
        assertTrue(ex.getMessage().contains("checkpoints"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () ->
            cpu.scanForward(dims, new ScanInputs(sc.u.r(), sc.dr.c(), sc.aLog.c(), sc.b.c(), sc.c.c(), sc.d.c(), null, sc.db.c()),
                sc.out.c(), sc.ck.c())); // a reference tensor is not a cpu-f32 tensor
    }

    // ---------------------------------------------------------------- TSM2 input/output, optimiser

    @Test
    void revinKernels() {
        SplittableRandom rng = new SplittableRandom(11);
        int b = 4, t = 96, m = 7, h = 24;
        Pair x = rand(rng, 3, 9, b, t, m), gamma = rand(rng, 0.5, 1.5, m), beta = rand(rng, -0.5, 0.5, m);
        Pair out = zeros(b, t, m), mean = zeros(b, m), std = zeros(b, m);
        cpu.revinNormalize(x.c(), gamma.c(), beta.c(), b, t, m, 1e-5, out.c(), mean.c(), std.c());
        ref.revinNormalize(x.r(), gamma.r(), beta.r(), b, t, m, 1e-5, out.r(), mean.r(), std.r());
        assertClose(out, "revin out");
        assertClose(mean, "revin mean");
        assertClose(std, "revin std");
        Pair g = rand(rng, -1, 1, b, t, m), dg = rand(rng, -1, 1, m), dbt = rand(rng, -1, 1, m);
        cpu.revinNormalizeBackward(x.c(), mean.c(), std.c(), g.c(), b, t, m, dg.c(), dbt.c());
        ref.revinNormalizeBackward(x.r(), mean.r(), std.r(), g.r(), b, t, m, dg.r(), dbt.r());
        assertClose(dg, "revin dgamma");
        assertClose(dbt, "revin dbeta");

        Pair y = rand(rng, -2, 2, b, h, m), yo = zeros(b, h, m);
        cpu.revinDenormalize(y.c(), gamma.c(), beta.c(), mean.c(), std.c(), b, h, m, 1e-5, yo.c());
        ref.revinDenormalize(y.r(), gamma.r(), beta.r(), mean.r(), std.r(), b, h, m, 1e-5, yo.r());
        assertClose(yo, "denorm out");
        Pair gy = rand(rng, -1, 1, b, h, m), dy = zeros(b, h, m), dg2 = rand(rng, -1, 1, m), db2 = rand(rng, -1, 1, m);
        cpu.revinDenormalizeBackward(y.c(), gamma.c(), beta.c(), std.c(), gy.c(), b, h, m, 1e-5, dy.c(), dg2.c(), db2.c());
        ref.revinDenormalizeBackward(y.r(), gamma.r(), beta.r(), std.r(), gy.r(), b, h, m, 1e-5, dy.r(), dg2.r(), db2.r());
        assertClose(dy, "denorm dy");
        assertClose(dg2, "denorm dgamma");
        assertClose(db2, "denorm dbeta");
    }

    @Test
    void patchifyWithEndPadding() {
        SplittableRandom rng = new SplittableRandom(12);
        int b = 3, t = 64, m = 5, p = 16, s = 8, np = (t - p) / s + 2; // +1: PatchTST end padding
        Pair x = rand(rng, -1, 1, b, t, m), out = zeros(b, m, np, p);
        cpu.patchify(x.c(), b, t, m, p, s, np, out.c());
        ref.patchify(x.r(), b, t, m, p, s, np, out.r());
        assertArrayEquals(ref.toFloats(out.r()), cpu.toFloats(out.c()), "patchify is a gather: exact");
        Pair g = rand(rng, -1, 1, b, m, np, p), dx = rand(rng, -9, 9, b, t, m);
        cpu.patchifyBackward(g.c(), b, t, m, p, s, np, dx.c());
        ref.patchifyBackward(g.r(), b, t, m, p, s, np, dx.r());
        assertClose(dx, "patchify dx");
    }

    @Test
    void adamwSteps() {
        SplittableRandom rng = new SplittableRandom(13);
        for (int n : new int[] {333, 2 * CpuBackend.PARALLEL_MIN}) {
            Pair p = rand(rng, -1, 1, n), m = zeros(n), v = zeros(n);
            for (int step = 1; step <= 3; step++) {
                Pair g = rand(rng, -1, 1, n);
                cpu.adamw(p.c(), g.c(), m.c(), v.c(), 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
                ref.adamw(p.r(), g.r(), m.r(), v.r(), 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
            }
            assertClose(p, "adamw param n=" + n, 1e-6);
            assertClose(m, "adamw m");
            assertClose(v, "adamw v");
        }
    }

    @Test
    void memoryRoundTrips() {
        double[] src = {1.5, -2.25, 1e-3, 7};
        Tensor t = cpu.fromDoubles(src, 2, 2);
        assertArrayEquals(src, cpu.toDoubles(t), 1e-7);
        Tensor u = cpu.zeros(4);
        cpu.copy(t, 1, u, 0, 3);
        assertArrayEquals(new float[] {-2.25f, 1e-3f, 7f, 0f}, cpu.toFloats(u));
        cpu.fill(u, 3.0);
        assertArrayEquals(new float[] {3f, 3f, 3f, 3f}, cpu.toFloats(u));
        assertEquals(4, cpu.elementBytes());
        assertThrows(IllegalArgumentException.class, () -> cpu.upload(new float[3], u));
    }
}
