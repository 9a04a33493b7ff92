package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.nn.ScanBranch;
import dev.mambamixer.engine.nn.SsmCore;
import java.util.Arrays;

/**
 * The float64 working form of one direction's selective scan after a forward pass: everything
 * MODEL.md §3.2 needs to recompute the scan, in <b>stored</b> positions, not in scan order.
 * {@link ScanCapture} is the float32, serialisable summary built from a 1-D trace; use this class
 * directly when float64 precision matters (e.g. checking the implicit attention against the
 * {@code ReferenceBackend} to 1e-9) or for ViM2's SS2D directions ({@link Vim2Capture}).
 *
 * <p>Stored positions: for a 1-D scan (a {@link SsmCore} or a {@link ScanBranch} of a TSM2 or
 * teaching-model unit) the original sequence positions, so a backward core's buffers are
 * un-flipped here. For an SS2D direction ({@link #crossScan()} non-null) the row-major image
 * position p = i·W + j of token (i, j), whatever the direction's scan order (column-major and
 * reversed directions are permuted back). {@link #order()}: {@code order[τ]} is the stored position
 * the scan read at step τ (so stored position {@code order[τ]} holds the branch's buffer row τ).
 *
 * <p>Layouts (row-major): u, delta, z (S, L, E); b, c (S, L, N); a (E, N) = −exp(A_log);
 * d, deltaBias (E). z is null for an ungated scan (every SS2D direction). For SS2D, S = B images and
 * L = H·W tokens.
 *
 * @param direction along (forward) or against (backward) the base order: the 1-D sequence, or for
 *                  SS2D the row- or column-major order ({@link CrossScanDirection#alongBaseOrder()})
 * @param crossScan the SS2D direction, or null for a 1-D scan
 */
public record ScanTrace(String name, ScanDirection direction, CrossScanDirection crossScan, int[] order,
                        int s, int l, int e, int n,
                        double[] u, double[] delta, double[] b, double[] c, double[] z,
                        double[] a, double[] d, double[] deltaBias) {

    public ScanTrace {
        ImplicitAttention.checkOrder(l, order);
    }

    /** softplus₂₀ of MODEL.md §2 (the kernels' threshold). */
    static double softplus20(double x) { return x > 20 ? x : Math.log1p(Math.exp(x)); }

    static double silu(double x) { return x / (1 + Math.exp(-x)); }

    /**
     * Copies a core's last forward to the host (its {@link SsmCore#scan() scan branch} holds the
     * buffers). {@code BACKWARD}: the core scanned the flipped sequence (backward direction of a
     * bidirectional unit, MODEL.md §4.4).
     */
    public static ScanTrace of(Backend be, SsmCore core, String name, ScanDirection direction) {
        return of(be, core.scan(), name, direction);
    }

    /** A 1-D scan branch's last forward; {@code BACKWARD} un-flips the positions (see {@link #of(Backend, SsmCore, String, ScanDirection)}). */
    public static ScanTrace of(Backend be, ScanBranch branch, String name, ScanDirection direction) {
        ScanDims dims = dims(branch, name);
        return gather(be, branch, name, direction, null, ImplicitAttention.linearOrder(dims.l(), direction.reversed()));
    }

    /**
     * Direction {@code dir} of an SS2D token mixer ({@code Ss2dMixer.scan(dir.index())}) over an
     * h × w token grid, permuted back to row-major image positions i·W + j.
     */
    public static ScanTrace of(Backend be, ScanBranch branch, String name, CrossScanDirection dir, int h, int w) {
        ScanDims dims = dims(branch, name);
        if (dims.l() != h * w)
            throw new IllegalArgumentException(name + ": the scan ran over " + dims.l() + " positions, not an " + h + "x" + w
                                               + " grid");
        return gather(be, branch, name, dir.alongBaseOrder(), dir, dir.scanOrder(h, w));
    }

    private static ScanDims dims(ScanBranch branch, String name) {
        ScanDims dims = branch.lastDims();
        if (dims == null) throw new IllegalStateException(name + ": the scan has not run a forward pass yet");
        return dims;
    }

    private static ScanTrace gather(Backend be, ScanBranch br, String name, ScanDirection direction,
                                    CrossScanDirection crossScan, int[] order) {
        ScanDims dims = br.lastDims();
        int s = dims.s(), l = dims.l(), e = dims.e(), n = dims.n();
        double[] u = toStored(be.toDoubles(br.lastU()), s, l, e, order);
        double[] raw = toStored(be.toDoubles(br.lastDeltaRaw()), s, l, e, order);
        double[] b = toStored(be.toDoubles(br.lastB()), s, l, n, order);
        double[] c = toStored(be.toDoubles(br.lastC()), s, l, n, order);
        double[] z = br.lastZ() == null ? null : toStored(be.toDoubles(br.lastZ()), s, l, e, order);
        double[] aLog = be.toDoubles(br.aLog().value());
        double[] d = be.toDoubles(br.skipD().value());
        double[] bias = be.toDoubles(br.dtBias().value());
        double[] a = new double[e * n];
        for (int i = 0; i < a.length; i++) a[i] = -Math.exp(aLog[i]);              // A = −exp(A_log), MODEL.md §3.1
        for (int i = 0; i < raw.length; i++) raw[i] = softplus20(raw[i] + bias[i % e]); // Δ, MODEL.md §3.2
        return new ScanTrace(name, direction, crossScan, order, s, l, e, n, u, raw, b, c, z, a, d, bias);
    }

    /** (S, L, W) in scan order -> stored positions: row τ of each sequence goes to position order[τ]. */
    static double[] toStored(double[] x, int s, int l, int w, int[] order) {
        double[] out = new double[x.length];
        for (int q = 0; q < s; q++)
            for (int tau = 0; tau < l; tau++)
                System.arraycopy(x, (q * l + tau) * w, out, (q * l + order[tau]) * w, w);
        return out;
    }

    /** (S, L, W) with L reversed when {@code flip}; returns {@code x} itself otherwise. */
    static double[] unflip(double[] x, int s, int l, int w, boolean flip) {
        return flip ? toStored(x, s, l, w, ImplicitAttention.linearOrder(l, true)) : x;
    }

    /**
     * True when the scan read the stored positions exactly backwards (a backward core, or SS2D's
     * row-major reversed direction); column-major directions are neither forwards nor backwards.
     */
    public boolean reversed() {
        for (int tau = 0; tau < l; tau++) if (order[tau] != l - 1 - tau) return false;
        return true;
    }

    /** The scan step at which stored position {@code pos} was read (inverse of {@link #order()}). */
    public int scanStep(int pos) {
        for (int tau = 0; tau < l; tau++) if (order[tau] == pos) return tau;
        throw new IndexOutOfBoundsException(name + ": position " + pos + " outside L=" + l);
    }

    /** Implicit attention of channel {@code ch} of sequence {@code seq}, in float64, stored positions. */
    public ImplicitAttention attention(int seq, int ch) {
        checkIndex(seq, ch);
        double[] dcol = new double[l], arow = new double[n];
        for (int t = 0; t < l; t++) dcol[t] = delta[(seq * l + t) * e + ch];
        System.arraycopy(a, ch * n, arow, 0, n);
        double[] bs = Arrays.copyOfRange(b, seq * l * n, (seq + 1) * l * n);   // (L, N)
        double[] cs = Arrays.copyOfRange(c, seq * l * n, (seq + 1) * l * n);
        return ImplicitAttention.of(seq, ch, l, n, order, dcol, bs, cs, arow, d[ch]);
    }

    /**
     * Row {@code query} of the implicit attention of channel {@code ch}: α[query, s] over the stored
     * positions s (L values, 0 where s is read after {@code query}), in float64 and O(L·N), without
     * the L × L matrix. The D skip ({@code d()[ch]}) is not included.
     */
    public double[] attentionRow(int seq, int ch, int query) {
        checkIndex(seq, ch);
        if (query < 0 || query >= l) throw new IndexOutOfBoundsException(name + ": query " + query + " outside L=" + l);
        double[] dcol = new double[l], arow = new double[n], out = new double[l];
        for (int t = 0; t < l; t++) dcol[t] = delta[(seq * l + t) * e + ch];
        System.arraycopy(a, ch * n, arow, 0, n);
        double[] bs = Arrays.copyOfRange(b, seq * l * n, (seq + 1) * l * n);
        double[] cs = Arrays.copyOfRange(c, seq * l * n, (seq + 1) * l * n);
        ImplicitAttention.row(l, n, order, query, dcol, bs, cs, arow, new double[l], out);
        return out;
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
