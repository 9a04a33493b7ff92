package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every CudaBackend kernel against the float64 {@link ReferenceBackend} on random inputs (the
 * inputs are rounded to float32 first, so only the kernels' own arithmetic differs). Output
 * buffers that the contract says are overwritten start as NaN, accumulated ones start random,
 * so both conventions are checked. Skipped (not failed) when there is no GPU.
 */
class CudaBackendParityTest {

    private final ReferenceBackend ref = new ReferenceBackend();
    private CudaBackend gpu;
    private SplittableRandom rng;
    private CudaTestSupport.Checks checks;

    /** The same data on both backends. */
    private record P(Tensor r, Tensor g) {}

    @BeforeEach
    void setUp() {
        gpu = CudaTestSupport.requireGpu();
        rng = new SplittableRandom(20240319);
        checks = new CudaTestSupport.Checks();
    }

    private double[] uniform(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return v;
    }

    private P both(double[] data, int... shape) {
        return new P(ref.fromDoubles(data, shape), gpu.fromDoubles(data, shape));
    }

    private P rand(double lo, double hi, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return both(uniform(n, lo, hi), shape);
    }

    private P nan(int... shape) {
        P p = both(new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)], shape);
        ref.fill(p.r, Double.NaN);
        gpu.fill(p.g, Double.NaN);
        return p;
    }

    private void check(String kernel, P p, double tol) {
        checks.check(kernel, gpu.toDoubles(p.g), ref.toDoubles(p.r), tol);
    }

    // ================================================================ GEMM

    @Test
    void gemm() {
        int[][] sizes = {{67, 45, 83}, {1, 33, 7}, {128, 96, 256}, {40, 1, 1}};
        for (int[] mnk : sizes) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            for (int ta = 0; ta < 2; ta++)
                for (int tb = 0; tb < 2; tb++) {
                    String tag = "gemm " + (ta == 1 ? "T" : "N") + (tb == 1 ? "T" : "N") + " " + m + "x" + n + "x" + k;
                    P a = rand(-1, 1, m * k + 3), b = rand(-1, 1, k * n + 5);
                    // beta = 0 overwrites: C starts as NaN and must not leak through.
                    P c = nan(m * n + 2);
                    ref.gemm(ta == 1, tb == 1, m, n, k, 0.7, a.r, 3, b.r, 5, 0.0, c.r, 2);
                    gpu.gemm(ta == 1, tb == 1, m, n, k, 0.7, a.g, 3, b.g, 5, 0.0, c.g, 2);
                    // The first 2 elements (before cOff) stay NaN on both; compare the written part.
                    checks.check(tag + " beta=0", Arrays.copyOfRange(gpu.toDoubles(c.g), 2, m * n + 2),
                        Arrays.copyOfRange(ref.toDoubles(c.r), 2, m * n + 2), 1e-5);
                    P c2 = rand(-1, 1, m * n);
                    ref.gemm(ta == 1, tb == 1, m, n, k, -1.3, a.r, 3, b.r, 5, 0.5, c2.r, 0);
                    gpu.gemm(ta == 1, tb == 1, m, n, k, -1.3, a.g, 3, b.g, 5, 0.5, c2.g, 0);
                    check(tag + " beta=0.5", c2, 1e-5);
                }
        }
        checks.assertAll();
    }

    // ================================================================ element-wise, reductions, layout

    @Test
    void elementwiseAndReductions() {
        int n = 10007;
        P a = rand(-3, 3, n), b = rand(-3, 3, n), out = nan(n);
        ref.add(a.r, b.r, out.r); gpu.add(a.g, b.g, out.g); check("binary add", out, 1e-6);
        ref.sub(a.r, b.r, out.r); gpu.sub(a.g, b.g, out.g); check("binary sub", out, 1e-6);
        ref.mul(a.r, b.r, out.r); gpu.mul(a.g, b.g, out.g); check("binary mul", out, 1e-6);

        P y = rand(-1, 1, n);
        ref.axpy(-0.37, a.r, 11, y.r, 100, 5000); gpu.axpy(-0.37, a.g, 11, y.g, 100, 5000);
        check("axpy (offsets)", y, 1e-6);
        ref.scale(y.r, 1.7); gpu.scale(y.g, 1.7); check("scale", y, 1e-6);

        ref.siluForward(a.r, out.r); gpu.siluForward(a.g, out.g); check("silu fwd", out, 1e-6);
        P dx = nan(n);
        ref.siluBackward(a.r, b.r, dx.r); gpu.siluBackward(a.g, b.g, dx.g); check("silu bwd", dx, 1e-6);

        P big = rand(-1, 1, 100003), big2 = rand(-1, 1, 100003);
        checks.check("reduce dot", gpu.dot(big.g, big2.g), ref.dot(big.r, big2.r), 1e-9);
        checks.check("reduce sumAbs", gpu.sumAbs(big.g), ref.sumAbs(big.r), 1e-9);

        int rows = 3001, cols = 45;
        P x = rand(-1, 1, rows * cols), v = rand(-1, 1, cols);
        ref.addRowVector(x.r, rows, cols, v.r); gpu.addRowVector(x.g, rows, cols, v.g); check("addRowVector", x, 1e-6);
        P acc = rand(-1, 1, cols);   // sumRows accumulates
        ref.sumRows(x.r, rows, cols, acc.r); gpu.sumRows(x.g, rows, cols, acc.g); check("sumRows (accumulate)", acc, 1e-5);

        P mask = nan(4099);
        ref.dropoutMask(mask.r, 0.8, 1234567L); gpu.dropoutMask(mask.g, 0.8, 1234567L);
        check("dropoutMask (exact)", mask, 0.0);

        P f = nan(777);
        ref.fill(f.r, 3.5); gpu.fill(f.g, 3.5); check("fill", f, 0.0);

        // copy: across tensors, and overlapping within one tensor (both directions).
        P src = rand(-1, 1, 1000), dst = nan(1000);
        ref.copy(src.r, 10, dst.r, 0, 1000 - 10);
        gpu.copy(src.g, 10, dst.g, 0, 1000 - 10);
        ref.copy(src.r, 0, dst.r, 990, 10);
        gpu.copy(src.g, 0, dst.g, 990, 10);
        check("copy", dst, 0.0);
        ref.copy(src.r, 0, src.r, 7, 900); gpu.copy(src.g, 0, src.g, 7, 900);
        ref.copy(src.r, 50, src.r, 3, 800); gpu.copy(src.g, 50, src.g, 3, 800);
        check("copy (overlapping)", src, 0.0);

        P sw = rand(-1, 1, 3 * 5 * 7 * 4), swOut = nan(3 * 7 * 5 * 4);
        ref.swapMiddle(sw.r, 3, 5, 7, 4, swOut.r); gpu.swapMiddle(sw.g, 3, 5, 7, 4, swOut.g);
        check("swapMiddle", swOut, 0.0);
        P fl = rand(-1, 1, 3 * 11 * 6), flOut = nan(3 * 11 * 6);
        ref.flipSequence(fl.r, 3, 11, 6, flOut.r); gpu.flipSequence(fl.g, 3, 11, 6, flOut.g);
        check("flipSequence", flOut, 0.0);
        checks.assertAll();
    }

    // ================================================================ conv, LayerNorm

    @Test
    void causalConv() {
        int[][] cases = {{3, 29, 37, 4}, {2, 3, 5, 4}, {1, 40, 64, 1}};
        for (int[] c : cases) {
            int s = c[0], l = c[1], e = c[2], k = c[3];
            String tag = " S" + s + " L" + l + " E" + e + " K" + k;
            P x = rand(-1, 1, s, l, e), w = rand(-1, 1, e, k), bias = rand(-1, 1, e), out = nan(s, l, e);
            ref.causalConvForward(x.r, w.r, bias.r, s, l, e, k, out.r);
            gpu.causalConvForward(x.g, w.g, bias.g, s, l, e, k, out.g);
            check("conv fwd" + tag, out, 2e-6);
            P dout = rand(-1, 1, s, l, e), dx = nan(s, l, e), dw = rand(-1, 1, e, k), db = rand(-1, 1, e);
            ref.causalConvBackward(x.r, w.r, dout.r, s, l, e, k, dx.r, dw.r, db.r);
            gpu.causalConvBackward(x.g, w.g, dout.g, s, l, e, k, dx.g, dw.g, db.g);
            check("conv bwd dx" + tag, dx, 2e-6);
            check("conv bwd dw" + tag, dw, 1e-5);
            check("conv bwd dbias" + tag, db, 1e-5);
        }
        checks.assertAll();
    }

    @Test
    void layerNorm() {
        int[][] cases = {{37, 300}, {5, 7}, {2, 1000}};
        for (int[] c : cases) {
            int rows = c[0], n = c[1];
            String tag = " " + rows + "x" + n;
            P x = rand(-2, 3, rows, n), gamma = rand(0.5, 1.5, n), beta = rand(-0.5, 0.5, n);
            P out = nan(rows, n), mean = nan(rows), rstd = nan(rows);
            ref.layerNormForward(x.r, gamma.r, beta.r, rows, n, 1e-5, out.r, mean.r, rstd.r);
            gpu.layerNormForward(x.g, gamma.g, beta.g, rows, n, 1e-5, out.g, mean.g, rstd.g);
            check("layerNorm fwd out" + tag, out, 1e-5);
            check("layerNorm fwd mean" + tag, mean, 1e-6);
            check("layerNorm fwd rstd" + tag, rstd, 1e-6);
            P dout = rand(-1, 1, rows, n), dx = nan(rows, n), dg = rand(-1, 1, n), dbt = rand(-1, 1, n);
            ref.layerNormBackward(x.r, gamma.r, mean.r, rstd.r, dout.r, rows, n, dx.r, dg.r, dbt.r);
            gpu.layerNormBackward(x.g, gamma.g, mean.g, rstd.g, dout.g, rows, n, dx.g, dg.g, dbt.g);
            check("layerNorm bwd dx" + tag, dx, 1e-5);
            check("layerNorm bwd dgamma" + tag, dg, 1e-5);
            check("layerNorm bwd dbeta" + tag, dbt, 1e-5);
        }
        checks.assertAll();
    }

    // ================================================================ RevIN, patching, AdamW

    @Test
    void revin() {
        int b = 4, t = 96, m = 7, h = 24;
        double eps = 1e-5;
        P x = rand(-2, 5, b, t, m), gamma = rand(0.5, 1.5, m), beta = rand(-0.5, 0.5, m);
        P out = nan(b, t, m), mean = nan(b, m), std = nan(b, m);
        ref.revinNormalize(x.r, gamma.r, beta.r, b, t, m, eps, out.r, mean.r, std.r);
        gpu.revinNormalize(x.g, gamma.g, beta.g, b, t, m, eps, out.g, mean.g, std.g);
        check("revin norm out", out, 1e-5);
        check("revin norm mean", mean, 1e-6);
        check("revin norm std", std, 1e-6);
        P dout = rand(-1, 1, b, t, m), dg = rand(-1, 1, m), db = rand(-1, 1, m);
        ref.revinNormalizeBackward(x.r, mean.r, std.r, dout.r, b, t, m, dg.r, db.r);
        gpu.revinNormalizeBackward(x.g, mean.g, std.g, dout.g, b, t, m, dg.g, db.g);
        check("revin norm bwd dgamma", dg, 1e-5);
        check("revin norm bwd dbeta", db, 1e-5);

        // Denormalise with identical statistics on both sides.
        P mu = both(roundF(ref.toDoubles(mean.r)), b, m), sd = both(roundF(ref.toDoubles(std.r)), b, m);
        P y = rand(-2, 2, b, h, m), yOut = nan(b, h, m);
        ref.revinDenormalize(y.r, gamma.r, beta.r, mu.r, sd.r, b, h, m, eps, yOut.r);
        gpu.revinDenormalize(y.g, gamma.g, beta.g, mu.g, sd.g, b, h, m, eps, yOut.g);
        check("revin denorm out", yOut, 2e-6);
        P dOut = rand(-1, 1, b, h, m), dy = nan(b, h, m), dg2 = rand(-1, 1, m), db2 = rand(-1, 1, m);
        ref.revinDenormalizeBackward(y.r, gamma.r, beta.r, sd.r, dOut.r, b, h, m, eps, dy.r, dg2.r, db2.r);
        gpu.revinDenormalizeBackward(y.g, gamma.g, beta.g, sd.g, dOut.g, b, h, m, eps, dy.g, dg2.g, db2.g);
        check("revin denorm bwd dy", dy, 2e-6);
        check("revin denorm bwd dgamma", dg2, 1e-5);
        check("revin denorm bwd dbeta", db2, 1e-5);
        checks.assertAll();
    }

    private static double[] roundF(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
        return r;
    }

    @Test
    void patchify() {
        int b = 2, t = 37, m = 3, p = 8, s = 4;
        for (int np : new int[] {(t - p) / s + 1, (t - p) / s + 2}) {   // without / with end padding
            String tag = " Np=" + np;
            P x = rand(-1, 1, b, t, m), out = nan(b, m, np, p);
            ref.patchify(x.r, b, t, m, p, s, np, out.r);
            gpu.patchify(x.g, b, t, m, p, s, np, out.g);
            check("patchify fwd" + tag, out, 0.0);
            P dout = rand(-1, 1, b, m, np, p), dx = nan(b, t, m);
            ref.patchifyBackward(dout.r, b, t, m, p, s, np, dx.r);
            gpu.patchifyBackward(dout.g, b, t, m, p, s, np, dx.g);
            check("patchify bwd" + tag, dx, 1e-6);
        }
        checks.assertAll();
    }

    @Test
    void adamw() {
        int n = 1000;
        P param = rand(-1, 1, n), m = both(new double[n], n), v = both(new double[n], n);
        for (int step = 1; step <= 3; step++) {
            P grad = rand(-0.1, 0.1, n);
            ref.adamw(param.r, grad.r, m.r, v.r, 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
            gpu.adamw(param.g, grad.g, m.g, v.g, 1e-3, 0.9, 0.999, 1e-8, 0.01, step, 0.5);
        }
        check("adamw param", param, 1e-6);
        check("adamw m", m, 1e-5);
        check("adamw v", v, 1e-5);
        checks.assertAll();
    }

    @Test
    void multiTensor() {
        // adamwAll / sumOfSquares / zeroAll: one launch over a list, against the reference's
        // per-tensor loop; two steps on the same lists (cached device table), then new lists.
        int[] sizes = {1000, 1, 300, 64};
        double[] wd = {0.01, 0, 0.1, 0.01};
        java.util.List<P> ps = new java.util.ArrayList<>(), gs = new java.util.ArrayList<>(),
            ms = new java.util.ArrayList<>(), vs = new java.util.ArrayList<>();
        for (int n : sizes) {
            ps.add(rand(-1, 1, n));
            gs.add(rand(-0.1, 0.1, n));
            ms.add(both(new double[n], n));
            vs.add(both(new double[n], n));
        }
        java.util.function.BiFunction<java.util.List<P>, Boolean, java.util.List<Tensor>> side =
            (l, g) -> l.stream().map(p -> g ? p.g : p.r).toList();
        var pg = side.apply(ps, true); var gg = side.apply(gs, true); var mg = side.apply(ms, true); var vg = side.apply(vs, true);
        for (int step = 1; step <= 2; step++) {
            ref.adamwAll(side.apply(ps, false), side.apply(gs, false), side.apply(ms, false), side.apply(vs, false),
                1e-3, 0.9, 0.999, 1e-8, wd, step, 0.5);
            gpu.adamwAll(pg, gg, mg, vg, 1e-3, 0.9, 0.999, 1e-8, wd, step, 0.5);
        }
        for (int i = 0; i < sizes.length; i++) {
            check("adamwAll param " + i, ps.get(i), 1e-6);
            check("adamwAll m " + i, ms.get(i), 1e-5);
            check("adamwAll v " + i, vs.get(i), 1e-5);
        }
        double want = ref.sumOfSquares(side.apply(gs, false)), got = gpu.sumOfSquares(gg);
        checks.check("sumOfSquares", new double[] {got}, new double[] {want}, 1e-6);
        got = gpu.sumOfSquares(gg);   // cached table
        checks.check("sumOfSquares (cached table)", new double[] {got}, new double[] {want}, 1e-6);
        var sub = java.util.List.of(gg.get(2), gg.get(0));   // a different list: a new table
        got = gpu.sumOfSquares(sub);
        checks.check("sumOfSquares (other list)", new double[] {got},
            new double[] {ref.dot(gs.get(2).r, gs.get(2).r) + ref.dot(gs.get(0).r, gs.get(0).r)}, 1e-6);
        gpu.zeroAll(gg);
        ref.zeroAll(side.apply(gs, false));
        for (int i = 0; i < sizes.length; i++) check("zeroAll " + i, gs.get(i), 0);
        checks.assertAll();
    }

    // ================================================================ selective scan (spec §3.2, §3.3)

    @Test
    void selectiveScan() {
        // {S, L, E, N, chunk, gate}: warps split across sequences (E=40, 33), several chunks with
        // a partial last one, chunk > L, each register-size variant (N <= 16, 32, 64).
        // E = 160: two channel blocks per sequence (dB/dC by atomics); chunk 70 > the 16-step tile.
        int[][] cases = {{3, 37, 40, 16, 8, 1}, {2, 50, 64, 5, 64, 0}, {2, 20, 33, 40, 7, 1}, {4, 16, 32, 32, 16, 1},
                         {2, 19, 160, 16, 7, 1}, {1, 70, 13, 24, 70, 1}};
        for (int[] c : cases) scanCase(new ScanDims(c[0], c[1], c[2], c[3], c[4]), c[5] == 1);
        // N <= 16 fast kernels (scan_fwd_f16 / scan_bwd_f16) and, with scanFast off, the previous
        // n16 ones: the TSM2 time-mixer shape (L63 E64 chunk 64), the large-model width E = 1536
        // (48 warps per sequence, 24 forward blocks), chunk 80 > 64 (fast forward, n16 backward).
        int[][] fast = {{4, 63, 64, 16, 64, 1}, {2, 300, 1536, 16, 64, 1}, {2, 100, 40, 16, 80, 1}, {3, 37, 40, 16, 8, 1}};
        boolean keepFast = CudaBackend.scanFast;
        try {
            for (boolean on : new boolean[] {true, false}) {
                CudaBackend.scanFast = on;
                for (int[] c : fast) scanCase(new ScanDims(c[0], c[1], c[2], c[3], c[4]), c[5] == 1);
            }
        } finally {
            CudaBackend.scanFast = keepFast;
        }
        // Several backward launches (scratch limit lowered: one sequence per N <= 32 launch).
        long keep = CudaBackend.scanScratchLimit;
        try {
            CudaBackend.scanFast = false;   // the fast N <= 16 backward has no scratch to batch
            ScanDims dims = new ScanDims(3, 21, 100, 16, 6);
            CudaBackend.scanScratchLimit = 4L * (dims.chunk() + 1) * dims.n() * CudaBackend.SCAN_BLOCK;
            scanCase(dims, true);
        } finally {
            CudaBackend.scanScratchLimit = keep;
            CudaBackend.scanFast = keepFast;
        }
        checks.assertAll();
    }

    private void scanCase(ScanDims d, boolean gate) {
        int S = d.s(), L = d.l(), E = d.e(), N = d.n();
        String tag = " [S" + S + " L" + L + " E" + E + " N" + N + " c" + d.chunk() + (gate ? " z" : "")
            + (CudaBackend.scanFastBackward(d) ? " fast" : CudaBackend.scanFastForward(d) ? " fast fwd"
               : (N <= 32 ? CudaBackend.scanRegBatch(d) < S : CudaBackend.scanBackwardBatch(d) < S * E) ? " batched" : "") + "]";
        P u = rand(-1, 1, S, L, E);
        double[] dr = uniform(S * L * E, -4, 0.5);
        dr[0] = 25; dr[dr.length / 2] = 21;        // above the softplus threshold
        P deltaRaw = both(dr, S, L, E);
        double[] al = new double[E * N];
        for (int e = 0; e < E; e++)
            for (int n = 0; n < N; n++) al[e * N + n] = (float) (Math.log(n + 1) + 0.2 * (rng.nextDouble() - 0.5));
        P aLog = both(al, E, N);
        P bm = rand(-1, 1, S, L, N), cm = rand(-1, 1, S, L, N), dv = rand(-1, 1, E), db = rand(-0.5, 0.5, E);
        P z = gate ? rand(-2, 2, S, L, E) : null;
        P out = nan(S, L, E), ck = nan(d.checkpointShape());
        ref.scanForward(d, new ScanInputs(u.r, deltaRaw.r, aLog.r, bm.r, cm.r, dv.r, gate ? z.r : null, db.r), out.r, ck.r);
        gpu.scanForward(d, new ScanInputs(u.g, deltaRaw.g, aLog.g, bm.g, cm.g, dv.g, gate ? z.g : null, db.g), out.g, ck.g);
        check("scan fwd out" + tag, out, 2e-5);
        check("scan fwd checkpoints" + tag, ck, 2e-5);

        P dout = rand(-1, 1, S, L, E);
        P du = nan(S, L, E), ddr = nan(S, L, E), dB = nan(S, L, N), dC = nan(S, L, N);
        P dz = gate ? nan(S, L, E) : null;
        // Accumulated: small nonzero start values, so "+=" is checked without hiding errors.
        P dAl = rand(-0.01, 0.01, E, N), dD = rand(-0.01, 0.01, E), dDb = rand(-0.01, 0.01, E);
        ref.scanBackward(d, new ScanInputs(u.r, deltaRaw.r, aLog.r, bm.r, cm.r, dv.r, gate ? z.r : null, db.r), ck.r, dout.r,
            new ScanGrads(du.r, ddr.r, dAl.r, dB.r, dC.r, dD.r, gate ? dz.r : null, dDb.r));
        gpu.scanBackward(d, new ScanInputs(u.g, deltaRaw.g, aLog.g, bm.g, cm.g, dv.g, gate ? z.g : null, db.g), ck.g, dout.g,
            new ScanGrads(du.g, ddr.g, dAl.g, dB.g, dC.g, dD.g, gate ? dz.g : null, dDb.g));
        check("scan bwd du" + tag, du, 1e-4);
        check("scan bwd dDeltaRaw" + tag, ddr, 1e-4);
        check("scan bwd dALog" + tag, dAl, 1e-4);
        check("scan bwd dB" + tag, dB, 1e-4);
        check("scan bwd dC" + tag, dC, 1e-4);
        check("scan bwd dD" + tag, dD, 1e-4);
        check("scan bwd dDeltaBias" + tag, dDb, 1e-4);
        if (gate) check("scan bwd dz" + tag, dz, 1e-4);
    }
}
