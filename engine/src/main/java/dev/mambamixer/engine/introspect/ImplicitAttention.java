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
 *
 * <p>In general the scan may read the stored positions in any order ({@link #scanOrder()}:
 * {@code order[τ]} is the stored position read at scan step τ), e.g. an SS2D direction of ViM2
 * whose positions are stored in row-major image order (see {@link CrossScanDirection}). Then
 * α[t,s] ≠ 0 only where s is read no later than t, and the cumulative sums run in scan order.
 */
public final class ImplicitAttention {
    private final int seq, channel, l;
    private final int[] order;      // (L): stored position read at scan step tau
    private final double[] alpha;   // (L, L) row-major: alpha[t * L + s]
    private final double d;

    ImplicitAttention(int seq, int channel, int l, int[] order, double[] alpha, double d) {
        this.seq = seq;
        this.channel = channel;
        this.l = l;
        this.order = order;
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
        return of(seq, channel, l, n, linearOrder(l, reversed), delta, b, c, a, d);
    }

    /**
     * α of one channel whose scan reads the stored positions in {@code order} ({@code order[τ]}
     * = stored position read at scan step τ, a permutation of 0..L−1); inputs in stored positions.
     */
    public static ImplicitAttention of(int seq, int channel, int l, int n, int[] order, double[] delta,
                                       double[] b, double[] c, double[] a, double d) {
        check(l, n, delta, b, c, a);
        checkOrder(l, order);
        double[] out = new double[l * l];
        compute(l, n, order, delta, b, c, a, new double[l], out);
        return new ImplicitAttention(seq, channel, l, order.clone(), out, d);
    }

    /** 0..L−1, or L−1..0 when {@code reversed}: the scan order of a 1-D forward or backward scan. */
    static int[] linearOrder(int l, boolean reversed) {
        int[] o = new int[l];
        for (int tau = 0; tau < l; tau++) o[tau] = reversed ? l - 1 - tau : tau;
        return o;
    }

    /** Kernel for a 1-D forward ({@code reversed} false) or backward scan (allocates the order); see the general one. */
    static void compute(int l, int n, boolean reversed, double[] delta, double[] b, double[] c, double[] a,
                        double[] cum, double[] out) {
        compute(l, n, linearOrder(l, reversed), delta, b, c, a, cum, out);
    }

    /** Kernel: overwrites out (L·L) with α; cum (L) is scratch. O(L²N) exponentials, no allocation. */
    static void compute(int l, int n, int[] order, double[] delta, double[] b, double[] c, double[] a,
                        double[] cum, double[] out) {
        Arrays.fill(out, 0, l * l, 0.0);
        double run = 0;
        for (int tau = 0; tau < l; tau++) {        // tau: step in scan order
            run += delta[order[tau]];
            cum[tau] = run;
        }
        for (int tau = 0; tau < l; tau++) {
            int t = order[tau];                     // stored position of scan step tau
            for (int sig = 0; sig <= tau; sig++) {
                int s = order[sig];
                double gap = cum[tau] - cum[sig];   // Σ Δ_k over the steps after s up to t
                double acc = 0;
                for (int k = 0; k < n; k++) acc += c[t * n + k] * b[s * n + k] * Math.exp(a[k] * gap);
                out[t * l + s] = acc * delta[s];
            }
        }
    }

    /**
     * One row of α: overwrites out (L) with α[query, s] over the stored positions s (0 where s is
     * read after {@code query}). O(L·N): for one query of a long sequence (an image's H·W tokens)
     * without the L × L matrix. cum (L) is scratch.
     */
    static void row(int l, int n, int[] order, int query, double[] delta, double[] b, double[] c, double[] a,
                    double[] cum, double[] out) {
        Arrays.fill(out, 0, l, 0.0);
        int tq = -1;
        double run = 0;
        for (int tau = 0; tau < l; tau++) {
            run += delta[order[tau]];
            cum[tau] = run;
            if (order[tau] == query) { tq = tau; break; }
        }
        if (tq < 0) throw new IllegalArgumentException("position " + query + " is not in the scan order");
        for (int sig = 0; sig <= tq; sig++) {
            int s = order[sig];
            double gap = cum[tq] - cum[sig];
            double acc = 0;
            for (int k = 0; k < n; k++) acc += c[query * n + k] * b[s * n + k] * Math.exp(a[k] * gap);
            out[s] = acc * delta[s];
        }
    }

    static void checkOrder(int l, int[] order) {
        if (order == null || order.length != l)
            throw new IllegalArgumentException("scan order must have " + l + " positions");
        boolean[] seen = new boolean[l];
        for (int p : order) {
            if (p < 0 || p >= l || seen[p])
                throw new IllegalArgumentException("scan order is not a permutation of 0.." + (l - 1));
            seen[p] = true;
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
    /**
     * True when the scan reads the stored positions exactly backwards (the backward direction of a
     * bidirectional unit, or SS2D's row-major reversed): α is upper-triangular in stored positions.
     */
    public boolean reversed() {
        for (int tau = 0; tau < l; tau++) if (order[tau] != l - 1 - tau) return false;
        return true;
    }

    /** The scan order (a copy): element τ is the stored position read at scan step τ. */
    public int[] scanOrder() { return order.clone(); }
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
