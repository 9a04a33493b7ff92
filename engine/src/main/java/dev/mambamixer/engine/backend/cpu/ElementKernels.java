package dev.mambamixer.engine.backend.cpu;

/**
 * The CPU backend's non-scan inner loops (SiLU, causal depth-wise conv, MODEL.md §4.2 step 2) over
 * one parallel block. {@link #scalar()} is plain Java; VectorElementKernels (loaded only when
 * jdk.incubator.vector is present) runs them as FloatVector lanes over the channel axis. Both
 * use a fixed evaluation order, so results are bit-reproducible for a given implementation.
 */
public abstract class ElementKernels {

    public abstract String name();

    /** o[i] = x[i] σ(x[i]) for i in [from, to). */
    public abstract void silu(float[] x, float[] o, int from, int to);

    /** d[i] = g[i] σ(x[i]) (1 + x[i] (1 - σ(x[i]))) for i in [from, to) (SiLU', MODEL.md §2). */
    public abstract void siluBackward(float[] x, float[] g, float[] d, int from, int to);

    /**
     * Causal conv forward for sequences [s0, s1): x, o (S, L, E); wt (K, E) (taps transposed so
     * each tap is contiguous over e); o[s,t,e] = bias[e] + Σ_k wt[k,e] x[s, t-K+1+k, e].
     */
    public abstract void convForward(float[] x, float[] wt, float[] bias, float[] o, int s0, int s1, int l, int e, int k);

    /**
     * Causal conv backward for sequences [s0, s1): dx overwritten (gather form, each row written
     * once); dw as (K, E) added into part[pw..], dbias (E) into part[pb..].
     */
    public abstract void convBackward(float[] x, float[] wt, float[] g, float[] dx, float[] part, int pw, int pb,
                                      int s0, int s1, int l, int e, int k);

    private static final ElementKernels SCALAR = new Scalar();

    public static ElementKernels scalar() { return SCALAR; }

    static float sigmoid(float x) { return 1f / (1f + (float) Math.exp(-x)); }

    private static final class Scalar extends ElementKernels {
        @Override public String name() { return "scalar"; }

        @Override public void silu(float[] x, float[] o, int from, int to) {
            for (int i = from; i < to; i++) { float v = x[i]; o[i] = v * sigmoid(v); }
        }

        @Override public void siluBackward(float[] x, float[] g, float[] d, int from, int to) {
            for (int i = from; i < to; i++) {
                float v = x[i], s = sigmoid(v);
                d[i] = g[i] * (s * (1f + v * (1f - s)));
            }
        }

        @Override public void convForward(float[] x, float[] wt, float[] bias, float[] o, int s0, int s1, int l, int e, int k) {
            for (int si = s0; si < s1; si++)
                for (int t = 0; t < l; t++) {
                    int row = (si * l + t) * e;
                    System.arraycopy(bias, 0, o, row, e);
                    for (int kk = 0; kk < k; kk++) {
                        int src = t - k + 1 + kk; // tap k-1 is the current step
                        if (src < 0) continue;
                        int xrow = (si * l + src) * e, wrow = kk * e;
                        for (int ei = 0; ei < e; ei++) o[row + ei] += wt[wrow + ei] * x[xrow + ei];
                    }
                }
        }

        @Override public void convBackward(float[] x, float[] wt, float[] g, float[] dx, float[] part, int pw, int pb,
                                           int s0, int s1, int l, int e, int k) {
            for (int si = s0; si < s1; si++)
                for (int j = 0; j < l; j++) {
                    int row = (si * l + j) * e;
                    // dx[j] = Σ_kk g[j + K-1-kk] · w[kk]
                    java.util.Arrays.fill(dx, row, row + e, 0f);
                    for (int kk = 0; kk < k; kk++) {
                        int t = j + k - 1 - kk;
                        if (t >= l) continue;
                        int grow = (si * l + t) * e, wrow = kk * e;
                        for (int ei = 0; ei < e; ei++) dx[row + ei] += g[grow + ei] * wt[wrow + ei];
                    }
                    // dw[kk] += g[j] · x[j-K+1+kk]; db += g[j]
                    for (int ei = 0; ei < e; ei++) part[pb + ei] += g[row + ei];
                    for (int kk = 0; kk < k; kk++) {
                        int src = j - k + 1 + kk;
                        if (src < 0) continue;
                        int xrow = (si * l + src) * e, prow = pw + kk * e;
                        for (int ei = 0; ei < e; ei++) part[prow + ei] += g[row + ei] * x[xrow + ei];
                    }
                }
        }
    }
}
