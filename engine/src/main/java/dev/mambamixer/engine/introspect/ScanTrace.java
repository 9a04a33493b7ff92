package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.nn.SsmCore;

/**
 * The float64 working form of one direction's selective scan after a forward pass: everything
 * MODEL.md §3.2 needs to recompute the scan, in <b>original</b> sequence positions (a backward core's
 * buffers are un-flipped here). {@link ScanCapture} is the float32, serialisable summary built
 * from it; use this class directly only when float64 precision matters (e.g. checking the
 * implicit attention against the {@code ReferenceBackend} to 1e-9).
 *
 * <p>Layouts (row-major): u, delta, z (S, L, E); b, c (S, L, N); a (E, N) = −exp(A_log);
 * d, deltaBias (E). z is null for an ungated scan.
 */
public record ScanTrace(String name, ScanDirection direction, boolean reversed, int s, int l, int e, int n,
                        double[] u, double[] delta, double[] b, double[] c, double[] z,
                        double[] a, double[] d, double[] deltaBias) {

    /** softplus₂₀ of MODEL.md §2 (the kernels' threshold). */
    static double softplus20(double x) { return x > 20 ? x : Math.log1p(Math.exp(x)); }

    static double silu(double x) { return x / (1 + Math.exp(-x)); }

    /**
     * Copies a core's last forward to the host. {@code BACKWARD}: the core scanned the flipped
     * sequence (backward direction of a bidirectional unit, MODEL.md §4.4).
     */
    public static ScanTrace of(Backend be, SsmCore core, String name, ScanDirection direction) {
        boolean reversed = direction.reversed();
        ScanDims dims = core.lastDims();
        if (dims == null) throw new IllegalStateException(name + ": the scan has not run a forward pass yet");
        int s = dims.s(), l = dims.l(), e = dims.e(), n = dims.n();
        double[] u = unflip(be.toDoubles(core.lastU()), s, l, e, reversed);
        double[] raw = unflip(be.toDoubles(core.lastDeltaRaw()), s, l, e, reversed);
        double[] b = unflip(be.toDoubles(core.lastB()), s, l, n, reversed);
        double[] c = unflip(be.toDoubles(core.lastC()), s, l, n, reversed);
        double[] z = core.lastZ() == null ? null : unflip(be.toDoubles(core.lastZ()), s, l, e, reversed);
        double[] aLog = be.toDoubles(core.aLog().value());
        double[] d = be.toDoubles(core.skipD().value());
        double[] bias = be.toDoubles(core.dtBias().value());
        double[] a = new double[e * n];
        for (int i = 0; i < a.length; i++) a[i] = -Math.exp(aLog[i]);              // A = −exp(A_log), MODEL.md §3.1
        for (int i = 0; i < raw.length; i++) raw[i] = softplus20(raw[i] + bias[i % e]); // Δ, MODEL.md §3.2
        return new ScanTrace(name, direction, reversed, s, l, e, n, u, raw, b, c, z, a, d, bias);
    }

    /** (S, L, W) with L reversed when {@code flip}; returns {@code x} itself otherwise. */
    static double[] unflip(double[] x, int s, int l, int w, boolean flip) {
        if (!flip) return x;
        double[] out = new double[x.length];
        for (int q = 0; q < s; q++)
            for (int t = 0; t < l; t++)
                System.arraycopy(x, (q * l + t) * w, out, (q * l + (l - 1 - t)) * w, w);
        return out;
    }

    /** Implicit attention of channel {@code ch} of sequence {@code seq}, in float64. */
    public ImplicitAttention attention(int seq, int ch) {
        checkIndex(seq, ch);
        double[] dcol = new double[l], arow = new double[n];
        for (int t = 0; t < l; t++) dcol[t] = delta[(seq * l + t) * e + ch];
        System.arraycopy(a, ch * n, arow, 0, n);
        double[] bs = java.util.Arrays.copyOfRange(b, seq * l * n, (seq + 1) * l * n);   // (L, N)
        double[] cs = java.util.Arrays.copyOfRange(c, seq * l * n, (seq + 1) * l * n);
        return ImplicitAttention.of(seq, ch, l, n, reversed, dcol, bs, cs, arow, d[ch]);
    }

    /** u of one channel over positions (L). */
    public double[] input(int seq, int ch) {
        checkIndex(seq, ch);
        double[] x = new double[l];
        for (int t = 0; t < l; t++) x[t] = u[(seq * l + t) * e + ch];
        return x;
    }

    /** SiLU(z) of one channel over positions (L); ones when the scan has no gate. */
    public double[] gate(int seq, int ch) {
        checkIndex(seq, ch);
        double[] g = new double[l];
        for (int t = 0; t < l; t++) g[t] = z == null ? 1 : silu(z[(seq * l + t) * e + ch]);
        return g;
    }

    void checkIndex(int seq, int ch) {
        if (seq < 0 || seq >= s || ch < 0 || ch >= e)
            throw new IndexOutOfBoundsException(name + ": sequence " + seq + " / channel " + ch + " outside S=" + s
                                                + ", E=" + e);
    }
}
