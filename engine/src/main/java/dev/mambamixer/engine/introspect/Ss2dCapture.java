package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.Ss2dMixer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One SS2D token mixer of ViM2 (MODEL.md §7.2) after a forward pass on a probe batch of B images:
 * the float64 trace of each of its four scan directions ({@link CrossScanDirection}) and the
 * gate SiLU(z), all in <b>row-major image coordinates</b>: token (i, j) of the stage's H × W grid
 * is position p = i·W + j, whatever order a direction scanned it in ({@link ScanTrace#order()}).
 *
 * <p>Maps ({@link #map}) are float (H, W) arrays {@code m[i][j]}. Implicit attention is exact
 * float64, computed on demand for one query token (O(H·W·N) per channel and direction). Before
 * the out-norm and the gate, the mixer's merged output is y = Σ_dir unpermute(o_dir) with
 * o_dir = α_dir·u_dir + D_dir·u_dir (MODEL.md §3.2 unrolled), and all four directions read the
 * same u. So the merged implicit attention of query q on key k, per inner channel, is
 * <pre>  α_merged[q, k] = Σ_dir α_dir[q', k']</pre>
 * with q', k' the scan steps of q and k in that direction: y[q] = Σ_k α_merged[q, k]·u[k] +
 * (Σ_dir D_dir)·u[q]. Each α_dir is causal in its own order, so it covers a different half of
 * the image (row-major: the rows above and the tokens to the left; column-major: the columns to
 * the left and the tokens above; the reversed ones the opposite halves).
 *
 * <p>Layouts: {@code gate} (B, H·W, E) row-major; the traces' S = B, L = H·W.
 */
public final class Ss2dCapture {
    private final String name;
    private final int stage, index, batch, h, w, e, n;
    private final List<ScanTrace> directions;
    private final double[] gate;

    /**
     * @param stage      the ViM2 stage (0-based)
     * @param index      the mixer's position in the stage's stack (a row of its {@link AveragingMatrix})
     * @param directions four traces in {@link CrossScanDirection} order, row-major positions
     * @param gate       SiLU(z), (B, H·W, E)
     */
    public Ss2dCapture(String name, int stage, int index, int batch, int h, int w, List<ScanTrace> directions,
                       double[] gate) {
        this.name = Objects.requireNonNull(name, "name");
        this.stage = stage;
        this.index = index;
        this.batch = batch;
        this.h = h;
        this.w = w;
        this.directions = List.copyOf(directions);
        if (this.directions.size() != CrossScanDirection.values().length)
            throw new IllegalArgumentException(name + ": expected 4 scan directions, got " + this.directions.size());
        ScanTrace first = this.directions.get(0);
        this.e = first.e();
        this.n = first.n();
        for (CrossScanDirection d : CrossScanDirection.values()) {
            ScanTrace t = this.directions.get(d.index());
            if (t.crossScan() != d || t.s() != batch || t.l() != h * w || t.e() != e || t.n() != n)
                throw new IllegalArgumentException(name + ": trace " + d.index() + " is " + t.crossScan() + " with S,L,E,N="
                                                   + t.s() + "," + t.l() + "," + t.e() + "," + t.n() + ", expected " + d
                                                   + " over B=" + batch + ", " + h + "x" + w + " tokens");
        }
        if (gate.length != batch * h * w * e)
            throw new IllegalArgumentException(name + ": gate has " + gate.length + " values, expected B*H*W*E");
        this.gate = gate;
    }

    /** Copies a mixer's last forward (geometry (B, H, W, D)) to the host. */
    public static Ss2dCapture of(Backend be, Ss2dMixer mx, int stage, int index) {
        Mixer.Geometry g = mx.lastGeometry();
        if (g == null) throw new IllegalStateException(mx.name() + ": the mixer has not run a forward pass yet");
        int b = g.a(), h = g.b(), w = g.c();
        List<ScanTrace> traces = new ArrayList<>();
        for (CrossScanDirection d : CrossScanDirection.values())
            traces.add(ScanTrace.of(be, mx.scan(d.index()), mx.name() + "/" + d.label(), d, h, w));
        double[] gate = be.toDoubles(mx.lastGateInput());                        // (B,H,W,E) = (B,HW,E) row-major
        for (int i = 0; i < gate.length; i++) gate[i] = ScanTrace.silu(gate[i]);
        return new Ss2dCapture(mx.name(), stage, index, b, h, w, traces, gate);
    }

    /** The float64 trace of one direction (row-major positions). */
    public ScanTrace direction(CrossScanDirection d) { return directions.get(d.index()); }

    // ------------------------------------------------------------------ maps over the token grid

    /**
     * An (H, W) map of one image: {@code DELTA} the mean over the E inner channels of Δ; {@code B},
     * {@code C} the norm ‖B‖₂ / ‖C‖₂ over the N states; {@code GATE} the mean over channels of
     * SiLU(z) (shared by the four directions: {@code dir} is ignored and may be null);
     * {@code RETENTION} the mean over (E, N) of exp(Δ·A); {@code STATE_NORM} ‖h‖ over (E, N) right
     * after the direction consumed the token (the recurrence runs in the direction's scan order).
     */
    public float[][] map(ScanQuantity q, CrossScanDirection dir, int image) {
        checkImage(image);
        if (q == ScanQuantity.GATE) return grid(meanOverChannels(gate, image));
        ScanTrace t = direction(Objects.requireNonNull(dir, "dir"));
        int l = h * w;
        double[] v = new double[l];
        switch (q) {
            case DELTA -> v = meanOverChannels(t.delta(), image);
            case B, C -> {
                double[] x = q == ScanQuantity.B ? t.b() : t.c();
                for (int p = 0; p < l; p++) {
                    double sq = 0;
                    for (int k = 0; k < n; k++) sq += x[(image * l + p) * n + k] * x[(image * l + p) * n + k];
                    v[p] = Math.sqrt(sq);
                }
            }
            case RETENTION -> {
                for (int p = 0; p < l; p++) {
                    double keep = 0;
                    for (int ch = 0; ch < e; ch++)
                        for (int k = 0; k < n; k++) keep += Math.exp(t.delta()[(image * l + p) * e + ch] * t.a()[ch * n + k]);
                    v[p] = keep / ((double) e * n);
                }
            }
            case STATE_NORM -> {
                double[] hs = new double[e * n];
                int[] order = t.order();
                for (int tau = 0; tau < l; tau++) {
                    int p = order[tau], row = image * l + p;
                    double sq = 0;
                    for (int ch = 0; ch < e; ch++) {
                        double dt = t.delta()[row * e + ch], du = dt * t.u()[row * e + ch];
                        for (int k = 0; k < n; k++) {
                            int i = ch * n + k;
                            hs[i] = Math.exp(dt * t.a()[i]) * hs[i] + du * t.b()[row * n + k];   // MODEL.md §3.2
                            sq += hs[i] * hs[i];
                        }
                    }
                    v[p] = Math.sqrt(sq);
                }
            }
            default -> throw new IllegalArgumentException(q + " has no map");
        }
        return grid(v);
    }

    /** Δ of one inner channel of one direction, (H, W). */
    public float[][] deltaMap(CrossScanDirection dir, int image, int channel) {
        checkImage(image);
        checkChannel(channel);
        ScanTrace t = direction(dir);
        int l = h * w;
        double[] v = new double[l];
        for (int p = 0; p < l; p++) v[p] = t.delta()[(image * l + p) * e + channel];
        return grid(v);
    }

    /** SiLU(z) averaged over the inner channels, (H, W). */
    public float[][] gateMap(int image) { return map(ScanQuantity.GATE, null, image); }

    private double[] meanOverChannels(double[] ble, int image) {
        int l = h * w;
        double[] v = new double[l];
        for (int p = 0; p < l; p++) {
            double sum = 0;
            for (int ch = 0; ch < e; ch++) sum += ble[(image * l + p) * e + ch];
            v[p] = sum / e;
        }
        return v;
    }

    private float[][] grid(double[] v) {
        float[][] m = new float[h][w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) m[i][j] = (float) v[i * w + j];
        return m;
    }

    // ------------------------------------------------------------------ implicit attention of a query token

    /**
     * Signed α_dir[q, k] of inner channel {@code channel} for query token q = (qi, qj), over the
     * keys k as an (H, W) map {@code a[ki][kj]} (0 for keys the direction reads after q). Exact,
     * float64; the D skip is not included ({@link #direction}{@code (dir).d()[channel]}).
     */
    public double[][] attention(CrossScanDirection dir, int image, int qi, int qj, int channel) {
        checkImage(image);
        checkChannel(channel);
        return grid2(direction(dir).attentionRow(image, channel, token(qi, qj)));
    }

    /** Mean over the inner channels of |α_dir[q, k]|, (H, W). */
    public double[][] meanAbsAttention(CrossScanDirection dir, int image, int qi, int qj) {
        checkImage(image);
        int q = token(qi, qj);
        double[] sum = new double[h * w];
        for (int ch = 0; ch < e; ch++) {
            double[] row = direction(dir).attentionRow(image, ch, q);
            for (int k = 0; k < sum.length; k++) sum[k] += Math.abs(row[k]);
        }
        for (int k = 0; k < sum.length; k++) sum[k] /= e;
        return grid2(sum);
    }

    /** α_merged[q, k] = Σ_dir α_dir[q', k'] of one inner channel (see the class comment), (H, W). */
    public double[][] mergedAttention(int image, int qi, int qj, int channel) {
        checkImage(image);
        checkChannel(channel);
        return grid2(mergedRow(image, token(qi, qj), channel));
    }

    /**
     * Mean over the inner channels of |α_merged[q, k]|, (H, W): the magnitude of the merged map,
     * so where two directions overlap (e.g. the quadrant above and left of q, read before q both
     * row- and column-major) their signed contributions add before the absolute value.
     */
    public double[][] mergedMeanAbsAttention(int image, int qi, int qj) {
        checkImage(image);
        int q = token(qi, qj);
        double[] sum = new double[h * w];
        for (int ch = 0; ch < e; ch++) {
            double[] row = mergedRow(image, q, ch);
            for (int k = 0; k < sum.length; k++) sum[k] += Math.abs(row[k]);
        }
        for (int k = 0; k < sum.length; k++) sum[k] /= e;
        return grid2(sum);
    }

    /** Σ_dir D_dir of one inner channel: the merged skip, y[q] gets (Σ_dir D_dir)·u[q] besides α_merged. */
    public double mergedSkip(int channel) {
        checkChannel(channel);
        double s = 0;
        for (ScanTrace t : directions) s += t.d()[channel];
        return s;
    }

    private double[] mergedRow(int image, int q, int ch) {
        double[] sum = new double[h * w];
        for (ScanTrace t : directions) {
            double[] row = t.attentionRow(image, ch, q);
            for (int k = 0; k < sum.length; k++) sum[k] += row[k];
        }
        return sum;
    }

    private double[][] grid2(double[] v) {
        double[][] m = new double[h][w];
        for (int i = 0; i < h; i++) System.arraycopy(v, i * w, m[i], 0, w);
        return m;
    }

    /** Row-major position i·W + j of token (i, j). */
    public int token(int i, int j) {
        if (i < 0 || i >= h || j < 0 || j >= w)
            throw new IndexOutOfBoundsException(name + ": token (" + i + ", " + j + ") outside the " + h + "x" + w + " grid");
        return i * w + j;
    }

    private void checkImage(int image) {
        if (image < 0 || image >= batch) throw new IndexOutOfBoundsException(name + ": image " + image + " outside B=" + batch);
    }

    private void checkChannel(int ch) {
        if (ch < 0 || ch >= e) throw new IndexOutOfBoundsException(name + ": channel " + ch + " outside E=" + e);
    }

    // ------------------------------------------------------------------ accessors (arrays are not copied)

    /** Parameter prefix, e.g. {@code stages.0.mixers.1}. */
    public String name() { return name; }
    public MixerKind kind() { return MixerKind.SS2D; }
    public int stage() { return stage; }
    /** Position in the stage's mixer stack (row of the stage's {@link AveragingMatrix}). */
    public int index() { return index; }
    /** Number of probe images B. */
    public int batch() { return batch; }
    /** Token grid height H of the stage. */
    public int height() { return h; }
    /** Token grid width W of the stage. */
    public int width() { return w; }
    /** Inner width E. */
    public int e() { return e; }
    /** State size N. */
    public int n() { return n; }
    /** The four traces in {@link CrossScanDirection} order. */
    public List<ScanTrace> directions() { return directions; }
    /** SiLU(z), (B, H·W, E) row-major. */
    public double[] gate() { return gate; }

    @Override public String toString() {
        return "Ss2dCapture[" + name + ", B=" + batch + ", " + h + "x" + w + ", E=" + e + ", N=" + n + "]";
    }
}
