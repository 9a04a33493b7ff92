package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.MixerKind;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.ScanDirection;
import dev.mambamixer.workbench.session.Snapshot;
import java.util.Arrays;
import java.util.List;

/**
 * Hand-made snapshots with known numbers (no model, no training): a TSM2 design-I1 stack of one
 * block for one probe window and two variates ("OT", "HUFL"), 3 patches, E = 2 inner channels,
 * N = 1 state, A = 0 (so α[t,s] = C_t·B_s·Δ_s), and a teaching model of one token mixer.
 */
final class SnapshotFixtures {
    private SnapshotFixtures() {}

    static final List<String> VARIATES = List.of("OT", "HUFL");

    static float[] fill(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    static ScanCapture scan(String name, ScanDirection dir, int s, int l, int e, float[] delta) {
        return new ScanCapture(name + "/" + dir, dir, dir.reversed(), s, l, e, 1, fill(s * l * e, 1), delta,
                               fill(s * l, 1), fill(s * l, 1), fill(s * l * e, 0.5f), fill(s * l, 0.9f),
                               fill(s * l, 1), new float[e], fill(e, 1), new float[e]);
    }

    /**
     * Time mixer: sequences (batch 1, variate 2), positions 3 patches; Δ = 1 everywhere.
     * Variate mixer (bidirectional): sequences (batch 1, patch 3), positions 2 variates; forward Δ
     * at (patch p, variate v, channel k) = 1 + p + 10·v + k (channel mean 1.5 + p + 10·v), backward Δ = 2.
     */
    static Snapshot tsm2(long step) {
        ScanCapture time = scan("blocks.0.time", ScanDirection.FORWARD, 2, 3, 2, fill(12, 1));
        float[] fwd = new float[3 * 2 * 2];
        for (int p = 0; p < 3; p++)
            for (int v = 0; v < 2; v++)
                for (int k = 0; k < 2; k++) fwd[(p * 2 + v) * 2 + k] = 1 + p + 10 * v + k;
        ScanCapture vf = scan("blocks.0.variate", ScanDirection.FORWARD, 3, 2, 2, fwd);
        ScanCapture vb = scan("blocks.0.variate", ScanDirection.BACKWARD, 3, 2, 2, fill(12, 2));
        List<MixerCapture> mixers = List.of(
            new MixerCapture("blocks.0.time", MixerKind.TIME, 0, 2, 3, 4, List.of("batch", "variate"), new int[] {1, 2},
                             "patch", List.of(time), new float[6]),
            new MixerCapture("blocks.0.variate", MixerKind.VARIATE, 0, 3, 2, 4, List.of("batch", "patch"),
                             new int[] {1, 3}, "variate", List.of(vf, vb), new float[6]));
        return Snapshot.of(step, "TSM2", mixers, averaging(1, 0), List.of(), List.of("val window 7"), VARIATES, "test",
                           List.of(window(120, 0.25), window(240, 0.5)));
    }

    /** Weighted averaging of T₁, C₁: T₁ reads (α₁₀, β₁₀), C₁ reads (θ₁₀, γ₁₀, θ₁₁). */
    static AveragingMatrix averaging(double alpha, double theta) {
        return AveragingMatrix.of(List.of("blocks.0.time", "blocks.0.variate"), "identity",
                                  List.of(new double[] {alpha, 0}, new double[] {theta, 1, 0.5}));
    }

    /** A window of T = 2, H = 1, M = 2 with the given MSE. */
    static ForecastWindow window(int w, double mse) {
        return new ForecastWindow(w, 2, 1, 2, VARIATES, new float[] {1, 2, 3, 4}, new float[] {5, 6},
                                  new float[] {5.5f, 6.5f}, false, mse, mse / 2);
    }

    /** The teaching model: one token mixer over 2 examples of 4 positions, E = 2; "data" marked at 1 and 2. */
    static Snapshot teaching(long step) {
        ScanCapture tok = scan("blocks.0.token", ScanDirection.FORWARD, 2, 4, 2, fill(16, 1));
        MixerCapture m = new MixerCapture("blocks.0.token", MixerKind.TOKEN, 0, 2, 4, 4, List.of("batch"), new int[] {2},
                                          "position", List.of(tok), new float[8]);
        SequenceExample ex = new SequenceExample(new int[] {1, 2, 3, 4}, new int[] {-1, -1, 2, 3},
                                                 List.of(new Mark("data", new int[] {1, 2}), new Mark("noise", new int[] {0})));
        return Snapshot.of(step, "teaching (copy)", List.of(m), AveragingMatrix.of(List.of("blocks.0.token"), "identity",
                                                                                  List.of(new double[] {1, 0})),
                           List.of(ex, ex), List.of("example 0", "example 1"), List.of(), List.of());
    }
}
