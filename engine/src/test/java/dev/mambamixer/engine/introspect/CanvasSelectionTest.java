package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.data.vision.ClutteredDigits;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.WeightedAverage;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cluttered-canvas selection measures against a direct computation from the capture. */
class CanvasSelectionTest {

    /** 6×6 grey "digits": a bright ring of class 0 or a bright cross of class 1. */
    private static ImageSet shapes() {
        int n = 12;
        float[] px = new float[n * 36];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int r = 0; r < 6; r++)
                for (int c = 0; c < 6; c++) {
                    boolean on = y[i] == 0 ? (r == 0 || r == 5 || c == 0 || c == 5) : (r == 2 || c == 2);
                    px[i * 36 + r * 6 + c] = on ? 1f : 0.1f * (i % 3);
                }
        }
        return new ImageSet("shapes", px, y, 6, 6, 1, List.of("ring", "cross"));
    }

    @Test
    void deltaRatioAndAttentionRatioMatchADirectComputation() {
        var be = new ReferenceBackend();
        // 16×16 canvas, patch 2 -> 8×8 tokens, then 4×4
        Vim2Config cfg = new Vim2Config(16, 16, 1, 2, 2, List.of(4, 6), List.of(2, 2), 2, Vim2Config.ChannelMixer.PER_TOKEN_LIFT,
                                        2, 2, 2, 3, 2, 3, 8, WeightedAverage.Mode.IDENTITY, 5);
        Vim2 model = new Vim2(be, cfg);
        List<ClutteredDigits.CanvasExample> ex = new ClutteredDigits(shapes(), 16, 4, 3).examples(9, 3);
        List<CanvasSelection.MixerSelection> got = CanvasSelection.measure(model, ex, 2);   // batches of 2 and 1
        assertEquals(List.of("stages.0.mixers.0", "stages.0.mixers.1", "stages.1.mixers.0", "stages.1.mixers.1"),
                     got.stream().map(CanvasSelection.MixerSelection::mixer).toList());

        // direct: stage 0, first token mixer, each canvas captured alone
        double[] dr = new double[3], ar = new double[3];
        int used = 0;
        for (int k = 0; k < 3; k++) {
            Vim2Capture cap = Introspector.capture(model, ex.get(k).pixels(), 1, 0);
            Ss2dCapture sc = cap.stage(0).tokenMixers().get(0);
            boolean[] box = ex.get(k).boxMask(8, 8);
            boolean[] clutter = new boolean[64];
            float[] img = ex.get(k).pixels();
            for (int t = 0; t < 64; t++) {
                int r = t / 8, c = t % 8;
                float m = Math.max(Math.max(img[(2 * r) * 16 + 2 * c], img[(2 * r) * 16 + 2 * c + 1]),
                                   Math.max(img[(2 * r + 1) * 16 + 2 * c], img[(2 * r + 1) * 16 + 2 * c + 1]));
                clutter[t] = !box[t] && m >= 0.5f;
            }
            double[] ratios = new double[4 * sc.e()];
            int j = 0;
            for (CrossScanDirection d : CrossScanDirection.values())
                for (int ch = 0; ch < sc.e(); ch++) {
                    float[][] map = sc.deltaMap(d, 0, ch);
                    double in = 0, out = 0;
                    int ni = 0, no = 0;
                    for (int t = 0; t < 64; t++) {
                        if (box[t]) { in += map[t / 8][t % 8]; ni++; }
                        else if (clutter[t]) { out += map[t / 8][t % 8]; no++; }
                    }
                    ratios[j++] = (in / ni) / (out / no);
                }
            double[] recv = new double[64];
            for (int q = 0; q < 64; q++) {
                double[][] a = sc.mergedMeanAbsAttention(0, q / 8, q % 8);
                for (int t = 0; t < 64; t++) if (t != q) recv[t] += a[t / 8][t % 8];
            }
            double in = 0, out = 0;
            int ni = 0, no = 0;
            for (int t = 0; t < 64; t++) {
                if (box[t]) { in += recv[t]; ni++; }
                else if (clutter[t]) { out += recv[t]; no++; }
            }
            if (ni == 0 || no == 0) continue;
            Arrays.sort(ratios);
            dr[used] = 0.5 * (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]);
            ar[used] = (in / ni) / (out / no);
            used++;
        }
        assertTrue(used > 0, "no canvas had both box and clutter tokens");
        assertEquals(used, got.get(0).canvases());
        assertEquals(CanvasSelection.median(Arrays.copyOf(dr, used)), got.get(0).deltaRatio(), 1e-6);
        assertEquals(CanvasSelection.median(Arrays.copyOf(ar, used)), got.get(0).attentionRatio(), 1e-9);
        for (CanvasSelection.MixerSelection m : got) {
            assertTrue(Double.isFinite(m.deltaRatio()) && m.deltaRatio() > 0, m.toString());
            assertTrue(Double.isFinite(m.attentionRatio()) && m.attentionRatio() > 0, m.toString());
        }
    }
}
