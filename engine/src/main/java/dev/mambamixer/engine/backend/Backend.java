package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;

/**
 * The kernel seam (architecture sketch "backend"): every numeric operation a layer performs goes
 * through here, so the CPU float32, the float64 reference and the CUDA backends are
 * interchangeable. All tensors are dense row-major; a kernel never allocates its outputs.
 *
 * <p>Conventions:
 * <ul>
 *   <li>"overwrite" outputs are fully written; "accumulate" outputs get {@code +=} (parameter
 *       gradients always accumulate, so a step can sum several uses of one weight).</li>
 *   <li>Sequence tensors are token-major: {@code (S, L, E)} = (sequences, length, channels);
 *       this is the layout GEMMs produce, so no transposes are needed around the scan.</li>
 *   <li>Offsets ({@code aOff}...) are element offsets into the storage, for contiguous slices.</li>
 *   <li>Scalars are passed as {@code double}; float32 backends round once.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    String name();

    /** Bytes per element (4 for float32, 8 for float64). */
    int elementBytes();

    // ---------------------------------------------------------------- memory

    /** A new zero-filled tensor. */
    Tensor zeros(int... shape);

    /** A new tensor holding {@code data} (row-major), rounded to this backend's precision. */
    default Tensor fromDoubles(double[] data, int... shape) {
        Tensor t = zeros(shape);
        upload(data, t);
        return t;
    }

    default Tensor fromFloats(float[] data, int... shape) {
        Tensor t = zeros(shape);
        upload(data, t);
        return t;
    }

    /** Overwrite {@code dst} with {@code src} (same size). */
    void upload(double[] src, Tensor dst);

    void upload(float[] src, Tensor dst);

    double[] toDoubles(Tensor t);

    float[] toFloats(Tensor t);

    /** dst[dstOff + i] = src[srcOff + i], i < n (within or across tensors of this backend). */
    void copy(Tensor src, int srcOff, Tensor dst, int dstOff, int n);

    default void copy(Tensor src, Tensor dst) { copy(src, 0, dst, 0, src.size()); }

    void fill(Tensor t, double value);

    // ---------------------------------------------------------------- GEMM

    /**
     * C = alpha * op(A) * op(B) + beta * C, row-major. op(A) is m x k, op(B) is k x n, C is m x n.
     * A is stored m x k (k x m when transA), B k x n (n x k when transB); all contiguous from
     * their offsets. beta == 0 means C is overwritten (NaNs in C are ignored).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              double alpha, Tensor a, int aOff, Tensor b, int bOff,
              double beta, Tensor c, int cOff);

    // ---------------------------------------------------------------- element-wise (sizes equal)

    /** out = a + b. */
    void add(Tensor a, Tensor b, Tensor out);

    /** out = a - b. */
    void sub(Tensor a, Tensor b, Tensor out);

    /** out = a * b. */
    void mul(Tensor a, Tensor b, Tensor out);

    /** y += alpha * x (first n elements from the given offsets). */
    void axpy(double alpha, Tensor x, int xOff, Tensor y, int yOff, int n);

    default void axpy(double alpha, Tensor x, Tensor y) { axpy(alpha, x, 0, y, 0, x.size()); }

    /** x *= alpha. */
    void scale(Tensor x, double alpha);

    /** out = SiLU(x) = x * sigmoid(x). */
    void siluForward(Tensor x, Tensor out);

    /** dx = dout * SiLU'(x) (overwrite). */
    void siluBackward(Tensor x, Tensor dout, Tensor dx);

    /** Inner product sum_i a[i] * b[i], accumulated in double. */
    double dot(Tensor a, Tensor b);

    /** sum_i |x[i]|, accumulated in double. */
    double sumAbs(Tensor x);

    /** x[r, c] += v[c] for x viewed as (rows, cols). */
    void addRowVector(Tensor x, int rows, int cols, Tensor v);

    /** out[c] += sum_r x[r, c] for x viewed as (rows, cols) (accumulate). */
    void sumRows(Tensor x, int rows, int cols, Tensor out);

    /** Inverted dropout mask: each element is 1/keep with probability keep, else 0. Deterministic in seed. */
    void dropoutMask(Tensor mask, double keep, long seed);

    /** {@link #dropoutMask(Tensor, double, long)} with {@code seed.value()}; see {@link StepSeed}. */
    default void dropoutMask(Tensor mask, double keep, StepSeed seed) {
        dropoutMask(mask, keep, seed.value());
    }

    // ---------------------------------------------------------------- layout

    /** (A, B, C, D) -> (A, C, B, D): swap the two middle axes. */
    void swapMiddle(Tensor x, int a, int b, int c, int d, Tensor out);

    /** (S, L, E) -> (S, L, E) with the L axis reversed. out must not alias x. */
    void flipSequence(Tensor x, int s, int l, int e, Tensor out);

    /**
     * out = a + flip(b) (S, L, E): a bidirectional unit's backward branch back in forward order,
     * summed with the forward branch (MODEL.md §4.4). out must not alias a or b. The default is a
     * flip into out and an add; host backends do it in one pass.
     */
    default void addFlipped(Tensor a, Tensor b, int s, int l, int e, Tensor out) {
        BackendChecks.noAlias(a, out, "addFlipped");
        flipSequence(b, s, l, e, out);
        add(a, out, out);
    }

    // ---------------------------------------------------------------- convolution (MODEL.md §4.2 step 2)

    /**
     * Causal depth-wise conv along L. x, out: (S, L, E); w: (E, K); bias: (E).
     * out[s,t,e] = bias[e] + sum_k w[e,k] * x[s, t-K+1+k, e] (zero for negative indices).
     */
    void causalConvForward(Tensor x, Tensor w, Tensor bias, int s, int l, int e, int k, Tensor out);

    /** Adjoint of {@link #causalConvForward}: dx overwrite; dw, dbias accumulate. */
    void causalConvBackward(Tensor x, Tensor w, Tensor dout, int s, int l, int e, int k,
                            Tensor dx, Tensor dw, Tensor dbias);

    // ---------------------------------------------------------------- images (MODEL.md §7, ViM2)

    /**
     * Depth-wise 2-D convolution, k odd, 'same' zero padding, not causal (MODEL.md §7.2 step 2).
     * x, out: (B, H, W, E) channels-last; w: (E, k, k); bias: (E).
     * out[b,i,j,e] = bias[e] + sum_{p,q} w[e,p,q] * x[b, i+p-k/2, j+q-k/2, e] (zero outside).
     */
    void depthwiseConv2dForward(Tensor x, Tensor w, Tensor bias, int b, int h, int wd, int e, int k, Tensor out);

    /** Adjoint of {@link #depthwiseConv2dForward}: dx overwrite; dw, dbias accumulate. */
    void depthwiseConv2dBackward(Tensor x, Tensor w, Tensor dout, int b, int h, int wd, int e, int k,
                                 Tensor dx, Tensor dw, Tensor dbias);

    /**
     * PatchMerging2D gather (MODEL.md §7.1): x (B, H, W, C) -> out (B, ceil(H/2), ceil(W/2), 4C), the
     * 2×2 neighbours concatenated in the order (0,0), (1,0), (0,1), (1,1) (row offset first, as
     * VMamba), zeros where an odd H or W runs past the edge.
     */
    void mergePatches2x2(Tensor x, int b, int h, int w, int c, Tensor out);

    /** Adjoint of {@link #mergePatches2x2}: dx (B, H, W, C) overwrite. */
    void mergePatches2x2Backward(Tensor dout, int b, int h, int w, int c, Tensor dx);

    // ---------------------------------------------------------------- normalisation

    /**
     * LayerNorm over the last {@code n} elements of each of {@code rows} rows (MODEL.md §6.4 Norm2D
     * is this with n = the two flattened axes). mean, rstd: (rows), saved for backward.
     */
    void layerNormForward(Tensor x, Tensor gamma, Tensor beta, int rows, int n, double eps,
                          Tensor out, Tensor mean, Tensor rstd);

    /** dx overwrite; dgamma, dbeta accumulate. */
    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dout,
                           int rows, int n, Tensor dx, Tensor dgamma, Tensor dbeta);

    // ---------------------------------------------------------------- selective scan (MODEL.md §3)

    /**
     * S6 forward (MODEL.md §3.2), token-major; {@link ScanInputs} gives the input layouts, out is
     * (S, L, E). Stores the state h at the start of each chunk of {@code chunk} steps into
     * {@code checkpoints}: (S, ceil(L/chunk), E, N), so backward can recompute inside a chunk
     * (MODEL.md §3.3 "Chunked checkpoints").
     */
    void scanForward(ScanDims dims, ScanInputs in, Tensor out, Tensor checkpoints);

    /**
     * S6 backward (MODEL.md §3.3) from the forward's inputs and checkpoints. Activation gradients
     * du, dDeltaRaw, dB, dC, dz overwrite; parameter gradients dALog, dD, dDeltaBias accumulate
     * (see {@link ScanGrads}). grads.dz is ignored when in.z is null.
     */
    void scanBackward(ScanDims dims, ScanInputs in, Tensor checkpoints, Tensor dout, ScanGrads grads);

    // ---------------------------------------------------------------- TSM2 input / output (MODEL.md §6.3)

    /**
     * RevIN normalise (MODEL.md §6.3 step 1). x, out: (B, T, M); gamma, beta: (M); mean, std: (B, M)
     * written (population variance, std = sqrt(var + eps)). out = (x - mean)/std * gamma + beta.
     */
    void revinNormalize(Tensor x, Tensor gamma, Tensor beta, int b, int t, int m, double eps,
                        Tensor out, Tensor mean, Tensor std);

    /** Gradients of gamma, beta (accumulate) for {@link #revinNormalize}; mean/std are constants. */
    void revinNormalizeBackward(Tensor x, Tensor mean, Tensor std, Tensor dout, int b, int t, int m,
                                Tensor dgamma, Tensor dbeta);

    /**
     * RevIN denormalise. y, out: (B, H, M). out = (y - beta) / (gamma + eps^2) * std + mean.
     */
    void revinDenormalize(Tensor y, Tensor gamma, Tensor beta, Tensor mean, Tensor std,
                          int b, int h, int m, double eps, Tensor out);

    /** dy overwrite; dgamma, dbeta accumulate. */
    void revinDenormalizeBackward(Tensor y, Tensor gamma, Tensor beta, Tensor std, Tensor dout,
                                  int b, int h, int m, double eps, Tensor dy, Tensor dgamma, Tensor dbeta);

    /**
     * Patching (MODEL.md §6.3 step 2). x: (B, T, M) -> out: (B, M, Np, P) with out[b,m,j,p] =
     * x[b, min(j*S + p, T-1), m]. Np = (T - P)/S + 1 normally; one more with end padding, where
     * indices past the end repeat the last value (PatchTST style).
     */
    void patchify(Tensor x, int b, int t, int m, int p, int s, int np, Tensor out);

    /** Adjoint of {@link #patchify}: dx overwrite (overlaps and padding add up). */
    void patchifyBackward(Tensor dout, int b, int t, int m, int p, int s, int np, Tensor dx);

    // ---------------------------------------------------------------- optimiser

    /**
     * One AdamW step (decoupled weight decay), in place:
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * p -= lr * (mHat / (sqrt(vHat) + eps) + wd * p), with bias corrections c1 = 1-b1^step,
     * c2 = 1-b2^step (mHat = m/c1, vHat = v/c2). gradScale multiplies g first (clipping).
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
               double eps, double weightDecay, int step, double gradScale);

    /**
     * {@link #adamw} for every i over parallel lists (weightDecay[i] per tensor), in list order.
     * Backends with launch overhead (CUDA) override this with one launch for the whole list;
     * the default is exactly the per-tensor loop, so host backends are unchanged.
     */
    default void adamwAll(java.util.List<Tensor> params, java.util.List<Tensor> grads, java.util.List<Tensor> m,
                          java.util.List<Tensor> v, double lr, double beta1, double beta2, double eps,
                          double[] weightDecay, int step, double gradScale) {
        int n = params.size();
        if (grads.size() != n || m.size() != n || v.size() != n || weightDecay.length != n)
            throw new IllegalArgumentException("adamwAll: list sizes differ: params " + n + ", grads " + grads.size()
                + ", m " + m.size() + ", v " + v.size() + ", weightDecay " + weightDecay.length);
        for (int i = 0; i < n; i++)
            adamw(params.get(i), grads.get(i), m.get(i), v.get(i), lr, beta1, beta2, eps, weightDecay[i], step, gradScale);
    }

    /**
     * Sum over the tensors of sum x^2, accumulated in double tensor by tensor in list order
     * (the default is exactly {@code s += dot(t, t)}; the CUDA override is one launch, one sync).
     */
    default double sumOfSquares(java.util.List<Tensor> ts) {
        double s = 0;
        for (Tensor t : ts) s += dot(t, t);
        return s;
    }

    /** Fills every tensor of the list with zeros (default: {@link #fill} each). */
    default void zeroAll(java.util.List<Tensor> ts) {
        for (Tensor t : ts) fill(t, 0);
    }

    // ---------------------------------------------------------------- weighted averaging (MODEL.md §5.3)

    /**
     * out = sum_j w_j src[j] with w = raw (free weights) or softmax(raw), in double on the host;
     * sources with w_j == 0 are skipped. The CUDA backend keeps the weights on the device.
     */
    default void weightedAverageForward(Tensor raw, boolean softmax, Tensor[] src, Tensor out) {
        double[] w = WeightedSums.effective(toDoubles(raw), softmax);
        fill(out, 0);
        for (int j = 0; j < w.length; j++) if (w[j] != 0) axpy(w[j], src[j], out);
    }

    /**
     * Backward of {@link #weightedAverageForward} with the same raw weights: grads[j] += w_j dOut
     * and rawGrad += dL/draw, where dL/dw_j = <dOut, src[j]> (chained through the softmax).
     */
    default void weightedAverageBackward(Tensor raw, boolean softmax, Tensor dOut, Tensor[] src, Tensor[] grads,
                                         Tensor rawGrad) {
        double[] w = WeightedSums.effective(toDoubles(raw), softmax);
        double[] gw = new double[w.length];
        for (int j = 0; j < w.length; j++) {
            gw[j] = dot(dOut, src[j]);
            if (w[j] != 0) axpy(w[j], dOut, grads[j]);
        }
        double[] g = toDoubles(rawGrad);
        WeightedSums.addRawGradient(w, gw, softmax, g);
        upload(g, rawGrad);
    }

    /** The device-resident training step, on backends that have one (CUDA). */
    default java.util.Optional<DeviceStep> deviceStep() { return java.util.Optional.empty(); }

    /** Frees backend resources (device memory); a no-op for host backends. */
    @Override default void close() {}
}
