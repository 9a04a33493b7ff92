package dev.mambamixer.engine.introspect;

import java.util.List;

/**
 * The reductions of a capture that the front ends draw (charts, notebooks, workbench), computed in
 * one place: channel means of Δ and gate, Δ along the positions relative to each channel's mean,
 * mean |α| over a mixer's sequences, and signed α summed over the scan directions. Front ends draw
 * these arrays; they do not re-shape the capture themselves.
 */
public final class Reductions {
    private Reductions() {}

    /** The (S, L, E) array of a per-channel quantity (Δ or gate). */
    static float[] perChannel(ScanCapture sc, ScanQuantity q) {
        return switch (q) {
            case DELTA -> sc.delta();
            case GATE -> sc.gate();
            default -> throw new IllegalArgumentException(q + " is not per inner channel (use Δ or gate)");
        };
    }

    /** Mean over the E inner channels of Δ or gate at sequence {@code seq}, position {@code pos}. */
    public static double channelMean(ScanCapture sc, ScanQuantity q, int seq, int pos) {
        float[] x = perChannel(sc, q);
        int e = sc.e(), base = (seq * sc.l() + pos) * e;
        double sum = 0;
        for (int k = 0; k < e; k++) sum += x[base + k];
        return sum / e;
    }

    /**
     * Variates × patches of Δ or gate, averaged over the inner channels and then over
     * {@code directions}, for probe window {@code batch} of a TSM2 design-I1 mixer: the time mixer
     * (sequences (batch, variate), positions = patches) or the variate mixer (sequences (batch,
     * patch), positions = variates). Each direction adds (float) (channel mean / directions).
     */
    public static float[][] variatePatchMap(MixerCapture m, List<ScanCapture> directions, ScanQuantity q, int batch) {
        boolean time = m.sequenceAxes().equals(List.of("batch", "variate"));
        if (!time && !m.sequenceAxes().equals(List.of("batch", "patch")))
            throw new IllegalArgumentException(m.name() + " scans sequences " + m.sequenceAxes()
                                               + "; a variate × patch map needs a design-I1 mixer");
        int other = m.sequenceShape()[1];
        int variates = time ? other : m.l(), patches = time ? m.l() : other;
        float[][] z = new float[variates][patches];
        for (ScanCapture sc : directions)
            for (int p = 0; p < patches; p++)
                for (int v = 0; v < variates; v++) {
                    int seq = time ? m.seq(batch, v) : m.seq(batch, p), pos = time ? p : v;
                    z[v][p] += (float) (channelMean(sc, q, seq, pos) / directions.size());
                }
        return z;
    }

    /**
     * Δ along the positions of one sequence relative to each channel's own mean, in percent,
     * averaged over the E inner channels: y[t] = Σ_e 100·(Δ[t,e] / mean_t' Δ[t',e] − 1) / E.
     * Flat at 0 for a time-invariant step size.
     */
    public static double[] relativeDelta(ScanCapture sc, int seq) {
        int l = sc.l(), e = sc.e();
        float[] d = sc.delta();
        double[] y = new double[l];
        for (int k = 0; k < e; k++) {
            double mean = 0;
            for (int t = 0; t < l; t++) mean += d[(seq * l + t) * e + k];
            mean /= l;
            for (int t = 0; t < l; t++) y[t] += 100.0 * (d[(seq * l + t) * e + k] / mean - 1) / e;
        }
        return y;
    }

    /**
     * {@link MixerCapture#meanAbsAttention} (mean |α| over channels, summed over directions)
     * averaged over all S sequences of the mixer, L × L (row = target, column = source).
     */
    public static float[][] meanAbsAttentionOverSequences(MixerCapture m) {
        int l = m.l();
        float[][] mean = new float[l][l];
        for (int q = 0; q < m.s(); q++) {
            float[][] a = m.meanAbsAttention(q);
            for (int t = 0; t < l; t++) for (int s = 0; s < l; s++) mean[t][s] += a[t][s] / m.s();
        }
        return mean;
    }

    /**
     * Signed implicit attention α of inner channel {@code ch} in sequence {@code seq}, summed over
     * the mixer's directions, L × L: for a bidirectional mixer the lower triangle is the forward
     * scan, the upper the backward one and the diagonal both; a single forward scan leaves the upper
     * triangle 0.
     */
    public static float[][] summedAttention(MixerCapture m, int seq, int ch) {
        int l = m.l();
        float[][] z = new float[l][l];
        for (ScanCapture sc : m.directions()) {
            ImplicitAttention a = sc.attention(seq, ch);
            for (int t = 0; t < l; t++) for (int s = 0; s < l; s++) z[t][s] += (float) a.alpha(t, s);
        }
        return z;
    }
}
