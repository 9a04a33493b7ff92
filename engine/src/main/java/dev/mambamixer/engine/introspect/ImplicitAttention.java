package dev.mambamixer.engine.introspect;

import java.util.Arrays;

/**
 * The implicit attention of one channel of one selective scan (MODEL.md §3.2 unrolled): with
 * h₋₁ = 0, hₜ = Σ_{s≤t} (∏_{k=s+1..t} exp(Δ_k A)) Δ_s B_s u_s, so the pre-gate output is
 * yₜ = Σ_s α[t,s]·u_s + D·uₜ with
 * <pre>  α[t,s] = Σ_n Cₜ[n] · exp(A[n]·(cumΔₜ − cumΔ_s)) · Δ_s · B_s[n]   (s ≤ t, else 0)</pre>
 * where cumΔ is the inclusive prefix sum of Δ in scan order (∏ exp(Δ_k A) = exp(A·Σ Δ_k)).
 * The prefix sum is taken in float64, so long sequences do not lose the difference.
 *
 * <p>Positions are always original sequence positions. For the backward direction of a
 * bidirectional unit (MODEL.md §4.4, scan over the flipped sequence) the scan order is reversed, so
 * α is upper-triangular: α[t,s] ≠ 0 only for s ≥ t, with α[t,s] = Σ_n Cₜ[n]·exp(A[n]·Σ_{k=t..s−1}Δ_k)·Δ_s·B_s[n].
 */
public final class ImplicitAttention {
    private final int seq, channel, l;
    private final boolean reversed;
    private final double[] alpha;   // (L, L) row-major: alpha[t * L + s]
    private final double d;

    ImplicitAttention(int seq, int channel, int l, boolean reversed, double[] alpha, double d) {
        this.seq = seq;
        this.channel = channel;
        this.l = l;
        this.reversed = reversed;
        this.alpha = alpha;
        this.d = d;
    }

    /**
     * α of one channel from float64 inputs, all in original positions.
     *
     * @param delta Δ after softplus, (L)
     * @param b     B, (L, N) row-major
     * @param c     C, (L, N) row-major
     * @param a     this channel's row of A = −exp(A_log), (N)
     * @param d     this channel's D skip
     */
    public static ImplicitAttention of(int seq, int channel, int l, int n, boolean reversed, double[] delta,
                                       double[] b, double[] c, double[] a, double d) {
        check(l, n, delta, b, c, a);
        double[] out = new double[l * l];
        compute(l, n, reversed, delta, b, c, a, new double[l], out);
        return new ImplicitAttention(seq, channel, l, reversed, out, d);
    }

    /** Kernel: overwrites out (L·L) with α; cum (L) is scratch. O(L²N) exponentials, no allocation. */
    static void compute(int l, int n, boolean reversed, double[] delta, double[] b, double[] c, double[] a,
                        double[] cum, double[] out) {
        Arrays.fill(out, 0, l * l, 0.0);
        double run = 0;
        for (int tau = 0; tau < l; tau++) {        // tau: step in scan order
            run += delta[reversed ? l - 1 - tau : tau];
            cum[tau] = run;
        }
        for (int tau = 0; tau < l; tau++) {
            int t = reversed ? l - 1 - tau : tau;   // original position of scan step tau
            for (int sig = 0; sig <= tau; sig++) {
                int s = reversed ? l - 1 - sig : sig;
                double gap = cum[tau] - cum[sig];   // Σ Δ_k over the steps after s up to t
                double acc = 0;
                for (int k = 0; k < n; k++) acc += c[t * n + k] * b[s * n + k] * Math.exp(a[k] * gap);
                out[t * l + s] = acc * delta[s];
            }
        }
    }

    private static void check(int l, int n, double[] delta, double[] b, double[] c, double[] a) {
        if (delta.length != l || b.length != l * n || c.length != l * n || a.length != n)
            throw new IllegalArgumentException("implicit attention needs delta (" + l + "), B and C (" + l + "x" + n
                                               + "), A (" + n + "); got " + delta.length + ", " + b.length + ", "
                                               + c.length + ", " + a.length);
    }

    public int seq() { return seq; }
    public int channel() { return channel; }
    /** Sequence length L (α is L × L). */
    public int length() { return l; }
    /** True for the backward direction (α upper-triangular in original positions). */
    public boolean reversed() { return reversed; }
    /** The D skip of this channel: the diagonal term added outside α. */
    public double skip() { return d; }

    /** α[t, s]: how much input position s contributes to output position t (pre-gate). */
    public double alpha(int t, int s) { return alpha[t * l + s]; }

    /** A copy of α as L rows. */
    public double[][] matrix() {
        double[][] m = new double[l][];
        for (int t = 0; t < l; t++) m[t] = Arrays.copyOfRange(alpha, t * l, (t + 1) * l);
        return m;
    }

    /** Pre-gate scan output yₜ = Σ_s α[t,s]·u_s + D·uₜ for this channel's input u (L). */
    public double[] apply(double[] u) {
        if (u.length != l) throw new IllegalArgumentException("u has " + u.length + " positions, expected " + l);
        double[] y = new double[l];
        for (int t = 0; t < l; t++) {
            double acc = d * u[t];
            for (int s = 0; s < l; s++) acc += alpha[t * l + s] * u[s];
            y[t] = acc;
        }
        return y;
    }
}
