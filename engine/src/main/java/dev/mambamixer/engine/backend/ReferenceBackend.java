package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The float64 reference backend: storage is {@code double[]}, every kernel is a plain
 * single-threaded scalar loop written to mirror the formula it implements (MODEL.md §3.2, §3.3,
 * §4.2, §6.3). It is the ground truth the float32 CPU and CUDA backends are compared against,
 * and the backend the finite-difference gradient checks of whole layers run on. Clarity beats
 * speed here; the only concessions are no per-element allocation and no B·E·L·N state storage
 * in the scan (chunk checkpoints + recomputation, MODEL.md §3.3 "Chunked checkpoints").
 */
public final class ReferenceBackend implements Backend {

    /** softplus₂₀ threshold (MODEL.md §2): above it softplus(x) is taken to be exactly x. */
    static final double SOFTPLUS_THRESHOLD = 20.0;

    @Override public String name() { return "reference-f64"; }

    @Override public int elementBytes() { return 8; }

    // ================================================================ storage helpers

    /** The double[] behind {@code t}, after checking that this backend owns it. */
    private double[] data(Tensor t, String what) {
        BackendChecks.notNull(t, what);
        if (!(t.storage() instanceof double[] arr))
            throw new IllegalArgumentException(what + " " + t + " is not a reference-f64 tensor");
        return arr;
    }

    /** Argument checks shared with the other backends; the storage check is {@link #data(Tensor, String)}. */
    private final BackendChecks check = new BackendChecks(this::data);

    /** data(t) and a check that it has exactly {@code n} elements. */
    private double[] data(Tensor t, String what, long n) {
        check.size(t, n, what);
        return (double[]) t.storage();
    }

    private static double sigmoid(double x) { return 1.0 / (1.0 + Math.exp(-x)); }

    private static double silu(double x) { return x * sigmoid(x); }

    /** SiLU'(x) = σ(x)(1 + x(1 − σ(x))) (MODEL.md §2). */
    private static double siluGrad(double x) {
        double s = sigmoid(x);
        return s * (1.0 + x * (1.0 - s));
    }

    /** softplus₂₀ (MODEL.md §2): x above the threshold, else log(1 + e^x). */
    static double softplus20(double x) { return x > SOFTPLUS_THRESHOLD ? x : Math.log1p(Math.exp(x)); }

    // ================================================================ memory

    @Override public Tensor zeros(int... shape) {
        return new Tensor(new double[Tensor.elementCount(shape)], shape);
    }



    @Override public void upload(double[] src, Tensor dst) {
        double[] d = data(dst, "dst");
        BackendChecks.uploadLength(src.length, dst);
        System.arraycopy(src, 0, d, 0, d.length);
    }

    @Override public void upload(float[] src, Tensor dst) {
        double[] d = data(dst, "dst");
        BackendChecks.uploadLength(src.length, dst);
        for (int i = 0; i < d.length; i++) d[i] = src[i];
    }

    @Override public double[] toDoubles(Tensor t) { return data(t, "t").clone(); }

    @Override public float[] toFloats(Tensor t) {
        double[] d = data(t, "t");
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i]; // round to nearest
        return f;
    }

    @Override public void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n) {
        BackendChecks.range(src, srcOff, n, "copy src");
        BackendChecks.range(dst, dstOff, n, "copy dst");
        // arraycopy is correct for overlapping ranges of the same array.
        System.arraycopy(data(src, "src"), srcOff, data(dst, "dst"), dstOff, n);
    }

    @Override public void fill(Tensor t, double value) { Arrays.fill(data(t, "t"), value); }

    // ================================================================ GEMM

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double alpha, Tensor a, int aOff, Tensor b, int bOff,
                     double beta, Tensor c, int cOff) {
        BackendChecks.gemmSizes(m, n, k);
        double[] A = data(a, "gemm A"), B = data(b, "gemm B"), C = data(c, "gemm C");
        BackendChecks.range(a, aOff, (long) m * k, "gemm A");
        BackendChecks.range(b, bOff, (long) k * n, "gemm B");
        BackendChecks.range(c, cOff, (long) m * n, "gemm C");
        // Row-major: op(A)[i,p] is A[i*k+p], or A[p*m+i] when transA (A stored k x m);
        // op(B)[p,j] is B[p*n+j], or B[j*k+p] when transB (B stored n x k).
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0.0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? A[aOff + p * m + i] : A[aOff + i * k + p];
                    double bv = transB ? B[bOff + j * k + p] : B[bOff + p * n + j];
                    sum += av * bv;
                }
                int ci = cOff + i * n + j;
                // beta == 0 overwrites, so NaN/garbage in C does not leak through 0 * NaN.
                C[ci] = beta == 0.0 ? alpha * sum : alpha * sum + beta * C[ci];
            }
        }
    }

    // ================================================================ element-wise

    @Override public void add(Tensor a, Tensor b, Tensor out) {
        double[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        for (int i = 0; i < o.length; i++) o[i] = x[i] + y[i];
    }

    @Override public void sub(Tensor a, Tensor b, Tensor out) {
        double[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        for (int i = 0; i < o.length; i++) o[i] = x[i] - y[i];
    }

    @Override public void mul(Tensor a, Tensor b, Tensor out) {
        double[] x = data(a, "a"), y = data(b, "b", a.size()), o = data(out, "out", a.size());
        for (int i = 0; i < o.length; i++) o[i] = x[i] * y[i];
    }

    @Override public void axpy(double alpha, Tensor x, int xOff, Tensor y, int yOff, int n) {
        double[] xs = data(x, "x"), ys = data(y, "y");
        BackendChecks.range(x, xOff, n, "axpy x");
        BackendChecks.range(y, yOff, n, "axpy y");
        for (int i = 0; i < n; i++) ys[yOff + i] += alpha * xs[xOff + i];
    }

    @Override public void scale(Tensor x, double alpha) {
        double[] xs = data(x, "x");
        for (int i = 0; i < xs.length; i++) xs[i] *= alpha;
    }

    @Override public void siluForward(Tensor x, Tensor out) {
        double[] xs = data(x, "x"), o = data(out, "out", x.size());
        for (int i = 0; i < o.length; i++) o[i] = silu(xs[i]);
    }

    @Override public void siluBackward(Tensor x, Tensor dout, Tensor dx) {
        double[] xs = data(x, "x"), g = data(dout, "dout", x.size()), d = data(dx, "dx", x.size());
        for (int i = 0; i < d.length; i++) d[i] = g[i] * siluGrad(xs[i]);
    }

    @Override public double dot(Tensor a, Tensor b) {
        double[] x = data(a, "a"), y = data(b, "b", a.size());
        double s = 0.0;
        for (int i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
    }

    @Override public double sumAbs(Tensor x) {
        double s = 0.0;
        for (double v : data(x, "x")) s += Math.abs(v);
        return s;
    }

    @Override public void addRowVector(Tensor x, int rows, int cols, Tensor v) {
        double[] xs = data(x, "x", rows * cols), vs = data(v, "v", cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) xs[r * cols + c] += vs[c];
    }

    @Override public void sumRows(Tensor x, int rows, int cols, Tensor out) {
        double[] xs = data(x, "x", rows * cols), o = data(out, "out", cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) o[c] += xs[r * cols + c];
    }

    /**
     * Draw order (part of the contract for reproducibility): one {@code new SplittableRandom(seed)},
     * then for element i = 0, 1, ..., size-1 in storage order exactly one {@code nextDouble()};
     * the element is kept (1/keep) when that draw is {@code < keep}, else 0.
     */
    @Override public void dropoutMask(Tensor mask, double keep, long seed) {
        BackendChecks.dropoutKeep(keep);
        double[] ms = data(mask, "mask");
        SplittableRandom rng = new SplittableRandom(seed);
        double kept = 1.0 / keep;
        for (int i = 0; i < ms.length; i++) ms[i] = rng.nextDouble() < keep ? kept : 0.0;
    }

    // ================================================================ layout

    @Override public void swapMiddle(Tensor x, int a, int b, int c, int d, Tensor out) {
        int n = a * b * c * d;
        double[] xs = data(x, "x", n), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "swapMiddle");
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++)
                for (int l = 0; l < c; l++) {
                    // x[i, j, l, :] (A,B,C,D) -> out[i, l, j, :] (A,C,B,D)
                    System.arraycopy(xs, ((i * b + j) * c + l) * d, o, ((i * c + l) * b + j) * d, d);
                }
    }

    @Override public void flipSequence(Tensor x, int s, int l, int e, Tensor out) {
        int n = s * l * e;
        double[] xs = data(x, "x", n), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "flipSequence");
        for (int si = 0; si < s; si++)
            for (int t = 0; t < l; t++)
                System.arraycopy(xs, (si * l + t) * e, o, (si * l + (l - 1 - t)) * e, e);
    }

    // ================================================================ causal conv (MODEL.md §4.2 step 2)

    @Override
    public void causalConvForward(Tensor x, Tensor w, Tensor bias, int s, int l, int e, int k, Tensor out) {
        double[] xs = data(x, "x", s * l * e), ws = data(w, "w", e * k), bs = data(bias, "bias", e);
        double[] o = data(out, "out", s * l * e);
        BackendChecks.noAlias(x, out, "causalConvForward");
        for (int si = 0; si < s; si++)
            for (int t = 0; t < l; t++)
                for (int ei = 0; ei < e; ei++) {
                    double acc = bs[ei];
                    for (int kk = 0; kk < k; kk++) {
                        int src = t - k + 1 + kk; // tap k-1 is the current step
                        if (src >= 0) acc += ws[ei * k + kk] * xs[(si * l + src) * e + ei];
                    }
                    o[(si * l + t) * e + ei] = acc;
                }
    }

    @Override
    public void causalConvBackward(Tensor x, Tensor w, Tensor dout, int s, int l, int e, int k,
                                   Tensor dx, Tensor dw, Tensor dbias) {
        double[] xs = data(x, "x", s * l * e), ws = data(w, "w", e * k), g = data(dout, "dout", s * l * e);
        double[] dxs = data(dx, "dx", s * l * e), dws = data(dw, "dw", e * k), dbs = data(dbias, "dbias", e);
        Arrays.fill(dxs, 0.0);
        // Scatter form of MODEL.md §4.3 (conv): out[t] used x[t-k+1+kk] with weight w[kk].
        for (int si = 0; si < s; si++)
            for (int t = 0; t < l; t++)
                for (int ei = 0; ei < e; ei++) {
                    double gv = g[(si * l + t) * e + ei];
                    dbs[ei] += gv;
                    for (int kk = 0; kk < k; kk++) {
                        int src = t - k + 1 + kk;
                        if (src < 0) continue;
                        int xi = (si * l + src) * e + ei;
                        dws[ei * k + kk] += gv * xs[xi];
                        dxs[xi] += gv * ws[ei * k + kk];
                    }
                }
    }

    // ================================================================ images (ViM2, MODEL.md §7)

    @Override
    public void depthwiseConv2dForward(Tensor x, Tensor w, Tensor bias, int b, int h, int wd, int e, int k, Tensor out) {
        int n = b * h * wd * e, half = k / 2;
        double[] xs = data(x, "x", n), ws = data(w, "w", e * k * k), bs = data(bias, "bias", e), o = data(out, "out", n);
        BackendChecks.noAlias(x, out, "depthwiseConv2dForward");
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < wd; j++)
                    for (int ei = 0; ei < e; ei++) {
                        double acc = bs[ei];
                        for (int p = 0; p < k; p++)
                            for (int q = 0; q < k; q++) {
                                int ii = i + p - half, jj = j + q - half;
                                if (ii >= 0 && ii < h && jj >= 0 && jj < wd)
                                    acc += ws[(ei * k + p) * k + q] * xs[((bi * h + ii) * wd + jj) * e + ei];
                            }
                        o[((bi * h + i) * wd + j) * e + ei] = acc;
                    }
    }

    @Override
    public void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor dout, int b, int h, int wd, int e, int k,
                                        Tensor dx, Tensor dw, Tensor dbias) {
        int n = b * h * wd * e, half = k / 2;
        double[] xs = data(x, "x", n), ws = data(w, "w", e * k * k), g = data(dout, "dout", n);
        double[] dxs = data(dx, "dx", n), dws = data(dw, "dw", e * k * k), dbs = data(dbias, "dbias", e);
        Arrays.fill(dxs, 0.0);
        // Scatter form: out[i,j] used x[i+p-k/2, j+q-k/2] with weight w[p,q].
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < wd; j++)
                    for (int ei = 0; ei < e; ei++) {
                        double gv = g[((bi * h + i) * wd + j) * e + ei];
                        dbs[ei] += gv;
                        for (int p = 0; p < k; p++)
                            for (int q = 0; q < k; q++) {
                                int ii = i + p - half, jj = j + q - half;
                                if (ii < 0 || ii >= h || jj < 0 || jj >= wd) continue;
                                int xi = ((bi * h + ii) * wd + jj) * e + ei;
                                dws[(ei * k + p) * k + q] += gv * xs[xi];
                                dxs[xi] += gv * ws[(ei * k + p) * k + q];
                            }
                    }
    }

    @Override public void mergePatches2x2(Tensor x, int b, int h, int w, int c, Tensor out) {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        double[] xs = data(x, "x", b * h * w * c), o = data(out, "out", b * ho * wo * 4 * c);
        BackendChecks.noAlias(x, out, "mergePatches2x2");
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                    for (int part = 0; part < 4; part++) {      // (0,0), (1,0), (0,1), (1,1)
                        int ii = 2 * i + (part & 1), jj = 2 * j + (part >> 1);
                        for (int ci = 0; ci < c; ci++)
                            o[(((bi * ho + i) * wo + j) * 4 + part) * c + ci] =
                                ii < h && jj < w ? xs[((bi * h + ii) * w + jj) * c + ci] : 0.0;
                    }
    }

    @Override public void mergePatches2x2Backward(Tensor dout, int b, int h, int w, int c, Tensor dx) {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        double[] g = data(dout, "dout", b * ho * wo * 4 * c), d = data(dx, "dx", b * h * w * c);
        BackendChecks.noAlias(dout, dx, "mergePatches2x2Backward");
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                    for (int part = 0; part < 4; part++) {
                        int ii = 2 * i + (part & 1), jj = 2 * j + (part >> 1);
                        if (ii >= h || jj >= w) continue;
                        for (int ci = 0; ci < c; ci++)
                            d[((bi * h + ii) * w + jj) * c + ci] = g[(((bi * ho + i) * wo + j) * 4 + part) * c + ci];
                    }
    }

    // ================================================================ LayerNorm

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, int rows, int n, double eps,
                                 Tensor out, Tensor mean, Tensor rstd) {
        double[] xs = data(x, "x", rows * n), gs = data(gamma, "gamma", n), bs = data(beta, "beta", n);
        double[] o = data(out, "out", rows * n), mu = data(mean, "mean", rows), rs = data(rstd, "rstd", rows);
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double m = 0.0;
            for (int i = 0; i < n; i++) m += xs[base + i];
            m /= n;
            double var = 0.0; // population variance, two-pass for accuracy
            for (int i = 0; i < n; i++) { double c = xs[base + i] - m; var += c * c; }
            var /= n;
            double rstdv = 1.0 / Math.sqrt(var + eps);
            mu[r] = m;
            rs[r] = rstdv;
            for (int i = 0; i < n; i++) o[base + i] = (xs[base + i] - m) * rstdv * gs[i] + bs[i];
        }
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dout,
                                  int rows, int n, Tensor dx, Tensor dgamma, Tensor dbeta) {
        double[] xs = data(x, "x", rows * n), gs = data(gamma, "gamma", n), mu = data(mean, "mean", rows);
        double[] rs = data(rstd, "rstd", rows), g = data(dout, "dout", rows * n), dxs = data(dx, "dx", rows * n);
        double[] dgs = data(dgamma, "dgamma", n), dbs = data(dbeta, "dbeta", n);
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double m = mu[r], rsv = rs[r];
            // With xhat = (x-mean)*rstd and dxhat = dout*gamma:
            // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
            double sumD = 0.0, sumDX = 0.0;
            for (int i = 0; i < n; i++) {
                double xhat = (xs[base + i] - m) * rsv;
                double dxhat = g[base + i] * gs[i];
                sumD += dxhat;
                sumDX += dxhat * xhat;
                dgs[i] += g[base + i] * xhat;
                dbs[i] += g[base + i];
            }
            double meanD = sumD / n, meanDX = sumDX / n;
            for (int i = 0; i < n; i++) {
                double xhat = (xs[base + i] - m) * rsv;
                double dxhat = g[base + i] * gs[i];
                dxs[base + i] = rsv * (dxhat - meanD - xhat * meanDX);
            }
        }
    }

    // ================================================================ selective scan (MODEL.md §3)

    /** Checks every scan tensor against {@code dims}; z (and dz) may be null. */
    /**
     * MODEL.md §3.2, sequential per (s, e). Layouts: u/deltaRaw/z/out (S, L, E); B, C (S, L, N);
     * checkpoints (S, chunks, E, N) where chunk c holds h_{c*chunk - 1} (zeros for c = 0).
     */
    @Override
    public void scanForward(ScanDims dims, ScanInputs in, Tensor out, Tensor checkpoints) {
        check.scanForward(dims, in, out, checkpoints);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        final int S = dims.s(), L = dims.l(), E = dims.e(), N = dims.n(), CH = dims.chunk(), NC = dims.chunks();
        double[] us = data(u, "u"), dr = data(deltaRaw, "deltaRaw"), al = data(aLog, "aLog");
        double[] bs = data(bmat, "B"), cs = data(cmat, "C"), ds = data(d, "D"), db = data(deltaBias, "deltaBias");
        double[] zs = z == null ? null : data(z, "z");
        double[] o = data(out, "out"), ck = data(checkpoints, "checkpoints");

        double[] a = new double[N]; // A[e, :] = -exp(aLog[e, :])
        double[] h = new double[N]; // running state h[e, :]
        for (int s = 0; s < S; s++) {
            for (int e = 0; e < E; e++) {
                for (int n = 0; n < N; n++) a[n] = -Math.exp(al[e * N + n]);
                Arrays.fill(h, 0.0); // h_{-1} = 0
                for (int t = 0; t < L; t++) {
                    if (t % CH == 0) // state entering chunk t/CH, i.e. h_{t-1}
                        System.arraycopy(h, 0, ck, ((s * NC + t / CH) * E + e) * N, N);
                    int ti = (s * L + t) * E + e;   // (s, t, e) in (S, L, E)
                    int tn = (s * L + t) * N;       // (s, t, 0) in (S, L, N)
                    double delta = softplus20(dr[ti] + db[e]);
                    double du = delta * us[ti];
                    double y = ds[e] * us[ti];
                    for (int n = 0; n < N; n++) {
                        h[n] = Math.exp(delta * a[n]) * h[n] + du * bs[tn + n];
                        y += cs[tn + n] * h[n];
                    }
                    o[ti] = zs == null ? y : y * silu(zs[ti]);
                }
            }
        }
    }

    /**
     * MODEL.md §3.3. For each (s, e) the chunks are processed last to first: the states of a chunk
     * are recomputed from its checkpoint into a (chunk+1) x N buffer (row 0 = h entering the
     * chunk), then the steps are walked backwards. The carry Ā_{t+1}·λ_{t+1} crosses chunk
     * boundaries, so the result equals the unchunked backward exactly.
     */
    @Override
    public void scanBackward(ScanDims dims, ScanInputs in, Tensor checkpoints, Tensor dout, ScanGrads grads) {
        check.scanBackward(dims, in, checkpoints, dout, grads);
        Tensor u = in.u(), deltaRaw = in.deltaRaw(), aLog = in.aLog(), bmat = in.b(), cmat = in.c(), d = in.d();
        Tensor z = in.z(), deltaBias = in.deltaBias();
        Tensor du = grads.du(), dDeltaRaw = grads.dDeltaRaw(), dALog = grads.dALog(), dB = grads.dB(), dC = grads.dC();
        Tensor dD = grads.dD(), dz = grads.dz(), dDeltaBias = grads.dDeltaBias();
        final int S = dims.s(), L = dims.l(), E = dims.e(), N = dims.n(), CH = dims.chunk(), NC = dims.chunks();
        double[] us = data(u, "u"), dr = data(deltaRaw, "deltaRaw"), al = data(aLog, "aLog");
        double[] bs = data(bmat, "B"), cs = data(cmat, "C"), ds = data(d, "D"), db = data(deltaBias, "deltaBias");
        double[] zs = z == null ? null : data(z, "z");
        double[] ck = data(checkpoints, "checkpoints"), g = data(dout, "dout");
        double[] gu = data(du, "du"), gdr = data(dDeltaRaw, "dDeltaRaw");
        double[] gal = data(dALog, "dALog"), gb = data(dB, "dB"), gc = data(dC, "dC");
        double[] gd = data(dD, "dD"), gdb = data(dDeltaBias, "dDeltaBias");
        double[] gz = zs == null ? null : data(dz, "dz");

        // dB and dC sum over e, so they are zeroed once and accumulated below (they overwrite
        // from the caller's point of view). du, dDeltaRaw, dz are fully written per element.
        Arrays.fill(gb, 0.0);
        Arrays.fill(gc, 0.0);

        double[] a = new double[N];
        double[] dA = new double[N];                  // dA[e, :] for the current e, summed over s, t
        double[] hbuf = new double[(Math.min(CH, L) + 1) * N]; // (chunk+1, N): h_{t0-1}, h_{t0}, ..., h_{t1-1}
        double[] carry = new double[N];               // Ā_{t+1} · λ_{t+1}
        for (int s = 0; s < S; s++) {
            for (int e = 0; e < E; e++) {
                for (int n = 0; n < N; n++) a[n] = -Math.exp(al[e * N + n]);
                Arrays.fill(dA, 0.0);
                Arrays.fill(carry, 0.0); // λ_{L-1} = g_{L-1} C_{L-1}: nothing flows in from t = L
                for (int c = NC - 1; c >= 0; c--) {
                    int t0 = c * CH, t1 = Math.min(L, t0 + CH);
                    // Recompute h_t for t in [t0, t1) from the checkpoint (same arithmetic as forward).
                    System.arraycopy(ck, ((s * NC + c) * E + e) * N, hbuf, 0, N);
                    for (int t = t0; t < t1; t++) {
                        int ti = (s * L + t) * E + e, tn = (s * L + t) * N;
                        double delta = softplus20(dr[ti] + db[e]);
                        double dxu = delta * us[ti];
                        int prev = (t - t0) * N, cur = prev + N;
                        for (int n = 0; n < N; n++)
                            hbuf[cur + n] = Math.exp(delta * a[n]) * hbuf[prev + n] + dxu * bs[tn + n];
                    }
                    for (int t = t1 - 1; t >= t0; t--) {
                        int ti = (s * L + t) * E + e, tn = (s * L + t) * N;
                        int prev = (t - t0) * N, cur = prev + N; // rows of h_{t-1}, h_t in hbuf
                        double x = dr[ti] + db[e];
                        double delta = softplus20(x);
                        double ut = us[ti];

                        // 1. Gate: y is the pre-gate output (includes D·u).
                        double gt;
                        if (zs != null) {
                            double y = ds[e] * ut;
                            for (int n = 0; n < N; n++) y += cs[tn + n] * hbuf[cur + n];
                            gz[ti] = g[ti] * y * siluGrad(zs[ti]);
                            gt = g[ti] * silu(zs[ti]);
                        } else {
                            gt = g[ti];
                        }
                        // 2. Skip.
                        gd[e] += gt * ut;
                        double dut = ds[e] * gt;
                        double ddelta = 0.0;
                        double lamB = 0.0; // Σ_n λ_t B_t
                        for (int n = 0; n < N; n++) {
                            double abar = Math.exp(delta * a[n]);
                            // 3. C.
                            gc[tn + n] += gt * hbuf[cur + n];
                            // 4. State adjoint: λ_t = g_t C_t + Ā_{t+1} λ_{t+1}.
                            double lam = gt * cs[tn + n] + carry[n];
                            // 5. p_t = Ā_t h_{t-1}.
                            double p = abar * hbuf[prev + n];
                            gb[tn + n] += lam * delta * ut;
                            lamB += lam * bs[tn + n];
                            ddelta += lam * a[n] * p;
                            dA[n] += lam * delta * p;
                            carry[n] = abar * lam; // becomes Ā_t λ_t for step t-1
                        }
                        dut += delta * lamB;
                        ddelta += ut * lamB;
                        gu[ti] = dut;
                        // 6. Softplus: σ(x) below the threshold, identity above.
                        double ddr = x > SOFTPLUS_THRESHOLD ? ddelta : ddelta * sigmoid(x);
                        gdr[ti] = ddr;
                        gdb[e] += ddr;
                    }
                }
                // dA_log = dA ⊙ A since ∂A/∂A_log = A.
                for (int n = 0; n < N; n++) gal[e * N + n] += dA[n] * a[n];
            }
        }
    }

    // ================================================================ TSM2 input / output (MODEL.md §6.3)

    @Override
    public void revinNormalize(Tensor x, Tensor gamma, Tensor beta, int b, int t, int m, double eps,
                               Tensor out, Tensor mean, Tensor std) {
        double[] xs = data(x, "x", b * t * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        double[] o = data(out, "out", b * t * m), mu = data(mean, "mean", b * m), sd = data(std, "std", b * m);
        for (int bi = 0; bi < b; bi++)
            for (int mi = 0; mi < m; mi++) {
                double sum = 0.0;
                for (int ti = 0; ti < t; ti++) sum += xs[(bi * t + ti) * m + mi];
                double mv = sum / t;
                double var = 0.0; // population variance over T
                for (int ti = 0; ti < t; ti++) { double c = xs[(bi * t + ti) * m + mi] - mv; var += c * c; }
                var /= t;
                double sv = Math.sqrt(var + eps);
                mu[bi * m + mi] = mv;
                sd[bi * m + mi] = sv;
                for (int ti = 0; ti < t; ti++) {
                    int i = (bi * t + ti) * m + mi;
                    o[i] = (xs[i] - mv) / sv * gs[mi] + bs[mi];
                }
            }
    }

    @Override
    public void revinNormalizeBackward(Tensor x, Tensor mean, Tensor std, Tensor dout, int b, int t, int m,
                                       Tensor dgamma, Tensor dbeta) {
        double[] xs = data(x, "x", b * t * m), mu = data(mean, "mean", b * m), sd = data(std, "std", b * m);
        double[] g = data(dout, "dout", b * t * m), dgs = data(dgamma, "dgamma", m), dbs = data(dbeta, "dbeta", m);
        for (int bi = 0; bi < b; bi++)
            for (int ti = 0; ti < t; ti++)
                for (int mi = 0; mi < m; mi++) {
                    int i = (bi * t + ti) * m + mi;
                    dgs[mi] += g[i] * (xs[i] - mu[bi * m + mi]) / sd[bi * m + mi];
                    dbs[mi] += g[i];
                }
    }

    @Override
    public void revinDenormalize(Tensor y, Tensor gamma, Tensor beta, Tensor mean, Tensor std,
                                 int b, int h, int m, double eps, Tensor out) {
        double[] ys = data(y, "y", b * h * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        double[] mu = data(mean, "mean", b * m), sd = data(std, "std", b * m), o = data(out, "out", b * h * m);
        double eps2 = eps * eps;
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
        double[] ys = data(y, "y", b * h * m), gs = data(gamma, "gamma", m), bs = data(beta, "beta", m);
        double[] sd = data(std, "std", b * m), g = data(dout, "dout", b * h * m), dys = data(dy, "dy", b * h * m);
        double[] dgs = data(dgamma, "dgamma", m), dbs = data(dbeta, "dbeta", m);
        double eps2 = eps * eps;
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
                for (int mi = 0; mi < m; mi++) {
                    int i = (bi * h + hi) * m + mi;
                    double denom = gs[mi] + eps2;
                    double k = g[i] * sd[bi * m + mi] / denom; // dL/dy
                    dys[i] = k;
                    dbs[mi] -= k;
                    dgs[mi] -= k * (ys[i] - bs[mi]) / denom;
                }
    }

    @Override public void patchify(Tensor x, int b, int t, int m, int p, int s, int np, Tensor out) {
        double[] xs = data(x, "x", b * t * m), o = data(out, "out", b * m * np * p);
        for (int bi = 0; bi < b; bi++)
            for (int mi = 0; mi < m; mi++)
                for (int j = 0; j < np; j++)
                    for (int pi = 0; pi < p; pi++) {
                        int src = Math.min(j * s + pi, t - 1); // end padding repeats the last value
                        o[((bi * m + mi) * np + j) * p + pi] = xs[(bi * t + src) * m + mi];
                    }
    }

    @Override public void patchifyBackward(Tensor dout, int b, int t, int m, int p, int s, int np, Tensor dx) {
        double[] g = data(dout, "dout", b * m * np * p), dxs = data(dx, "dx", b * t * m);
        Arrays.fill(dxs, 0.0);
        for (int bi = 0; bi < b; bi++)
            for (int mi = 0; mi < m; mi++)
                for (int j = 0; j < np; j++)
                    for (int pi = 0; pi < p; pi++) {
                        int src = Math.min(j * s + pi, t - 1);
                        dxs[(bi * t + src) * m + mi] += g[((bi * m + mi) * np + j) * p + pi];
                    }
    }

    // ================================================================ optimiser

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                      double eps, double weightDecay, int step, double gradScale) {
        BackendChecks.adamStep(step);
        int n = param.size();
        double[] ps = data(param, "param"), gs = data(grad, "grad", n), ms = data(m, "m", n), vs = data(v, "v", n);
        double c1 = 1.0 - Math.pow(beta1, step), c2 = 1.0 - Math.pow(beta2, step);
        for (int i = 0; i < n; i++) {
            double gi = gs[i] * gradScale;
            ms[i] = beta1 * ms[i] + (1.0 - beta1) * gi;
            vs[i] = beta2 * vs[i] + (1.0 - beta2) * gi * gi;
            double mHat = ms[i] / c1, vHat = vs[i] / c2;
            ps[i] -= lr * (mHat / (Math.sqrt(vHat) + eps) + weightDecay * ps[i]);
        }
    }
}
