package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.backend.cpu.ElementKernels;
import dev.mambamixer.engine.backend.cpu.ImageKernels;
import dev.mambamixer.engine.backend.cpu.Gemm;
import dev.mambamixer.engine.backend.cpu.Parallel;
import dev.mambamixer.engine.backend.cpu.ScanArrays;
import dev.mambamixer.engine.backend.cpu.ScanGradArrays;
import dev.mambamixer.engine.backend.cpu.CpuKernels;
import dev.mambamixer.engine.backend.cpu.ScanKernel;
import dev.mambamixer.engine.backend.cpu.Scratch;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.logging.Logger;

/**
 * The production float32 CPU backend: storage is {@code float[]}. GEMMs go to netlib BLAS
 * (native OpenBLAS through JNI when the system has it, else the Vector-API/Java fallbacks); the
 * selective scan (MODEL.md §3.2/§3.3), conv, LayerNorm and the larger element-wise kernels run on a
 * shared ForkJoinPool. Parameter-gradient reductions are done in fixed blocks whose partials are
 * summed in block order, so every kernel is bit-reproducible run to run. Semantics match
 * {@link ReferenceBackend} (float64) up to float32 rounding.
 *
 * <p>The scan and element-wise inner loops are {@link CpuKernels}: Vector API or scalar, chosen
 * once per JVM by {@link CpuKernels#VECTOR} (system property {@code mambamixer.vector=false}
 * selects the scalar kernels).
 */
public final class CpuBackend implements Backend {

    private static final Logger LOG = Logger.getLogger(CpuBackend.class.getName());

    /** Element-wise kernels go parallel only above this many elements (thread hand-off costs ~µs). */
    static final int PARALLEL_MIN = 1 << 16;
    /** Grain of element-wise blocks. */
    private static final int ELEMENT_GRAIN = 1 << 15;

    private static final CpuKernels DEFAULT_KERNELS = CpuKernels.defaults();
    private static final ScanKernel DEFAULT_SCAN = DEFAULT_KERNELS.scan();
    private static final ElementKernels DEFAULT_ELEMENTS = DEFAULT_KERNELS.elements();

    static {
        LOG.info(() -> "CpuBackend: BLAS " + blasImplementation() + ", scan kernel " + DEFAULT_SCAN.name()
            + ", " + Parallel.threads() + " threads");
    }

    // Caller-thread buffers for per-block partial sums.
    private static final Scratch PARTIAL = new Scratch();

    /** Which netlib BLAS implementation is in use (JNIBLAS = native system libblas.so.3). */
    public static String blasImplementation() { return Gemm.implementation() + (Gemm.SPLIT ? " (1 thread, split over workers)" : ""); }

    /** Which SiLU/conv kernels new backends use by default ("vector-8x32" or "scalar"). */
    public static String elementKernels() { return DEFAULT_ELEMENTS.name(); }

    /** Which scan kernel new backends use by default ("vector-8x32" or "scalar"). */
    public static String scanKernel() { return DEFAULT_SCAN.name(); }

    private final ScanKernel scan;
    private final ElementKernels elements;

    public CpuBackend() { this(DEFAULT_KERNELS); }

    /** A backend with explicit kernels ({@link CpuKernels#scalar()}, {@link CpuKernels#vector()}). */
    public CpuBackend(CpuKernels kernels) { this(kernels.scan(), kernels.elements()); }

    /** A backend with an explicit scan kernel (tests and benchmarks compare both). */
    public CpuBackend(ScanKernel scan) { this(scan, DEFAULT_ELEMENTS); }

    /** A backend with explicit scan and SiLU/conv kernels (tests compare scalar and vector). */
    public CpuBackend(ScanKernel scan, ElementKernels elements) {
        this.scan = java.util.Objects.requireNonNull(scan, "scan kernel");
        this.elements = java.util.Objects.requireNonNull(elements, "element kernels");
    }

    @Override public String name() { return "cpu-f32"; }

    /** Name of this backend's scan kernel. */
    public String scanKernelName() { return scan.name(); }

    @Override public int elementBytes() { return 4; }

    // ================================================================ storage helpers

    private static float[] data(Tensor t, String what) {
        BackendChecks.notNull(t, what);
        if (!(t.storage() instanceof float[] arr))
            throw new IllegalArgumentException(what + " " + t + " is not a cpu-f32 tensor");
        return arr;
    }

    /** Argument checks shared with the other backends; the storage check is {@link #data(Tensor, String)}. */
    private static final BackendChecks CHECK = new BackendChecks(CpuBackend::data);

    private static float[] data(Tensor t, String what, long n) {
        CHECK.size(t, n, what);
        return (float[]) t.storage();
    }

    /** Element-wise loop over [0, n): parallel blocks when large, else inline. */
    private static void elementwise(int n, Parallel.BlockBody body) {
        if (n < PARALLEL_MIN) { body.run(0, 0, n); return; }
        Parallel.forBlocks(n, Parallel.blocks(n, ELEMENT_GRAIN), body);
    }

    /** A caller-owned zeroed buffer of n floats for per-block partials. */
    private static float[] partials(int n) {
        float[] p = PARTIAL.get(n);
        Arrays.fill(p, 0, n, 0f);
        return p;
    }

    // ================================================================ memory

    @Override public Tensor zeros(int... shape) {
        return new Tensor(new float[Tensor.elementCount(shape)], shape);
    }



    @Override public void upload(double[] src, Tensor dst) {
        float[] d = data(dst, "dst");
        BackendChecks.uploadLength(src.length, dst);
        for (int i = 0; i < d.length; i++) d[i] = (float) src[i];
    }

    @Override public void upload(float[] src, Tensor dst) {
        float[] d = data(dst, "dst");
        BackendChecks.uploadLength(src.length, dst);
        System.arraycopy(src, 0, d, 0, d.length);
    }

    @Override public double[] toDoubles(Tensor t) {
        float[] f = data(t, "t");
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    @Override public float[] toFloats(Tensor t) { return data(t, "t").clone(); }

    @Override public void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n) {
        BackendChecks.range(src, srcOff, n, "copy src");
        BackendChecks.range(dst, dstOff, n, "copy dst");
        System.arraycopy(data(src, "src"), srcOff, data(dst, "dst"), dstOff, n);
    }

    @Override public void fill(Tensor t, double value) { Arrays.fill(data(t, "t"), (float) value); }

    // ================================================================ GEMM

    /** Row-major C = α op(A) op(B) + β C on the system BLAS, split over the workers ({@link Gemm}). */
    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double alpha, Tensor a, int aOff, Tensor b, int bOff,
                     double beta, Tensor c, int cOff) {
        BackendChecks.gemmSizes(m, n, k);
        float[] A = data(a, "gemm A"), B = data(b, "gemm B"), C = data(c, "gemm C");
        BackendChecks.range(a, aOff, (long) m * k, "gemm A");
        BackendChecks.range(b, bOff, (long) k * n, "gemm B");
        BackendChecks.range(c, cOff, (long) m * n, "gemm C");
        if (m == 0 || n == 0) return;
        if (k == 0) { // C = beta*C; done here since some BLAS reject k=0 leading dimensions
            for (int i = cOff; i < cOff + m * n; i++) C[i] = beta == 0.0 ? 0f : (float) beta * C[i];
            return;
        }
        Gemm.gemm(transA, transB, m, n, k, (float) alpha, A, aOff, B, bOff, (float) beta, C, cOff);
    }

    // ================================================================ element-wise

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        float[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        elementwise(o.length, (blk, from, to) -> { for (int i = from; i < to; i++) o[i] = x[i] + y[i]; });
    }

    @Override public void sub(Tensor a, Tensor b, Tensor out) {
        float[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        elementwise(o.length, (blk, from, to) -> { for (int i = from; i < to; i++) o[i] = x[i] - y[i]; });
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        float[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        elementwise(o.length, (blk, from, to) -> { for (int i = from; i < to; i++) o[i] = x[i] * y[i]; });
    }

    @Override public void axpy(double alpha, Tensor x, int xOff, Tensor y, int yOff, int n) {
        float[] xs = data(x, "x"), ys = data(y, "y");
        BackendChecks.range(x, xOff, n, "axpy x");
        BackendChecks.range(y, yOff, n, "axpy y");
        float al = (float) alpha;
        elementwise(n, (blk, from, to) -> { for (int i = from; i < to; i++) ys[yOff + i] += al * xs[xOff + i]; });
    }

    @Override public void scale(Tensor x, double alpha) {
        float[] xs = data(x, "x");
        float al = (float) alpha;
        elementwise(xs.length, (blk, from, to) -> { for (int i = from; i < to; i++) xs[i] *= al; });
    }

    @Override public void siluForward(Tensor x, Tensor out) {
        float[] xs = data(x, "x"), o = data(out, "out", x.size());
        elementwise(o.length, (blk, from, to) -> elements.silu(xs, o, from, to));
    }

    @Override public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        float[] xs = data(x, "x"), g = data(dout, "dout", x.size()), d = data(dx, "dx", x.size());
        // SiLU'(x) = σ(1 + x(1-σ)) (MODEL.md §2)
        elementwise(d.length, (blk, from, to) -> elements.siluBackward(xs, g, d, from, to));
    }

    @Override public double dot(Tensor a, Tensor b) {
        float[] x = data(a, "a"), y = data(b, "b", a.size());
        double s = 0.0;
        for (int i = 0; i < x.length; i++) s += (double) x[i] * y[i];
        return s;
    }

    @Override public double sumAbs(Tensor x) {
        double s = 0.0;
        for (float v : data(x, "x")) s += Math.abs(v);
        return s;
    }

    @Override public void addRowVector(Tensor x, int rows, int cols, Tensor v) {
        float[] xs = data(x, "x", (long) rows * cols), vs = data(v, "v", cols);
        if (cols == 0) return;
        int minRows = Math.max(1, ELEMENT_GRAIN / cols);
        Parallel.BlockBody body = (blk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * cols;
                for (int c = 0; c < cols; c++) xs[base + c] += vs[c];
            }
        };
        if (xs.length < PARALLEL_MIN) body.run(0, 0, rows);
        else Parallel.forBlocks(rows, Parallel.blocks(rows, minRows), body);
    }

    @Override public void sumRows(Tensor x, int rows, int cols, Tensor out) {
        float[] xs = data(x, "x", (long) rows * cols), o = data(out, "out", cols);
        if (cols == 0 || rows == 0) return;
        int blocks = xs.length < PARALLEL_MIN ? 1 : Parallel.blocks(rows, Math.max(1, ELEMENT_GRAIN / cols));
        float[] part = partials(blocks * cols); // (blocks, cols)
        Parallel.forBlocks(rows, blocks, (blk, r0, r1) -> {
            int pb = blk * cols;
            for (int r = r0; r < r1; r++) {
                int base = r * cols;
                for (int c = 0; c < cols; c++) part[pb + c] += xs[base + c];
            }
        });
        reduceInto(part, blocks, cols, o, null);
    }

    /** out[i] += Σ_blk part[blk*n + i] (× scale[i] if given), summed in block order in double. */
    private static void reduceInto(float[] part, int blocks, int n, float[] out, float[] scale) {
        for (int i = 0; i < n; i++) {
            double s = 0.0;
            for (int blk = 0; blk < blocks; blk++) s += part[blk * n + i];
            out[i] += scale == null ? (float) s : (float) (s * scale[i]);
        }
    }

    /**
     * Same draws as {@link ReferenceBackend#dropoutMask} (one SplittableRandom, one nextDouble per
     * element), computed in parallel blocks: SplittableRandom's i-th draw is a fixed mix of
     * seed + (i+1)·γ, so a block can start anywhere in the sequence.
     */
    @Override public void dropoutMask(Tensor mask, double keep, long seed) {
        BackendChecks.dropoutKeep(keep);
        float[] ms = data(mask, "mask");
        float kept = (float) (1.0 / keep);
        elementwise(ms.length, (blk, from, to) -> {
            long state = seed + (long) from * GOLDEN_GAMMA;
            for (int i = from; i < to; i++) {
                state += GOLDEN_GAMMA;
                ms[i] = (mix64(state) >>> 11) * 0x1.0p-53 < keep ? kept : 0f;
            }
        });
    }

    /** java.util.SplittableRandom's default γ and output mix (its nextLong is mix64(seed += γ)). */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ================================================================ layout

    @Override public void swapMiddle(Tensor x, int a, int b, int c, int d, Tensor out) {
        long n = (long) a * b * c * d;
        float[] xs = data(x, "x", n), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "swapMiddle");
        Parallel.BlockBody body = (blk, i0, i1) -> {
            for (int i = i0; i < i1; i++)
                for (int j = 0; j < b; j++)
                    for (int l = 0; l < c; l++) // x[i, j, l, :] (A,B,C,D) -> out[i, l, j, :] (A,C,B,D)
                        System.arraycopy(xs, ((i * b + j) * c + l) * d, o, ((i * c + l) * b + j) * d, d);
        };
        if (n < PARALLEL_MIN) body.run(0, 0, a);
        else Parallel.forBlocks(a, Parallel.blocks(a, 1), body);
    }

    @Override public void flipSequence(Tensor x, int s, int l, int e, Tensor out) {
        long n = (long) s * l * e;
        float[] xs = data(x, "x", n), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "flipSequence");
        Parallel.BlockBody body = (blk, s0, s1) -> {
            for (int si = s0; si < s1; si++)
                for (int t = 0; t < l; t++)
                    System.arraycopy(xs, (si * l + t) * e, o, (si * l + (l - 1 - t)) * e, e);
        };
        if (n < PARALLEL_MIN) body.run(0, 0, s);
        else Parallel.forBlocks(s, Parallel.blocks(s, 1), body);
    }

    /** out = a + flip(b) in one pass (the default flips into out, then adds). */
    @Override public void addFlipped(Tensor a, Tensor b, int s, int l, int e, Tensor out) {
        long n = (long) s * l * e;
        float[] as = data(a, "a", n), bs = data(b, "b", n), o = data(out, "out", n);
        BackendChecks.noAlias(a, out, "addFlipped");
        BackendChecks.noAlias(b, out, "addFlipped");
        Parallel.BlockBody body = (blk, s0, s1) -> {
            for (int si = s0; si < s1; si++)
                for (int t = 0; t < l; t++) {
                    int dst = (si * l + t) * e, src = (si * l + (l - 1 - t)) * e;
                    for (int i = 0; i < e; i++) o[dst + i] = as[dst + i] + bs[src + i];
                }
        };
        if (n < PARALLEL_MIN) body.run(0, 0, s);
        else Parallel.forBlocks(s, Parallel.blocks(s, 1), body);
    }

    // ================================================================ causal conv (MODEL.md §4.2 step 2)

    /** Sequences per block so each block has at least ~ELEMENT_GRAIN elements. */
    private static int seqBlocks(int s, long perSeq) {
        if ((long) s * perSeq < PARALLEL_MIN) return 1;
        return Parallel.blocks(s, (int) Math.max(1, ELEMENT_GRAIN / Math.max(1, perSeq)));
    }

    @Override
    public void causalConvForward(Tensor x, Tensor w, Tensor bias, int s, int l, int e, int k, Tensor out) {
        float[] xs = data(x, "x", (long) s * l * e), ws = data(w, "w", (long) e * k), bs = data(bias, "bias", e);
        float[] o = data(out, "out", (long) s * l * e);
        BackendChecks.noAlias(x, out, "causalConvForward");
        float[] wt = transposeWeights(ws, e, k); // (K, E): contiguous over e for each tap
        Parallel.forBlocks(s, seqBlocks(s, (long) l * e), (blk, s0, s1) ->
            elements.convForward(xs, wt, bs, o, s0, s1, l, e, k));
    }

    private static float[] transposeWeights(float[] ws, int e, int k) {
        float[] wt = new float[e * k]; // tiny (E*K), so a plain allocation
        for (int ei = 0; ei < e; ei++)
            for (int kk = 0; kk < k; kk++) wt[kk * e + ei] = ws[ei * k + kk];
        return wt;
    }

    @Override
    public void causalConvBackward(Tensor x, Tensor w, Tensor dout, int s, int l, int e, int k,
                                   Tensor dx, Tensor dw, Tensor dbias) {
        float[] xs = data(x, "x", (long) s * l * e), ws = data(w, "w", (long) e * k), g = data(dout, "dout", (long) s * l * e);
        float[] dxs = data(dx, "dx", (long) s * l * e), dws = data(dw, "dw", (long) e * k), dbs = data(dbias, "dbias", e);
        float[] wt = transposeWeights(ws, e, k);
        int blocks = seqBlocks(s, (long) l * e);
        int stride = (k + 1) * e; // per block: dw as (K, E) then db (E)
        float[] part = partials(blocks * stride);
        Parallel.forBlocks(s, blocks, (blk, s0, s1) ->
            elements.convBackward(xs, wt, g, dxs, part, blk * stride, blk * stride + k * e, s0, s1, l, e, k));
        for (int ei = 0; ei < e; ei++) {
            for (int kk = 0; kk < k; kk++) {
                double sum = 0.0;
                for (int blk = 0; blk < blocks; blk++) sum += part[blk * stride + kk * e + ei];
                dws[ei * k + kk] += (float) sum;
            }
            double sb = 0.0;
            for (int blk = 0; blk < blocks; blk++) sb += part[blk * stride + k * e + ei];
            dbs[ei] += (float) sb;
        }
    }

    // ================================================================ images (ViM2, MODEL.md §7)

    @Override
    public void depthwiseConv2dForward(Tensor x, Tensor w, Tensor bias, int b, int h, int wd, int e, int k, Tensor out) {
        long n = (long) b * h * wd * e;
        float[] xs = data(x, "x", n), ws = data(w, "w", (long) e * k * k), bs = data(bias, "bias", e), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "depthwiseConv2dForward");
        float[] wt = ImageKernels.tapMajor(ws, e, k);
        Parallel.forBlocks(b, seqBlocks(b, (long) h * wd * e * k * k), (blk, b0, b1) ->
            ImageKernels.depthwiseConvForward(xs, wt, bs, o, b0, b1, h, wd, e, k));
    }

    @Override
    public void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor dout, int b, int h, int wd, int e, int k,
                                        Tensor dx, Tensor dw, Tensor dbias) {
        long n = (long) b * h * wd * e;
        float[] xs = data(x, "x", n), ws = data(w, "w", (long) e * k * k), g = data(dout, "dout", n);
        float[] dxs = data(dx, "dx", n), dws = data(dw, "dw", (long) e * k * k), dbs = data(dbias, "dbias", e);
        BackendChecks.noAlias(dout, dx, "depthwiseConv2dBackward");
        float[] wt = ImageKernels.tapMajor(ws, e, k);
        int blocks = seqBlocks(b, (long) h * wd * e * k * k);
        int stride = (k * k + 1) * e;   // per block: dw as (k·k, E) then dbias (E)
        double[] part = new double[blocks * stride];
        Parallel.forBlocks(b, blocks, (blk, b0, b1) ->
            ImageKernels.depthwiseConvBackward(xs, wt, g, dxs, part, blk * stride, b0, b1, h, wd, e, k));
        for (int ei = 0; ei < e; ei++) {
            for (int tap = 0; tap < k * k; tap++) {
                double sum = 0;
                for (int blk = 0; blk < blocks; blk++) sum += part[blk * stride + tap * e + ei];
                dws[ei * k * k + tap] += (float) sum;
            }
            double sb = 0;
            for (int blk = 0; blk < blocks; blk++) sb += part[blk * stride + k * k * e + ei];
            dbs[ei] += (float) sb;
        }
    }

    @Override public void mergePatches2x2(Tensor x, int b, int h, int w, int c, Tensor out) {
        long per = (long) ((h + 1) / 2) * ((w + 1) / 2) * 4 * c;
        float[] xs = data(x, "x", (long) b * h * w * c), o = data(out, "out", b * per);
        BackendChecks.noAlias(x, out, "mergePatches2x2");
        Parallel.forBlocks(b, seqBlocks(b, per), (blk, b0, b1) -> ImageKernels.mergePatches(xs, o, b0, b1, h, w, c));
    }

    @Override public void mergePatches2x2Backward(Tensor dout, int b, int h, int w, int c, Tensor dx) {
        long per = (long) ((h + 1) / 2) * ((w + 1) / 2) * 4 * c;
        float[] g = data(dout, "dout", b * per), d = data(dx, "dx", (long) b * h * w * c);
        BackendChecks.noAlias(dout, dx, "mergePatches2x2Backward");
        Parallel.forBlocks(b, seqBlocks(b, per), (blk, b0, b1) -> ImageKernels.mergePatchesBackward(g, d, b0, b1, h, w, c));
    }

    // ================================================================ LayerNorm

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, int rows, int n, double eps,
                                 Tensor out, Tensor mean, Tensor rstd) {
        float[] xs = data(x, "x", (long) rows * n), gs = data(gamma, "gamma", n), bs = data(beta, "beta", n);
        float[] o = data(out, "out", (long) rows * n), mu = data(mean, "mean", rows), rs = data(rstd, "rstd", rows);
        Parallel.forBlocks(rows, seqBlocks(rows, n), (blk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                double m = rowSum(xs, base, n) / n;
                double var = rowSquares(xs, base, n, m) / n; // population variance, two-pass
                float mf = (float) m, rsf = (float) (1.0 / Math.sqrt(var + eps));
                mu[r] = mf;
                rs[r] = rsf;
                for (int i = 0; i < n; i++) o[base + i] = (xs[base + i] - mf) * rsf * gs[i] + bs[i];
            }
        });
    }

    /** Σ_i x_i over one row: double sums in four interleaved lanes (the adds do not wait on each other), fixed order. */
    private static double rowSum(float[] xs, int base, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) { s0 += xs[base + i]; s1 += xs[base + i + 1]; s2 += xs[base + i + 2]; s3 += xs[base + i + 3]; }
        for (; i < n; i++) s0 += xs[base + i];
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ_i (x_i - c)² over one row, as {@link #rowSum}. */
    private static double rowSquares(float[] xs, int base, int n, double c) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double a = xs[base + i] - c, b = xs[base + i + 1] - c, d = xs[base + i + 2] - c, e = xs[base + i + 3] - c;
            s0 += a * a; s1 += b * b; s2 += d * d; s3 += e * e;
        }
        for (; i < n; i++) { double a = xs[base + i] - c; s0 += a * a; }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dout,
                                  int rows, int n, Tensor dx, Tensor dgamma, Tensor dbeta) {
        float[] xs = data(x, "x", (long) rows * n), gs = data(gamma, "gamma", n), mu = data(mean, "mean", rows);
        float[] rs = data(rstd, "rstd", rows), g = data(dout, "dout", (long) rows * n), dxs = data(dx, "dx", (long) rows * n);
        float[] dgs = data(dgamma, "dgamma", n), dbs = data(dbeta, "dbeta", n);
        int blocks = seqBlocks(rows, n);
        float[] part = partials(blocks * 2 * n); // per block: dgamma (n) then dbeta (n)
        Parallel.forBlocks(rows, blocks, (blk, r0, r1) -> {
            int pg = blk * 2 * n, pb = pg + n;
            for (int r = r0; r < r1; r++) {
                int base = r * n;
                float m = mu[r], rsv = rs[r];
                // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dout gamma
                double sumD = 0.0, sumDX = 0.0;
                for (int i = 0; i < n; i++) {
                    float xhat = (xs[base + i] - m) * rsv;
                    float gi = g[base + i];
                    float dxhat = gi * gs[i];
                    sumD += dxhat;
                    sumDX += dxhat * xhat;
                    part[pg + i] += gi * xhat;
                    part[pb + i] += gi;
                }
                float meanD = (float) (sumD / n), meanDX = (float) (sumDX / n);
                for (int i = 0; i < n; i++) {
                    float xhat = (xs[base + i] - m) * rsv;
                    dxs[base + i] = rsv * (g[base + i] * gs[i] - meanD - xhat * meanDX);
                }
            }
        });
        for (int i = 0; i < n; i++) {
            double sg = 0.0, sb = 0.0;
            for (int blk = 0; blk < blocks; blk++) { sg += part[blk * 2 * n + i]; sb += part[blk * 2 * n + n + i]; }
            dgs[i] += (float) sg;
            dbs[i] += (float) sb;
        }
    }

    // ================================================================ selective scan (MODEL.md §3)

    /** A = -exp(A_log), (E, N); small, so allocated per call. */
    private static float[] stateMatrix(float[] al) {
        float[] a = new float[al.length];
        for (int i = 0; i < al.length; i++) a[i] = (float) -Math.exp(al[i]);
        return a;
    }

    /** Blocks for the scan: fixed by S alone (at most one sequence per block up to MAX_BLOCKS). */
    private static int scanBlocks(ScanDims dims) {
        long work = (long) dims.l() * dims.e() * dims.n();
        return work * dims.s() < PARALLEL_MIN ? 1 : Parallel.blocks(dims.s(), 1);
    }

    @Override
    public void scanForward(ScanDims dims, ScanInputs in, Tensor out, Tensor checkpoints) {
        CHECK.scanForward(dims, in, out, checkpoints);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        final int L = dims.l(), E = dims.e(), N = dims.n(), CH = dims.chunk();
        float[] us = data(u, "u"), dr = data(deltaRaw, "deltaRaw"), a = stateMatrix(data(aLog, "aLog"));
        float[] bs = data(bmat, "B"), cs = data(cmat, "C"), ds = data(d, "D"), db = data(deltaBias, "deltaBias");
        float[] zs = z == null ? null : data(z, "z");
        float[] o = data(out, "out"), ck = data(checkpoints, "checkpoints");
        ScanArrays arrays = new ScanArrays(L, E, N, CH, us, dr, a, bs, cs, ds, zs, db);
        Parallel.forBlocks(dims.s(), scanBlocks(dims), (blk, s0, s1) -> scan.forwardBlock(s0, s1, arrays, o, ck));
    }

    @Override
    public void scanBackward(ScanDims dims, ScanInputs in, Tensor checkpoints, Tensor dout, ScanGrads grads) {
        CHECK.scanBackward(dims, in, checkpoints, dout, grads);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        Tensor du = grads.du(), dDeltaRaw = grads.dDeltaRaw(), dALog = grads.dALog(), dB = grads.dB(), dC = grads.dC();
        Tensor dD = grads.dD(), dz = grads.dz(), dDeltaBias = grads.dDeltaBias();
        final int L = dims.l(), E = dims.e(), N = dims.n(), CH = dims.chunk(), EN = E * N;
        float[] us = data(u, "u"), dr = data(deltaRaw, "deltaRaw"), a = stateMatrix(data(aLog, "aLog"));
        float[] bs = data(bmat, "B"), cs = data(cmat, "C"), ds = data(d, "D"), db = data(deltaBias, "deltaBias");
        float[] zs = z == null ? null : data(z, "z");
        float[] ck = data(checkpoints, "checkpoints"), g = data(dout, "dout");
        float[] gu = data(du, "du"), gdr = data(dDeltaRaw, "dDeltaRaw");
        float[] gal = data(dALog, "dALog"), gb = data(dB, "dB"), gc = data(dC, "dC");
        float[] gd = data(dD, "dD"), gdb = data(dDeltaBias, "dDeltaBias");
        float[] gz = zs == null ? null : data(dz, "dz");

        ScanArrays arrays = new ScanArrays(L, E, N, CH, us, dr, a, bs, cs, ds, zs, db);
        ScanGradArrays gradArrays = new ScanGradArrays(gu, gdr, gb, gc, gz);
        int blocks = scanBlocks(dims);
        int stride = EN + 2 * E; // per block: dA (E,N), dD (E), dDeltaBias (E)
        float[] part = partials(blocks * stride);
        Parallel.forBlocks(dims.s(), blocks, (blk, s0, s1) -> {
            // Small per-block partials (E*N + 2E floats), copied into the block-ordered buffer at the end.
            float[] pA = new float[EN], pD = new float[E], pDb = new float[E];
            scan.backwardBlock(s0, s1, arrays, ck, g, gradArrays, pA, pD, pDb);
            int off = blk * stride;
            System.arraycopy(pA, 0, part, off, EN);
            System.arraycopy(pD, 0, part, off + EN, E);
            System.arraycopy(pDb, 0, part, off + EN + E, E);
        });
        // Block-ordered reductions; dA_log = dA ⊙ A (MODEL.md §3.3 step 5).
        for (int i = 0; i < EN; i++) {
            double s = 0.0;
            for (int b = 0; b < blocks; b++) s += part[b * stride + i];
            gal[i] += (float) (s * a[i]);
        }
        for (int e = 0; e < E; e++) {
            double sD = 0.0, sB = 0.0;
            for (int b = 0; b < blocks; b++) { sD += part[b * stride + EN + e]; sB += part[b * stride + EN + E + e]; }
            gd[e] += (float) sD;
            gdb[e] += (float) sB;
        }
    }

    // ================================================================ weighted averaging (MODEL.md §5.3)

    /** Elements per tile of the weighted-average passes: every source's tile stays in L1. */
    private static final int AVERAGE_TILE = 1024;

    /**
     * One pass instead of a fill and an axpy per source: per tile of out, the sources are added in
     * source order with the same float arithmetic as the default, so the result is the same bits.
     */
    @Override public void weightedAverageForward(Tensor raw, boolean softmax, Tensor[] src, Tensor out) {
        double[] w = WeightedSums.effective(toDoubles(raw), softmax);
        int n = out.size(), j0 = w.length;
        float[] o = data(out, "out");
        float[][] xs = new float[j0][];
        float[] wf = new float[j0];
        for (int j = 0; j < j0; j++) {
            xs[j] = data(src[j], "src " + j, n);
            wf[j] = (float) w[j];
        }
        elementwise(n, (blk, from, to) -> {
            for (int t0 = from; t0 < to; t0 += AVERAGE_TILE) {
                int t1 = Math.min(to, t0 + AVERAGE_TILE);
                Arrays.fill(o, t0, t1, 0f);
                for (int j = 0; j < j0; j++) {
                    if (w[j] == 0) continue;
                    float wj = wf[j];
                    float[] x = xs[j];
                    for (int i = t0; i < t1; i++) o[i] += wj * x[i];
                }
            }
        });
    }

    /**
     * One pass over dOut instead of a dot and an axpy per source: grads[j] += w_j dOut and the
     * per-block partials of <dOut, src[j]> (double, four interleaved sums so the adds do not wait on
     * each other), summed in block order.
     */
    @Override public void weightedAverageBackward(Tensor raw, boolean softmax, Tensor dOut, Tensor[] src, Tensor[] grads,
                                                  Tensor rawGrad) {
        double[] w = WeightedSums.effective(toDoubles(raw), softmax);
        int n = dOut.size(), j0 = w.length;
        float[] d = data(dOut, "dOut");
        float[][] xs = new float[j0][], gs = new float[j0][];
        float[] wf = new float[j0];
        for (int j = 0; j < j0; j++) {
            xs[j] = data(src[j], "src " + j, n);
            gs[j] = data(grads[j], "grads " + j, n);
            wf[j] = (float) w[j];
        }
        int blocks = n < PARALLEL_MIN ? 1 : Parallel.blocks(n, ELEMENT_GRAIN);
        double[] part = new double[blocks * j0];
        Parallel.forBlocks(n, blocks, (blk, from, to) -> {
            for (int j = 0; j < j0; j++) {
                float[] x = xs[j], g = gs[j];
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int i = from;
                for (; i + 3 < to; i += 4) {
                    s0 += (double) d[i] * x[i];
                    s1 += (double) d[i + 1] * x[i + 1];
                    s2 += (double) d[i + 2] * x[i + 2];
                    s3 += (double) d[i + 3] * x[i + 3];
                }
                for (; i < to; i++) s0 += (double) d[i] * x[i];
                part[blk * j0 + j] = (s0 + s1) + (s2 + s3);
                if (w[j] != 0) {
                    float wj = wf[j];
                    for (int k = from; k < to; k++) g[k] += wj * d[k];
                }
            }
        });
        double[] gw = new double[j0];
        for (int j = 0; j < j0; j++)
            for (int b = 0; b < blocks; b++) gw[j] += part[b * j0 + j];
        double[] g = toDoubles(rawGrad);
        WeightedSums.addRawGradient(w, gw, softmax, g);
        upload(g, rawGrad);
    }

    // ================================================================ TSM2 input / output (MODEL.md §6.3)

    @Override
    public void revinNormalize(Tensor x, Tensor gamma, Tensor beta, int b, int t, int m, double eps,
                               Tensor out, Tensor mean, Tensor std) {
        float[] xs = data(x, "x", (long) b * t * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        float[] o = data(out, "out", (long) b * t * m), mu = data(mean, "mean", (long) b * m), sd = data(std, "std", (long) b * m);
        Parallel.forBlocks(b, seqBlocks(b, (long) t * m), (blk, b0, b1) -> {
            for (int bi = b0; bi < b1; bi++)
                for (int mi = 0; mi < m; mi++) {
                    double sum = 0.0;
                    for (int ti = 0; ti < t; ti++) sum += xs[(bi * t + ti) * m + mi];
                    double mv = sum / t, var = 0.0; // population variance over T
                    for (int ti = 0; ti < t; ti++) { double c = xs[(bi * t + ti) * m + mi] - mv; var += c * c; }
                    double sv = Math.sqrt(var / t + eps);
                    mu[bi * m + mi] = (float) mv;
                    sd[bi * m + mi] = (float) sv;
                    float scale = (float) (gs[mi] / sv), mf = (float) mv;
                    for (int ti = 0; ti < t; ti++) {
                        int i = (bi * t + ti) * m + mi;
                        o[i] = (xs[i] - mf) * scale + bs[mi];
                    }
                }
        });
    }

    @Override
    public void revinNormalizeBackward(Tensor x, Tensor mean, Tensor std, Tensor dout, int b, int t, int m,
                                       Tensor dgamma, Tensor dbeta) {
        float[] xs = data(x, "x", (long) b * t * m), mu = data(mean, "mean", (long) b * m), sd = data(std, "std", (long) b * m);
        float[] g = data(dout, "dout", (long) b * t * m), dgs = data(dgamma, "dgamma", m), dbs = data(dbeta, "dbeta", m);
        double[] sg = new double[m], sb = new double[m]; // (M) double accumulators, tiny
        for (int bi = 0; bi < b; bi++)
            for (int mi = 0; mi < m; mi++) {
                float mv = mu[bi * m + mi], inv = 1f / sd[bi * m + mi];
                double ag = 0.0, ab = 0.0;
                for (int ti = 0; ti < t; ti++) {
                    int i = (bi * t + ti) * m + mi;
                    ag += g[i] * ((xs[i] - mv) * inv);
                    ab += g[i];
                }
                sg[mi] += ag;
                sb[mi] += ab;
            }
        for (int mi = 0; mi < m; mi++) { dgs[mi] += (float) sg[mi]; dbs[mi] += (float) sb[mi]; }
    }

    @Override
    public void revinDenormalize(Tensor y, Tensor gamma, Tensor beta, Tensor mean, Tensor std,
                                 int b, int h, int m, double eps, Tensor out) {
        float[] ys = data(y, "y", (long) b * h * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        float[] mu = data(mean, "mean", (long) b * m), sd = data(std, "std", (long) b * m), o = data(out, "out", (long) b * h * m);
        float eps2 = (float) (eps * eps);
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
                for (int mi = 0; mi < m; mi++) {
                    int i = (bi * h + hi) * m + mi;
                    o[i] = (ys[i] - bs[mi]) / (gs[mi] + eps2) * sd[bi * m + mi] + mu[bi * m + mi];
                }
    }

    @Override
    public void revinDenormalizeBackward(Tensor y, Tensor gamma, Tensor beta, Tensor std, Tensor dout,
                                         int b, int h, int m, double eps, Tensor dy, Tensor dgamma, Tensor dbeta) {
        float[] ys = data(y, "y", (long) b * h * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        float[] sd = data(std, "std", (long) b * m), g = data(dout, "dout", (long) b * h * m), dys = data(dy, "dy", (long) b * h * m);
        float[] dgs = data(dgamma, "dgamma", m), dbs = data(dbeta, "dbeta", m);
        float eps2 = (float) (eps * eps);
        double[] sg = new double[m], sb = new double[m]; // tiny double accumulators
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
                for (int mi = 0; mi < m; mi++) {
                    int i = (bi * h + hi) * m + mi;
                    float denom = gs[mi] + eps2;
                    float k = g[i] * sd[bi * m + mi] / denom; // dL/dy
                    dys[i] = k;
                    sb[mi] -= k;
                    sg[mi] -= k * (ys[i] - bs[mi]) / denom;
                }
        for (int mi = 0; mi < m; mi++) { dgs[mi] += (float) sg[mi]; dbs[mi] += (float) sb[mi]; }
    }

    @Override public void patchify(Tensor x, int b, int t, int m, int p, int s, int np, Tensor out) {
        float[] xs = data(x, "x", (long) b * t * m), o = data(out, "out", (long) b * m * np * p);
        Parallel.forBlocks(b, seqBlocks(b, (long) m * np * p), (blk, b0, b1) -> {
            for (int bi = b0; bi < b1; bi++)
                for (int mi = 0; mi < m; mi++)
                    for (int j = 0; j < np; j++) {
                        int ob = ((bi * m + mi) * np + j) * p;
                        for (int pi = 0; pi < p; pi++) {
                            int src = Math.min(j * s + pi, t - 1); // end padding repeats the last value
                            o[ob + pi] = xs[(bi * t + src) * m + mi];
                        }
                    }
        });
    }

    @Override public void patchifyBackward(Tensor dout, int b, int t, int m, int p, int s, int np, Tensor dx) {
        float[] g = data(dout, "dout", (long) b * m * np * p), dxs = data(dx, "dx", (long) b * t * m);
        Parallel.forBlocks(b, seqBlocks(b, (long) m * np * p), (blk, b0, b1) -> {
            Arrays.fill(dxs, b0 * t * m, b1 * t * m, 0f); // each block owns its samples' rows
            for (int bi = b0; bi < b1; bi++)
                for (int mi = 0; mi < m; mi++)
                    for (int j = 0; j < np; j++) {
                        int gb = ((bi * m + mi) * np + j) * p;
                        for (int pi = 0; pi < p; pi++) {
                            int src = Math.min(j * s + pi, t - 1);
                            dxs[(bi * t + src) * m + mi] += g[gb + pi];
                        }
                    }
        });
    }

    // ================================================================ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                      double eps, double weightDecay, int step, double gradScale) {
        BackendChecks.adamStep(step);
        int n = param.size();
        float[] ps = data(param, "param"), gs = data(grad, "grad", n), ms = data(m, "m", n), vs = data(v, "v", n);
        final float b1 = (float) beta1, b2 = (float) beta2, ob1 = (float) (1.0 - beta1), ob2 = (float) (1.0 - beta2);
        final float ic1 = (float) (1.0 / (1.0 - Math.pow(beta1, step))), ic2 = (float) (1.0 / (1.0 - Math.pow(beta2, step)));
        final float lrf = (float) lr, epsf = (float) eps, wd = (float) weightDecay, gsc = (float) gradScale;
        elementwise(n, (blk, from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = gs[i] * gsc;
                float mi = b1 * ms[i] + ob1 * gi, vi = b2 * vs[i] + ob2 * gi * gi;
                ms[i] = mi;
                vs[i] = vi;
                ps[i] -= lrf * (mi * ic1 / ((float) Math.sqrt(vi * ic2) + epsf) + wd * ps[i]);
            }
        });
    }
}
