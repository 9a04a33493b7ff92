package dev.mambamixer.engine.introspect;

import java.util.Arrays;
import java.util.Objects;

/**
 * One direction of one mixer's selective scan on the probe batch, as plain float32 arrays in
 * <b>original</b> sequence positions (the backward direction of a bidirectional unit is already
 * un-flipped). Layouts are row-major:
 * <ul>
 *   <li>{@code u} (S, L, E): scan input (post-conv SiLU, MODEL.md §4.2 step 3);</li>
 *   <li>{@code delta} (S, L, E): Δ = softplus₂₀(δ_raw + b_δ) (MODEL.md §3.2);</li>
 *   <li>{@code b}, {@code c} (S, L, N): the input-dependent B and C (shared across channels);</li>
 *   <li>{@code gate} (S, L, E): SiLU(z) (MODEL.md §4.2 step 6; ones when the scan has no gate);</li>
 *   <li>{@code retention} (S, L): mean over channels e and states n of exp(Δₜ[e]·A[e,n]),
 *       the fraction of the state kept at that step (1 = remembers, near 0 = resets);</li>
 *   <li>{@code stateNorm} (S, L): ‖hₜ‖, the Frobenius norm over (E, N) of the scan state right
 *       after this direction consumed position t;</li>
 *   <li>{@code a} (E, N) = −exp(A_log); {@code d} (E) the skip; {@code deltaBias} (E) b_δ.</li>
 * </ul>
 * Implicit attention ({@link #attention}) is derived on demand, not stored.
 */
public final class ScanCapture {
    private final String name;
    private final ScanDirection direction;
    private final boolean reversed;
    private final int s, l, e, n;
    private final float[] u, delta, b, c, gate, retention, stateNorm, a, d, deltaBias;

    public ScanCapture(String name, ScanDirection direction, boolean reversed, int s, int l, int e, int n,
                       float[] u, float[] delta, float[] b, float[] c, float[] gate, float[] retention,
                       float[] stateNorm, float[] a, float[] d, float[] deltaBias) {
        this.name = Objects.requireNonNull(name, "name");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.reversed = reversed;
        this.s = s;
        this.l = l;
        this.e = e;
        this.n = n;
        this.u = len(u, "u", s * l * e);
        this.delta = len(delta, "delta", s * l * e);
        this.b = len(b, "b", s * l * n);
        this.c = len(c, "c", s * l * n);
        this.gate = len(gate, "gate", s * l * e);
        this.retention = len(retention, "retention", s * l);
        this.stateNorm = len(stateNorm, "stateNorm", s * l);
        this.a = len(a, "a", e * n);
        this.d = len(d, "d", e);
        this.deltaBias = len(deltaBias, "deltaBias", e);
    }

    private float[] len(float[] x, String what, int expected) {
        Objects.requireNonNull(x, what);
        if (x.length != expected)
            throw new IllegalArgumentException(name + "." + what + " has " + x.length + " values, expected " + expected
                                               + " (S=" + s + ", L=" + l + ", E=" + e + ", N=" + n + ")");
        return x;
    }

    /** Float32 capture of a 1-D (forward or backward) float64 trace, with the derived retention and state norms. */
    public static ScanCapture of(ScanTrace tr) {
        int s = tr.s(), l = tr.l(), e = tr.e(), n = tr.n();
        boolean reversed = tr.reversed();
        if (!reversed && !java.util.Arrays.equals(tr.order(), ImplicitAttention.linearOrder(l, false)))
            throw new IllegalArgumentException(tr.name() + ": a ScanCapture needs a forward or backward scan order; "
                                               + "an SS2D " + tr.crossScan() + " trace stays a ScanTrace (see Vim2Capture)");
        double[] gate = new double[s * l * e];
        for (int i = 0; i < gate.length; i++) gate[i] = tr.z() == null ? 1 : ScanTrace.silu(tr.z()[i]);
        double[] retention = new double[s * l], sq = new double[s * l], h = new double[n];
        double[] dl = tr.delta(), a = tr.a(), bm = tr.b(), u = tr.u();
        for (int q = 0; q < s; q++) {
            for (int ch = 0; ch < e; ch++) {
                Arrays.fill(h, 0);
                for (int tau = 0; tau < l; tau++) {                      // scan order
                    int t = reversed ? l - 1 - tau : tau;                // original position
                    int ti = (q * l + t) * e + ch, tn = (q * l + t) * n;
                    double dt = dl[ti], du = dt * u[ti], keep = 0, norm = 0;
                    for (int k = 0; k < n; k++) {
                        double decay = Math.exp(dt * a[ch * n + k]);
                        keep += decay;
                        h[k] = decay * h[k] + du * bm[tn + k];           // MODEL.md §3.2 recurrence
                        norm += h[k] * h[k];
                    }
                    retention[q * l + t] += keep;
                    sq[q * l + t] += norm;
                }
            }
        }
        for (int i = 0; i < s * l; i++) {
            retention[i] /= (double) e * n;
            sq[i] = Math.sqrt(sq[i]);
        }
        return new ScanCapture(tr.name(), tr.direction(), reversed, s, l, e, n, f(u), f(dl), f(bm), f(tr.c()),
                               f(gate), f(retention), f(sq), f(a), f(tr.d()), f(tr.deltaBias()));
    }

    static float[] f(double[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
        return y;
    }

    // ------------------------------------------------------------------ derived views

    /** Implicit attention of channel {@code ch} in sequence {@code seq} (float64 from the float32 capture). */
    public ImplicitAttention attention(int seq, int ch) {
        checkIndex(seq, ch);
        double[] dcol = new double[l], arow = new double[n], bs = new double[l * n], cs = new double[l * n];
        load(seq, ch, dcol, arow, bs, cs);
        return ImplicitAttention.of(seq, ch, l, n, reversed, dcol, bs, cs, arow, d[ch]);
    }

    /**
     * Aggregated implicit attention of sequence {@code seq}: (1/E)·Σ_e |α_e[t,s]|, the mean
     * absolute attention over all inner channels, as L rows of L.
     */
    public float[][] meanAbsAttention(int seq) {
        checkIndex(seq, 0);
        double[] dcol = new double[l], arow = new double[n], bs = new double[l * n], cs = new double[l * n];
        double[] cum = new double[l], alpha = new double[l * l], sum = new double[l * l];
        for (int ch = 0; ch < e; ch++) {
            load(seq, ch, dcol, arow, bs, cs);
            ImplicitAttention.compute(l, n, reversed, dcol, bs, cs, arow, cum, alpha);
            for (int i = 0; i < l * l; i++) sum[i] += Math.abs(alpha[i]);
        }
        float[][] m = new float[l][l];
        for (int t = 0; t < l; t++) for (int q = 0; q < l; q++) m[t][q] = (float) (sum[t * l + q] / e);
        return m;
    }

    private void load(int seq, int ch, double[] dcol, double[] arow, double[] bs, double[] cs) {
        for (int t = 0; t < l; t++) dcol[t] = delta[(seq * l + t) * e + ch];
        for (int k = 0; k < n; k++) arow[k] = a[ch * n + k];
        for (int i = 0; i < l * n; i++) {
            bs[i] = b[seq * l * n + i];
            cs[i] = c[seq * l * n + i];
        }
    }

    /** One channel of an (S, L, E) array over positions, e.g. {@code series(u(), seq, ch)}. */
    public double[] series(float[] sle, int seq, int ch) {
        checkIndex(seq, ch);
        if (sle.length != s * l * e) throw new IllegalArgumentException("expected an (S, L, E) array of " + s * l * e);
        double[] x = new double[l];
        for (int t = 0; t < l; t++) x[t] = sle[(seq * l + t) * e + ch];
        return x;
    }

    /**
     * The quantity as rows × positions for sequence {@code seq}: rows are inner channels e (Δ,
     * gate), state indices n (B, C), or all sequences (retention, state norm; {@code seq} is then
     * ignored).
     */
    public float[][] matrix(int seq, ScanQuantity q) {
        return switch (q) {
            case DELTA -> transpose(delta, seq, e);
            case GATE -> transpose(gate, seq, e);
            case B -> transpose(b, seq, n);
            case C -> transpose(c, seq, n);
            case RETENTION -> rows(retention);
            case STATE_NORM -> rows(stateNorm);
        };
    }

    /** (S, L, K) row-major, sequence {@code seq} -> K rows of L (K = channel or state index). */
    private float[][] transpose(float[] slk, int seq, int k) {
        if (seq < 0 || seq >= s) throw new IndexOutOfBoundsException(name + ": sequence " + seq + " outside S=" + s);
        float[][] m = new float[k][l];
        for (int t = 0; t < l; t++)
            for (int j = 0; j < k; j++) m[j][t] = slk[(seq * l + t) * k + j];
        return m;
    }

    /** (S, L) row-major -> S rows of L. */
    private float[][] rows(float[] sl) {
        float[][] m = new float[s][l];
        for (int q = 0; q < s; q++) System.arraycopy(sl, q * l, m[q], 0, l);
        return m;
    }

    public Stats deltaStats() { return Stats.of(delta); }
    public Stats bStats() { return Stats.of(b); }
    public Stats cStats() { return Stats.of(c); }
    public Stats gateStats() { return Stats.of(gate); }

    private void checkIndex(int seq, int ch) {
        if (seq < 0 || seq >= s || ch < 0 || ch >= e)
            throw new IndexOutOfBoundsException(name + ": sequence " + seq + " / channel " + ch + " outside S=" + s
                                                + ", E=" + e);
    }

    // ------------------------------------------------------------------ accessors (arrays are not copied)

    /** Name of the unit plus direction, e.g. {@code blocks.0.variate.mamba (backward)}. */
    public String name() { return name; }
    /** Forward or backward. */
    public ScanDirection direction() { return direction; }
    /** True when this direction scans the flipped sequence (positions are still original). */
    public boolean reversed() { return reversed; }
    /** Number of scanned sequences S. */
    public int s() { return s; }
    /** Sequence length L. */
    public int l() { return l; }
    /** Inner width E. */
    public int e() { return e; }
    /** State size N. */
    public int n() { return n; }
    public float[] u() { return u; }
    public float[] delta() { return delta; }
    public float[] b() { return b; }
    public float[] c() { return c; }
    public float[] gate() { return gate; }
    public float[] retention() { return retention; }
    public float[] stateNorm() { return stateNorm; }
    public float[] a() { return a; }
    public float[] d() { return d; }
    public float[] deltaBias() { return deltaBias; }

    @Override public boolean equals(Object o) {
        return o instanceof ScanCapture x && name.equals(x.name) && direction.equals(x.direction)
               && reversed == x.reversed && s == x.s && l == x.l && e == x.e && n == x.n
               && Arrays.equals(u, x.u) && Arrays.equals(delta, x.delta) && Arrays.equals(b, x.b)
               && Arrays.equals(c, x.c) && Arrays.equals(gate, x.gate) && Arrays.equals(retention, x.retention)
               && Arrays.equals(stateNorm, x.stateNorm) && Arrays.equals(a, x.a) && Arrays.equals(d, x.d)
               && Arrays.equals(deltaBias, x.deltaBias);
    }

    @Override public int hashCode() { return Objects.hash(name, direction, s, l, e, n, Arrays.hashCode(delta)); }

    @Override public String toString() {
        return "ScanCapture[" + name + ", S=" + s + ", L=" + l + ", E=" + e + ", N=" + n + "]";
    }
}
