package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The front ends' reductions on hand-made captures with known numbers (no model, no training). */
class ReductionsTest {

    /** A scan of S sequences × L positions × E channels, N = 1, A = 0 (no decay), B = C = 1 unless given. */
    static ScanCapture scan(ScanDirection dir, int s, int l, int e, float[] delta, float[] gate, float[] b, float[] c) {
        return new ScanCapture("unit/" + dir, dir, dir.reversed(), s, l, e, 1, new float[s * l * e], delta, b, c, gate,
                               new float[s * l], new float[s * l], new float[e], new float[e], new float[e]);
    }

    static float[] ones(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, 1);
        return x;
    }

    /** Design-I1 variate mixer of one window: sequences (batch 1, patch 2), positions = 3 variates, E = 2. */
    static MixerCapture variateMixer(float[] fwdDelta, float[] bwdDelta) {
        int s = 2, l = 3, e = 2;
        ScanCapture f = scan(ScanDirection.FORWARD, s, l, e, fwdDelta, ones(s * l * e), ones(s * l), ones(s * l));
        ScanCapture b = scan(ScanDirection.BACKWARD, s, l, e, bwdDelta, ones(s * l * e), ones(s * l), ones(s * l));
        return new MixerCapture("blocks.0.variate", MixerKind.VARIATE, 0, s, l, 4, List.of("batch", "patch"),
                                new int[] {1, 2}, "variate", List.of(f, b), new float[s * l]);
    }

    // Δ (seq, position, channel): seq 0 = patch 0, seq 1 = patch 1; positions = variates 0..2
    static final float[] FWD = {1, 3, 2, 2, 0, 4,     5, 7, 1, 1, 2, 6};
    static final float[] BWD = {3, 3, 0, 0, 8, 8,     1, 1, 1, 1, 0, 2};

    @Test void channelMeanAveragesTheInnerChannels() {
        MixerCapture m = variateMixer(FWD, BWD);
        ScanCapture f = m.direction(ScanDirection.FORWARD);
        assertEquals(2.0, Reductions.channelMean(f, ScanQuantity.DELTA, 0, 0));   // (1 + 3) / 2
        assertEquals(6.0, Reductions.channelMean(f, ScanQuantity.DELTA, 1, 0));   // (5 + 7) / 2
        assertEquals(1.0, Reductions.channelMean(f, ScanQuantity.GATE, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Reductions.channelMean(f, ScanQuantity.B, 0, 0));
    }

    @Test void variatePatchMapOfAVariateMixerPerDirectionAndMeanOverDirections() {
        MixerCapture m = variateMixer(FWD, BWD);
        float[][] fwd = Reductions.variatePatchMap(m, List.of(m.direction(ScanDirection.FORWARD)), ScanQuantity.DELTA, 0);
        assertArrayEquals(new float[] {2, 6}, fwd[0]);   // variate 0: patch 0, patch 1
        assertArrayEquals(new float[] {2, 1}, fwd[1]);
        assertArrayEquals(new float[] {2, 4}, fwd[2]);
        float[][] both = Reductions.variatePatchMap(m, m.directions(), ScanQuantity.DELTA, 0);
        assertArrayEquals(new float[] {2.5f, 3.5f}, both[0]);   // (2 + 3) / 2, (6 + 1) / 2
        assertArrayEquals(new float[] {1, 1}, both[1]);         // (2 + 0) / 2, (1 + 1) / 2
        assertArrayEquals(new float[] {5, 2.5f}, both[2]);      // (2 + 8) / 2, (4 + 1) / 2
    }

    @Test void variatePatchMapOfATimeMixerSwapsTheAxes() {
        // time mixer: sequences (batch 1, variate 2), positions = 3 patches, E = 1
        float[] gate = {1, 2, 3, 4, 5, 6};
        ScanCapture f = scan(ScanDirection.FORWARD, 2, 3, 1, ones(6), gate, ones(6), ones(6));
        MixerCapture m = new MixerCapture("blocks.1.time", MixerKind.TIME, 1, 2, 3, 4, List.of("batch", "variate"),
                                          new int[] {1, 2}, "patch", List.of(f), new float[6]);
        float[][] z = Reductions.variatePatchMap(m, m.directions(), ScanQuantity.GATE, 0);
        assertArrayEquals(new float[] {1, 2, 3}, z[0]);
        assertArrayEquals(new float[] {4, 5, 6}, z[1]);
        assertEquals(1, m.block());
        assertEquals(true, m.tokenMixer());
    }

    @Test void relativeDeltaIsThePercentDeviationFromEachChannelsMean() {
        // one sequence, 2 positions, 2 channels: channel 0 Δ = 1, 3 (mean 2), channel 1 Δ = 4, 4 (mean 4)
        ScanCapture sc = scan(ScanDirection.FORWARD, 1, 2, 2, new float[] {1, 4, 3, 4}, ones(4), ones(2), ones(2));
        assertArrayEquals(new double[] {-25, 25}, Reductions.relativeDelta(sc, 0));   // (−50 + 0) / 2, (50 + 0) / 2
    }

    @Test void summedAttentionAddsTheForwardAndBackwardTriangles() {
        // A = 0, N = 1: α[t,s] = C_t · B_s · Δ_s for s ≤ t (forward), s ≥ t (backward)
        int l = 3;
        float[] b = {1, 2, 4}, c = {1, 1, 0.5f};
        ScanCapture f = scan(ScanDirection.FORWARD, 1, l, 1, new float[] {1, 1, 1}, ones(l), b, c);
        ScanCapture bw = scan(ScanDirection.BACKWARD, 1, l, 1, new float[] {2, 2, 2}, ones(l), b, c);
        MixerCapture m = new MixerCapture("blocks.0.channel", MixerKind.CHANNEL, 0, 1, l, 4, List.of("batch"),
                                          new int[] {1}, "channel", List.of(f, bw), new float[l]);
        float[][] z = Reductions.summedAttention(m, 0, 0);
        assertArrayEquals(new float[] {1 + 2, 4, 8}, z[0]);           // diagonal: both; upper: backward C0·B_s·2
        assertArrayEquals(new float[] {1, 2 + 4, 8}, z[1]);
        assertArrayEquals(new float[] {0.5f, 1, 2 + 4}, z[2]);        // lower: forward 0.5·B_s·1
        MixerCapture one = new MixerCapture("blocks.0.token", MixerKind.TOKEN, 0, 1, l, 4, List.of("batch"),
                                            new int[] {1}, "position", List.of(f), new float[l]);
        assertArrayEquals(new float[] {1, 0, 0}, Reductions.summedAttention(one, 0, 0)[0]);
    }

    @Test void meanAbsAttentionOverSequencesAveragesEverySequence() {
        // two sequences, L = 2, E = 1: sequence 0 Δ = 1, sequence 1 Δ = 3; B = C = 1, A = 0 -> |α[t,s]| = Δ_s (s ≤ t)
        ScanCapture f = scan(ScanDirection.FORWARD, 2, 2, 1, new float[] {1, 1, 3, 3}, ones(4), ones(4), ones(4));
        MixerCapture m = new MixerCapture("blocks.0.token", MixerKind.TOKEN, 0, 2, 2, 4, List.of("batch"),
                                          new int[] {2}, "position", List.of(f), new float[4]);
        float[][] z = Reductions.meanAbsAttentionOverSequences(m);
        assertArrayEquals(new float[] {2, 0}, z[0]);
        assertArrayEquals(new float[] {2, 2}, z[1]);
    }

    @Test void vocabularyRoundTripsItsLabels() {
        for (MixerKind k : MixerKind.values()) assertEquals(k, MixerKind.of(k.label()));
        for (ScanDirection d : ScanDirection.values()) assertEquals(d, ScanDirection.of(d.label()));
        assertEquals(true, MixerKind.TIME.tokenMixer());
        assertEquals(false, MixerKind.VARIATE.tokenMixer());
        assertThrows(IllegalArgumentException.class, () -> MixerKind.of("patch"));
        assertEquals(new MixerKind.Named(1, MixerKind.VARIATE), MixerKind.parse("blocks.1.variate"));
        assertEquals("T3", MixerKind.parse("blocks.2.token").shortLabel());
        assertEquals("C1", MixerKind.parse("blocks.0.channel").shortLabel());
        assertEquals(null, MixerKind.parse("head"));
        assertEquals(null, MixerKind.parse("blocks.x.time"));
        assertEquals(null, MixerKind.parse("x (y_T^(0))"));
    }
}
