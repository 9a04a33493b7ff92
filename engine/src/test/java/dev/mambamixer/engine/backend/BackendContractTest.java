package dev.mambamixer.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mambamixer.engine.backend.cpu.CpuKernels;
import dev.mambamixer.engine.backend.cuda.CudaContract;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Backend} contract, one suite over every backend (cpu-scalar, cpu-vector, cuda when a
 * GPU is present; skipped without one) against the float64 {@link ReferenceBackend} on the same
 * float-representable random inputs. Outputs the contract says are overwritten start as NaN,
 * accumulated ones start random, so both conventions are checked.
 *
 * <p>Tolerances are per kernel and per backend family, as in the former CpuBackendParityTest and
 * CudaBackendParityTest: the CPU backends pass when max |got - ref| <= tol * (1 + max |ref|)
 * (every value finite); CUDA when max |got - ref| / max(max |ref|, 1e-6) <= tol. The CUDA leg
 * writes one "kernel" line per check to the gpu-check report (scripts/gpu-check.sh selects this
 * class) and runs the N <= 16 scan cases with the fast kernels on and off.
 */
class BackendContractTest {

    /** The CPU suite's default tolerance. */
    private static final double CPU_TOL = 1e-4;

    /** One backend under test; the CUDA one skips the test when there is no GPU. */
    record Subject(String name, Supplier<Backend> open, boolean cuda) {
        @Override public String toString() { return name; }
    }

    static Stream<Subject> backends() {
        return Stream.of(
            new Subject("cpu-scalar", () -> new CpuBackend(CpuKernels.scalar()), false),
            new Subject("cpu-vector", () -> {
                Assumptions.assumeTrue(CpuKernels.VECTOR_AVAILABLE, "Vector API unavailable");
                return new CpuBackend(CpuKernels.vector());
            }, false),
            new Subject("cuda", CudaContract::requireGpu, true));
    }

    /** Tolerance of one check: the CPU family's and the CUDA family's. */
    private record Tol(double cpu, double cuda) {
        static Tol exact() { return new Tol(0, 0); }

        /** The CPU suite's default with a CUDA tolerance. */
        static Tol cuda(double cuda) { return new Tol(CPU_TOL, cuda); }
    }

    private final ReferenceBackend ref = new ReferenceBackend();
    private Subject subject;
    private Backend be;
    private SplittableRandom rng;
    private final List<String> failures = new ArrayList<>();

    /** The same data on the backend under test (t) and the reference (r). */
    private record P(Tensor t, Tensor r) {}

    private void open(Subject s, long seed) {
        subject = s;
        be = s.open().get();
        rng = new SplittableRandom(seed);
    }

    // ================================================================ data and checks

    private double[] uniform(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return v;
    }

    private P both(double[] data, int... shape) { return new P(be.fromDoubles(data, shape), ref.fromDoubles(data, shape)); }

    private P rand(double lo, double hi, int... shape) { return both(uniform(Tensor.elementCount(shape), lo, hi), shape); }

    private P zeros(int... shape) { return new P(be.zeros(shape), ref.zeros(shape)); }

    private P nan(int... shape) {
        P p = zeros(shape);
        be.fill(p.t, Double.NaN);
        ref.fill(p.r, Double.NaN);
        return p;
    }

    private void check(String kernel, P p, Tol tol) { check(kernel, be.toDoubles(p.t), ref.toDoubles(p.r), tol); }

    private void check(String kernel, double got, double want, Tol tol) {
        check(kernel, new double[] {got}, new double[] {want}, tol);
    }

    private void check(String kernel, double[] got, double[] want, Tol tol) {
        if (got.length != want.length) {
            failures.add(kernel + ": " + got.length + " values, expected " + want.length);
            return;
        }
        double maxRef = 0, maxErr = 0;
        int worst = -1;
        boolean finite = true;
        for (int i = 0; i < want.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            if (!Double.isFinite(got[i])) finite = false;
            double err = Math.abs(got[i] - want[i]);
            if (Double.isNaN(err)) { maxErr = err; worst = i; break; }   // NaN fails every tolerance
            if (err > maxErr) { maxErr = err; worst = i; }
        }
        if (subject.cuda()) {
            double err = maxErr / Math.max(1e-6, maxRef);
            boolean pass = err <= tol.cuda();   // false for NaN
            CudaContract.report("kernel\t" + kernel + "\t" + String.format("%.3e", err) + "\t"
                + String.format("%.0e", tol.cuda()) + "\t" + (pass ? "PASS" : "FAIL"));
            if (!pass) failures.add(kernel + ": max rel err " + err + " > " + tol.cuda());
        } else {
            double bound = tol.cpu() * (1 + maxRef);
            if (!finite || !(maxErr <= bound))
                failures.add(kernel + ": max abs err " + maxErr + " at " + worst + " (got " + (worst < 0 ? 0 : got[worst])
                    + ", ref " + (worst < 0 ? 0 : want[worst]) + ") > " + bound + (finite ? "" : " (non-finite values)"));
        }
    }

    private void assertAll() {
        if (!failures.isEmpty()) fail(subject + ":\n" + String.join("\n", failures));
    }

    private static double[] roundF(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
        return r;
    }

    // ================================================================ memory

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void memoryRoundTrips(Subject s) {
        open(s, 0);
        double[] src = {1.5, -2.25, 1e-3, 7};
        Tensor t = be.fromDoubles(src, 2, 2);
        check("memory round trip", be.toDoubles(t), roundF(src), Tol.exact());
        Tensor u = be.zeros(4);
        be.copy(t, 1, u, 0, 3);
        check("copy (offset)", be.toDoubles(u), new double[] {-2.25, (float) 1e-3, 7, 0}, Tol.exact());
        be.fill(u, 3.0);
        check("fill small", be.toDoubles(u), new double[] {3, 3, 3, 3}, Tol.exact());
        assertEquals(4, be.elementBytes());
        assertThrows(IllegalArgumentException.class, () -> be.upload(new float[3], u));
        assertThrows(IllegalArgumentException.class, () -> be.copy(t, 3, u, 0, 2));
        assertAll();
    }

    // ================================================================ GEMM

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void gemm(Subject s) {
        open(s, 20240319);
        // {m, n, k}: odd sizes, a vector, tiles of 64, a column; all four transposes, offsets.
        int[][] sizes = {{67, 45, 83}, {1, 33, 7}, {128, 96, 256}, {40, 1, 1}, {37, 19, 23}, {64, 128, 32}};
        for (int[] mnk : sizes) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    String tag = "gemm " + (ta == 1 ? "T" : "N") + (tb == 1 ? "T" : "N") + " " + m + "x" + n + "x" + k;
                    P a = rand(-1, 1, m * k + 3), b = rand(-1, 1, k * n + 5);
                    // beta = 0 overwrites: C starts as NaN and must not leak through.
                    P c = nan(m * n + 2);
                    be.gemm(ta == 1, tb == 1, m, n, k, 0.7, a.t, 3, b.t, 5, 0.0, c.t, 2);
                    ref.gemm(ta == 1, tb == 1, m, n, k, 0.7, a.r, 3, b.r, 5, 0.0, c.r, 2);
                    // The first 2 elements (before cOff) stay NaN on both; compare the written part.
                    check(tag + " beta=0", Arrays.copyOfRange(be.toDoubles(c.t), 2, m * n + 2),
                        Arrays.copyOfRange(ref.toDoubles(c.r), 2, m * n + 2), Tol.cuda(1e-5));
                    P c2 = rand(-1, 1, m * n);
                    be.gemm(ta == 1, tb == 1, m, n, k, -1.3, a.t, 3, b.t, 5, 0.5, c2.t, 0);
                    ref.gemm(ta == 1, tb == 1, m, n, k, -1.3, a.r, 3, b.r, 5, 0.5, c2.r, 0);
                    check(tag + " beta=0.5", c2, Tol.cuda(1e-5));
                }
        }
        // k = 0: C = beta C.
        P a = zeros(1), b = zeros(1), c = rand(-1, 1, 2, 3);
        be.gemm(false, false, 2, 3, 0, 1.0, a.t, 0, b.t, 0, 0.5, c.t, 0);
        ref.gemm(false, false, 2, 3, 0, 1.0, a.r, 0, b.r, 0, 0.5, c.r, 0);
        check("gemm k=0", c, Tol.cuda(1e-6));
        Tensor x = be.zeros(4, 4), y = be.zeros(4, 4), z = be.zeros(4, 3);
        assertThrows(IllegalArgumentException.class, () -> be.gemm(false, false, 4, 4, 4, 1, x, 0, y, 0, 0, z, 0));
        assertAll();
    }

    // ================================================================ element-wise, reductions, layout

    /** Small (inline), medium, and large (above CpuBackend.PARALLEL_MIN: parallel blocks) sizes. */
    static Stream<org.junit.jupiter.params.provider.Arguments> backendsAndSizes() {
        return backends().flatMap(s -> Stream.of(1001, 10007, 3 * CpuBackend.PARALLEL_MIN + 17)
            .map(n -> org.junit.jupiter.params.provider.Arguments.of(s, n)));
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("backendsAndSizes")
    void elementwise(Subject s, int n) {
        open(s, n);
        String tag = " n=" + n;
        P a = rand(-6, 6, n), b = rand(-2, 2, n), out = nan(n);
        be.add(a.t, b.t, out.t); ref.add(a.r, b.r, out.r); check("binary add" + tag, out, Tol.cuda(1e-6));
        be.sub(a.t, b.t, out.t); ref.sub(a.r, b.r, out.r); check("binary sub" + tag, out, Tol.cuda(1e-6));
        be.mul(a.t, b.t, out.t); ref.mul(a.r, b.r, out.r); check("binary mul" + tag, out, Tol.cuda(1e-6));
        be.siluForward(a.t, out.t); ref.siluForward(a.r, out.r); check("silu fwd" + tag, out, Tol.cuda(1e-6));
        P dx = nan(n);
        be.siluBackward(a.t, b.t, dx.t); ref.siluBackward(a.r, b.r, dx.r); check("silu bwd" + tag, dx, Tol.cuda(1e-6));
        P y = rand(-1, 1, n);
        be.axpy(-0.37, a.t, 3, y.t, 1, n - 5); ref.axpy(-0.37, a.r, 3, y.r, 1, n - 5);
        check("axpy (offsets)" + tag, y, Tol.cuda(1e-6));
        be.scale(y.t, 1.7); ref.scale(y.r, 1.7); check("scale" + tag, y, Tol.cuda(1e-6));
        // y went through float axpy/scale: compare on the backend's own values.
        P yy = both(be.toDoubles(y.t), n);
        check("reduce dot" + tag, be.dot(a.t, yy.t), ref.dot(a.r, yy.r), new Tol(1e-6, 1e-9));
        check("reduce sumAbs" + tag, be.sumAbs(yy.t), ref.sumAbs(yy.r), new Tol(1e-6, 1e-9));

        P mask = nan(n);
        be.dropoutMask(mask.t, 0.8, 1234567L); ref.dropoutMask(mask.r, 0.8, 1234567L);
        check("dropoutMask (exact)" + tag, mask, Tol.exact());
        Tensor m0 = mask.t;
        assertThrows(IllegalArgumentException.class, () -> be.dropoutMask(m0, 0.0, 1L));
        P f = nan(n);
        be.fill(f.t, 3.5); ref.fill(f.r, 3.5); check("fill" + tag, f, Tol.exact());
        assertAll();
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("backendsAndSizes")
    void rowVectorKernels(Subject s, int approx) {
        open(s, approx + 1);
        for (int cols : new int[] {45, 96}) {
            int rows = approx / cols + 1;
            String tag = " " + rows + "x" + cols;
            P x = rand(-1, 1, rows, cols), v = rand(-1, 1, cols), acc = rand(-1, 1, cols);
            be.addRowVector(x.t, rows, cols, v.t); ref.addRowVector(x.r, rows, cols, v.r);
            check("addRowVector" + tag, x, Tol.cuda(1e-6));
            be.sumRows(x.t, rows, cols, acc.t); ref.sumRows(x.r, rows, cols, acc.r);   // accumulates
            check("sumRows (accumulate)" + tag, acc, Tol.cuda(1e-5));
        }
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void copyAndLayout(Subject s) {
        open(s, 5);
        // copy: across tensors, and overlapping within one tensor (both directions).
        P src = rand(-1, 1, 1000), dst = nan(1000);
        be.copy(src.t, 10, dst.t, 0, 1000 - 10); ref.copy(src.r, 10, dst.r, 0, 1000 - 10);
        be.copy(src.t, 0, dst.t, 990, 10); ref.copy(src.r, 0, dst.r, 990, 10);
        check("copy", dst, Tol.exact());
        be.copy(src.t, 0, src.t, 7, 900); ref.copy(src.r, 0, src.r, 7, 900);
        be.copy(src.t, 50, src.t, 3, 800); ref.copy(src.r, 50, src.r, 3, 800);
        check("copy (overlapping)", src, Tol.exact());
        // swapMiddle / flipSequence, small and above PARALLEL_MIN.
        int[][] shapes = {{3, 5, 7, 4}, {3, 7, 9, 32}, {120, 7, 9, 32}};
        for (int[] sh : shapes) {
            int a = sh[0], b = sh[1], c = sh[2], d = sh[3];
            String tag = " " + Arrays.toString(sh);
            P x = rand(-1, 1, a, b, c, d), out = nan(a, c, b, d);
            be.swapMiddle(x.t, a, b, c, d, out.t); ref.swapMiddle(x.r, a, b, c, d, out.r);
            check("swapMiddle" + tag, out, Tol.exact());
            P fl = nan(a * b, c, d);
            be.flipSequence(x.t, a * b, c, d, fl.t); ref.flipSequence(x.r, a * b, c, d, fl.r);
            check("flipSequence" + tag, fl, Tol.exact());
            Tensor xt = x.t;
            assertThrows(IllegalArgumentException.class, () -> be.flipSequence(xt, a * b, c, d, xt));
            P y = rand(-1, 1, a * b, c, d), sum = nan(a * b, c, d);
            be.addFlipped(y.t, x.t, a * b, c, d, sum.t); ref.addFlipped(y.r, x.r, a * b, c, d, sum.r);
            check("addFlipped" + tag, sum, Tol.cuda(1e-6));
            Tensor yt = y.t;
            assertThrows(IllegalArgumentException.class, () -> be.addFlipped(yt, xt, a * b, c, d, yt));
        }
        assertAll();
    }

    // ================================================================ conv, LayerNorm

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void causalConv(Subject s) {
        open(s, 7);
        // {S, L, E, K}: L > K barely, L < K, K = 1, odd E, the TSM2 time-mixer shape (parallel).
        int[][] cases = {{3, 29, 37, 4}, {2, 3, 5, 4}, {1, 40, 64, 1}, {2, 5, 3, 4}, {3, 2, 4, 4}, {64, 63, 64, 4}};
        for (int[] c : cases) {
            int S = c[0], l = c[1], e = c[2], k = c[3];
            String tag = " S" + S + " L" + l + " E" + e + " K" + k;
            P x = rand(-1, 1, S, l, e), w = rand(-1, 1, e, k), bias = rand(-1, 1, e), out = nan(S, l, e);
            be.causalConvForward(x.t, w.t, bias.t, S, l, e, k, out.t);
            ref.causalConvForward(x.r, w.r, bias.r, S, l, e, k, out.r);
            check("conv fwd" + tag, out, Tol.cuda(2e-6));
            P dout = rand(-1, 1, S, l, e), dx = nan(S, l, e), dw = rand(-1, 1, e, k), db = rand(-1, 1, e);
            be.causalConvBackward(x.t, w.t, dout.t, S, l, e, k, dx.t, dw.t, db.t);
            ref.causalConvBackward(x.r, w.r, dout.r, S, l, e, k, dx.r, dw.r, db.r);
            check("conv bwd dx" + tag, dx, Tol.cuda(2e-6));
            check("conv bwd dw" + tag, dw, Tol.cuda(1e-5));
            check("conv bwd dbias" + tag, db, Tol.cuda(1e-5));
        }
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void imageKernels(Subject s) {
        open(s, 17);
        // {B, H, W, E, k}: odd sizes, non-square, k = 1 and 5, a MNIST-preset shape (parallel).
        int[][] cases = {{2, 3, 5, 4, 3}, {1, 1, 1, 3, 3}, {3, 4, 4, 7, 1}, {2, 6, 5, 3, 5}, {32, 7, 7, 96, 3}};
        for (int[] c : cases) {
            int b = c[0], h = c[1], w = c[2], e = c[3], k = c[4];
            String tag = " B" + b + " H" + h + " W" + w + " E" + e + " k" + k;
            P x = rand(-1, 1, b, h, w, e), wt = rand(-1, 1, e, k, k), bias = rand(-1, 1, e), out = nan(b, h, w, e);
            be.depthwiseConv2dForward(x.t, wt.t, bias.t, b, h, w, e, k, out.t);
            ref.depthwiseConv2dForward(x.r, wt.r, bias.r, b, h, w, e, k, out.r);
            check("dwconv2d fwd" + tag, out, Tol.cuda(2e-6));
            P dout = rand(-1, 1, b, h, w, e), dx = nan(b, h, w, e), dw = rand(-1, 1, e, k, k), db = rand(-1, 1, e);
            be.depthwiseConv2dBackward(x.t, wt.t, dout.t, b, h, w, e, k, dx.t, dw.t, db.t);
            ref.depthwiseConv2dBackward(x.r, wt.r, dout.r, b, h, w, e, k, dx.r, dw.r, db.r);
            check("dwconv2d bwd dx" + tag, dx, Tol.cuda(2e-6));
            check("dwconv2d bwd dw" + tag, dw, Tol.cuda(1e-5));
            check("dwconv2d bwd dbias" + tag, db, Tol.cuda(1e-5));
            int ho = (h + 1) / 2, wo = (w + 1) / 2;
            P merged = nan(b, ho, wo, 4 * e);
            be.mergePatches2x2(x.t, b, h, w, e, merged.t);
            ref.mergePatches2x2(x.r, b, h, w, e, merged.r);
            check("merge2x2 fwd" + tag, merged, Tol.exact());
            P dm = rand(-1, 1, b, ho, wo, 4 * e), dmx = nan(b, h, w, e);
            be.mergePatches2x2Backward(dm.t, b, h, w, e, dmx.t);
            ref.mergePatches2x2Backward(dm.r, b, h, w, e, dmx.r);
            check("merge2x2 bwd" + tag, dmx, Tol.exact());
        }
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void layerNorm(Subject s) {
        open(s, 9);
        // {rows, n}: odd sizes, few long rows, the TSM2 Norm2D shapes (time mixer, variate-mixer-like).
        int[][] cases = {{37, 300}, {5, 7}, {2, 1000}, {5, 12}, {224, 2016}, {300, 224}};
        for (int[] c : cases) {
            int rows = c[0], n = c[1];
            String tag = " " + rows + "x" + n;
            P x = rand(-2, 3, rows, n), gamma = rand(0.5, 1.5, n), beta = rand(-0.5, 0.5, n);
            P out = nan(rows, n), mean = nan(rows), rstd = nan(rows);
            be.layerNormForward(x.t, gamma.t, beta.t, rows, n, 1e-5, out.t, mean.t, rstd.t);
            ref.layerNormForward(x.r, gamma.r, beta.r, rows, n, 1e-5, out.r, mean.r, rstd.r);
            check("layerNorm fwd out" + tag, out, Tol.cuda(1e-5));
            check("layerNorm fwd mean" + tag, mean, Tol.cuda(1e-6));
            check("layerNorm fwd rstd" + tag, rstd, Tol.cuda(1e-6));
            // Backward from the same saved statistics on both sides.
            P mu = both(roundF(ref.toDoubles(mean.r)), rows), rs = both(roundF(ref.toDoubles(rstd.r)), rows);
            P dout = rand(-1, 1, rows, n), dx = nan(rows, n), dg = rand(-1, 1, n), dbt = rand(-1, 1, n);
            be.layerNormBackward(x.t, gamma.t, mu.t, rs.t, dout.t, rows, n, dx.t, dg.t, dbt.t);
            ref.layerNormBackward(x.r, gamma.r, mu.r, rs.r, dout.r, rows, n, dx.r, dg.r, dbt.r);
            check("layerNorm bwd dx" + tag, dx, Tol.cuda(1e-5));
            check("layerNorm bwd dgamma" + tag, dg, Tol.cuda(1e-5));
            check("layerNorm bwd dbeta" + tag, dbt, Tol.cuda(1e-5));
        }
        assertAll();
    }

    // ================================================================ RevIN, patching, AdamW

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void revin(Subject s) {
        open(s, 11);
        int b = 4, t = 96, m = 7, h = 24;
        double eps = 1e-5;
        P x = rand(-2, 5, b, t, m), gamma = rand(0.5, 1.5, m), beta = rand(-0.5, 0.5, m);
        P out = nan(b, t, m), mean = nan(b, m), std = nan(b, m);
        be.revinNormalize(x.t, gamma.t, beta.t, b, t, m, eps, out.t, mean.t, std.t);
        ref.revinNormalize(x.r, gamma.r, beta.r, b, t, m, eps, out.r, mean.r, std.r);
        check("revin norm out", out, Tol.cuda(1e-5));
        check("revin norm mean", mean, Tol.cuda(1e-6));
        check("revin norm std", std, Tol.cuda(1e-6));
        // Backward and denormalise with identical statistics on both sides.
        P mu = both(roundF(ref.toDoubles(mean.r)), b, m), sd = both(roundF(ref.toDoubles(std.r)), b, m);
        P dout = rand(-1, 1, b, t, m), dg = rand(-1, 1, m), db = rand(-1, 1, m);
        be.revinNormalizeBackward(x.t, mu.t, sd.t, dout.t, b, t, m, dg.t, db.t);
        ref.revinNormalizeBackward(x.r, mu.r, sd.r, dout.r, b, t, m, dg.r, db.r);
        check("revin norm bwd dgamma", dg, Tol.cuda(1e-5));
        check("revin norm bwd dbeta", db, Tol.cuda(1e-5));
        P y = rand(-2, 2, b, h, m), yOut = nan(b, h, m);
        be.revinDenormalize(y.t, gamma.t, beta.t, mu.t, sd.t, b, h, m, eps, yOut.t);
        ref.revinDenormalize(y.r, gamma.r, beta.r, mu.r, sd.r, b, h, m, eps, yOut.r);
        check("revin denorm out", yOut, Tol.cuda(2e-6));
        P dOut = rand(-1, 1, b, h, m), dy = nan(b, h, m), dg2 = rand(-1, 1, m), db2 = rand(-1, 1, m);
        be.revinDenormalizeBackward(y.t, gamma.t, beta.t, sd.t, dOut.t, b, h, m, eps, dy.t, dg2.t, db2.t);
        ref.revinDenormalizeBackward(y.r, gamma.r, beta.r, sd.r, dOut.r, b, h, m, eps, dy.r, dg2.r, db2.r);
        check("revin denorm bwd dy", dy, Tol.cuda(2e-6));
        check("revin denorm bwd dgamma", dg2, Tol.cuda(1e-5));
        check("revin denorm bwd dbeta", db2, Tol.cuda(1e-5));
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void patchify(Subject s) {
        open(s, 12);
        // {B, T, M, P, S}, each without and with PatchTST end padding (one more patch).
        int[][] cases = {{2, 37, 3, 8, 4}, {3, 64, 5, 16, 8}};
        for (int[] c : cases) {
            int b = c[0], t = c[1], m = c[2], p = c[3], st = c[4];
            for (int np : new int[] {(t - p) / st + 1, (t - p) / st + 2}) {
                String tag = " T" + t + " P" + p + " S" + st + " Np=" + np;
                P x = rand(-1, 1, b, t, m), out = nan(b, m, np, p);
                be.patchify(x.t, b, t, m, p, st, np, out.t);
                ref.patchify(x.r, b, t, m, p, st, np, out.r);
                check("patchify fwd" + tag, out, Tol.exact());
                P dout = rand(-1, 1, b, m, np, p), dx = nan(b, t, m);
                be.patchifyBackward(dout.t, b, t, m, p, st, np, dx.t);
                ref.patchifyBackward(dout.r, b, t, m, p, st, np, dx.r);
                check("patchify bwd" + tag, dx, Tol.cuda(1e-6));
            }
        }
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void adamw(Subject s) {
        open(s, 13);
        for (int n : new int[] {333, 1000, 2 * CpuBackend.PARALLEL_MIN}) {
            String tag = n == 1000 ? "" : " n=" + n;
            P param = rand(-1, 1, n), m = zeros(n), v = zeros(n);
            for (int step = 1; step <= 3; step++) {
                P grad = rand(-0.1, 0.1, n);
                be.adamw(param.t, grad.t, m.t, v.t, 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
                ref.adamw(param.r, grad.r, m.r, v.r, 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
            }
            check("adamw param" + tag, param, new Tol(1e-6, 1e-6));
            check("adamw m" + tag, m, Tol.cuda(1e-5));
            check("adamw v" + tag, v, Tol.cuda(1e-5));
        }
        Tensor p0 = be.zeros(3);
        assertThrows(IllegalArgumentException.class, () -> be.adamw(p0, p0, p0, p0, 1e-3, 0.9, 0.999, 1e-8, 0, 0, 1));
        assertAll();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void multiTensor(Subject s) {
        open(s, 14);
        // adamwAll / sumOfSquares / zeroAll over a list, against the reference's per-tensor loop;
        // two steps on the same lists (CUDA: cached device table), then a different list.
        int[] sizes = {1000, 1, 300, 64};
        double[] wd = {0.01, 0, 0.1, 0.01};
        List<P> ps = new ArrayList<>(), gs = new ArrayList<>(), ms = new ArrayList<>(), vs = new ArrayList<>();
        for (int n : sizes) {
            ps.add(rand(-1, 1, n));
            gs.add(rand(-0.1, 0.1, n));
            ms.add(zeros(n));
            vs.add(zeros(n));
        }
        var pt = side(ps, true); var gt = side(gs, true); var mt = side(ms, true); var vt = side(vs, true);
        for (int step = 1; step <= 2; step++) {
            be.adamwAll(pt, gt, mt, vt, 1e-3, 0.9, 0.999, 1e-8, wd, step, 0.5);
            ref.adamwAll(side(ps, false), side(gs, false), side(ms, false), side(vs, false), 1e-3, 0.9, 0.999, 1e-8, wd,
                step, 0.5);
        }
        for (int i = 0; i < sizes.length; i++) {
            check("adamwAll param " + i, ps.get(i), new Tol(1e-6, 1e-6));
            check("adamwAll m " + i, ms.get(i), Tol.cuda(1e-5));
            check("adamwAll v " + i, vs.get(i), Tol.cuda(1e-5));
        }
        double want = ref.sumOfSquares(side(gs, false));
        check("sumOfSquares", be.sumOfSquares(gt), want, new Tol(1e-6, 1e-6));
        check("sumOfSquares (cached table)", be.sumOfSquares(gt), want, new Tol(1e-6, 1e-6));
        check("sumOfSquares (other list)", be.sumOfSquares(List.of(gt.get(2), gt.get(0))),
            ref.dot(gs.get(2).r, gs.get(2).r) + ref.dot(gs.get(0).r, gs.get(0).r), new Tol(1e-6, 1e-6));
        be.zeroAll(gt);
        ref.zeroAll(side(gs, false));
        for (int i = 0; i < sizes.length; i++) check("zeroAll " + i, gs.get(i), Tol.exact());
        assertAll();
    }

    private static List<Tensor> side(List<P> l, boolean tested) { return l.stream().map(p -> tested ? p.t : p.r).toList(); }

    // ================================================================ selective scan (MODEL.md §3.2, §3.3)

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void selectiveScan(Subject s) {
        open(s, 15);
        // {S, L, E, N, chunk, gate}. From the CPU suite: one chunk with N below the vector width,
        // a chunk that does not divide L, N with a scalar tail, chunk > L, each with and without
        // the gate; the large TSM2-like case runs many blocks on several threads. From the CUDA
        // suite: warps split across sequences (E = 40, 33), several chunks with a partial last
        // one, each register-size variant (N <= 16, 32, 64), two channel blocks per sequence
        // (E = 160: dB/dC by atomics), chunk 70 > the 16-step tile.
        int[][] cases = {{2, 6, 3, 4, 6, 1}, {2, 6, 3, 4, 6, 0}, {3, 13, 5, 16, 4, 1}, {3, 13, 5, 16, 4, 0},
                         {2, 7, 4, 19, 3, 1}, {2, 7, 4, 19, 3, 0}, {2, 9, 4, 16, 64, 1}, {2, 9, 4, 16, 64, 0},
                         {64, 63, 64, 16, 16, 1},
                         {3, 37, 40, 16, 8, 1}, {2, 50, 64, 5, 64, 0}, {2, 20, 33, 40, 7, 1}, {4, 16, 32, 32, 16, 1},
                         {2, 19, 160, 16, 7, 1}, {1, 70, 13, 24, 70, 1}};
        for (int[] c : cases) scanCase(new ScanDims(c[0], c[1], c[2], c[3], c[4]), c[5] == 1);
        // N <= 16: on CUDA the fast kernels (scan_fwd_f16 / scan_bwd_f16) and, with scanFast off,
        // the previous n16 ones: the TSM2 time-mixer shape (L63 E64 chunk 64), the large-model
        // width E = 1536 (48 warps per sequence, 24 forward blocks), chunk 80 > 64 (fast forward,
        // n16 backward).
        int[][] fast = {{4, 63, 64, 16, 64, 1}, {2, 300, 1536, 16, 64, 1}, {2, 100, 40, 16, 80, 1}, {3, 37, 40, 16, 8, 1}};
        ScanDims batched = new ScanDims(3, 21, 100, 16, 6);
        if (!subject.cuda()) {
            for (int[] c : fast) scanCase(new ScanDims(c[0], c[1], c[2], c[3], c[4]), c[5] == 1);
            scanCase(batched, true);
        } else {
            boolean keepFast = CudaContract.scanFast();
            try {
                for (boolean on : new boolean[] {true, false}) {
                    CudaContract.scanFast(on);
                    for (int[] c : fast) scanCase(new ScanDims(c[0], c[1], c[2], c[3], c[4]), c[5] == 1);
                }
            } finally {
                CudaContract.scanFast(keepFast);
            }
            // Several backward launches (scratch limit lowered: one sequence per N <= 32 launch).
            long keep = CudaContract.scanScratchLimit();
            try {
                CudaContract.scanFast(false);   // the fast N <= 16 backward has no scratch to batch
                CudaContract.scanScratchLimit(4L * (batched.chunk() + 1) * batched.n() * CudaContract.scanBlock());
                scanCase(batched, true);
            } finally {
                CudaContract.scanScratchLimit(keep);
                CudaContract.scanFast(keepFast);
            }
        }
        assertAll();
    }

    private void scanCase(ScanDims d, boolean gate) {
        int S = d.s(), L = d.l(), E = d.e(), N = d.n();
        String tag = " [S" + S + " L" + L + " E" + E + " N" + N + " c" + d.chunk() + (gate ? " z" : "")
            + (subject.cuda() ? CudaContract.scanPath(d) : "") + "]";
        P u = rand(-1, 1, S, L, E);
        double[] dr = uniform(S * L * E, -4, 0.5);
        for (int i = 0; i < dr.length; i += 97) dr[i] = 24;   // above the softplus threshold
        dr[dr.length / 2] = 21;
        P deltaRaw = both(dr, S, L, E);
        double[] al = new double[E * N];
        for (int e = 0; e < E; e++)
            for (int n = 0; n < N; n++) al[e * N + n] = (float) (Math.log(n + 1) + 0.2 * (rng.nextDouble() - 0.5));
        P aLog = both(al, E, N);
        P bm = rand(-1, 1, S, L, N), cm = rand(-1, 1, S, L, N), dv = rand(-1, 1, E), db = rand(-0.5, 0.5, E);
        P z = gate ? rand(-2, 2, S, L, E) : null;
        P out = nan(S, L, E), ck = nan(d.checkpointShape());
        ScanInputs inT = new ScanInputs(u.t, deltaRaw.t, aLog.t, bm.t, cm.t, dv.t, gate ? z.t : null, db.t);
        ScanInputs inR = new ScanInputs(u.r, deltaRaw.r, aLog.r, bm.r, cm.r, dv.r, gate ? z.r : null, db.r);
        be.scanForward(d, inT, out.t, ck.t);
        ref.scanForward(d, inR, out.r, ck.r);
        check("scan fwd out" + tag, out, Tol.cuda(2e-5));
        check("scan fwd checkpoints" + tag, ck, Tol.cuda(2e-5));

        P dout = rand(-1, 1, S, L, E);
        P du = nan(S, L, E), ddr = nan(S, L, E), dB = nan(S, L, N), dC = nan(S, L, N);
        P dz = gate ? nan(S, L, E) : null;
        // Accumulated: small nonzero start values, so "+=" is checked without hiding errors.
        P dAl = rand(-0.01, 0.01, E, N), dD = rand(-0.01, 0.01, E), dDb = rand(-0.01, 0.01, E);
        be.scanBackward(d, inT, ck.t, dout.t, new ScanGrads(du.t, ddr.t, dAl.t, dB.t, dC.t, dD.t, gate ? dz.t : null, dDb.t));
        ref.scanBackward(d, inR, ck.r, dout.r, new ScanGrads(du.r, ddr.r, dAl.r, dB.r, dC.r, dD.r, gate ? dz.r : null, dDb.r));
        check("scan bwd du" + tag, du, Tol.cuda(1e-4));
        check("scan bwd dDeltaRaw" + tag, ddr, Tol.cuda(1e-4));
        check("scan bwd dALog" + tag, dAl, Tol.cuda(1e-4));
        check("scan bwd dB" + tag, dB, Tol.cuda(1e-4));
        check("scan bwd dC" + tag, dC, Tol.cuda(1e-4));
        check("scan bwd dD" + tag, dD, Tol.cuda(1e-4));
        check("scan bwd dDeltaBias" + tag, dDb, Tol.cuda(1e-4));
        if (gate) check("scan bwd dz" + tag, dz, Tol.cuda(1e-4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void scanRejectsWrongShapesNamingTheArgument(Subject s) {
        open(s, 16);
        ScanDims dims = new ScanDims(2, 4, 3, 4, 2);
        Tensor u = be.zeros(2, 4, 3), bm = be.zeros(2, 4, 4), aLog = be.zeros(3, 4), e3 = be.zeros(3);
        Tensor out = be.zeros(2, 4, 3), badCk = be.zeros(2, 1, 3, 4);   // needs 2 chunks
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () ->
            be.scanForward(dims, new ScanInputs(u, u, aLog, bm, bm, e3, null, e3), out, badCk));
        assertTrue(ex.getMessage().contains("scan checkpoints"), ex.getMessage());
        Tensor wrongU = be.zeros(2, 4, 4);
        ex = assertThrows(IllegalArgumentException.class, () ->
            be.scanForward(dims, new ScanInputs(wrongU, u, aLog, bm, bm, e3, null, e3), out, be.zeros(dims.checkpointShape())));
        assertTrue(ex.getMessage().contains("scan u"), ex.getMessage());
        Tensor foreign = ref.zeros(2, 4, 3);   // a reference tensor is not a tensor of this backend
        assertThrows(IllegalArgumentException.class, () ->
            be.scanForward(dims, new ScanInputs(foreign, u, aLog, bm, bm, e3, null, e3), out, be.zeros(dims.checkpointShape())));
    }
}
