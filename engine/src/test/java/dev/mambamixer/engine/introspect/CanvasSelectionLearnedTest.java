package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.vision.ClutteredDigits;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cluttered-canvas teaching task on a short run (docs/RESULTS.md has the MNIST-sized one): a
 * small ViM2 learns to classify 8×8 glyphs placed on a 24×24 canvas among glyph fragments, and
 * afterwards at least one token mixer reads the glyph's tokens more than the clutter's, clearly
 * more than the same model did before training. Synthetic glyphs keep the test independent of
 * ../shared/data.
 */
class CanvasSelectionLearnedTest {

    /** Four 8×8 glyph classes (ring, plus, X, two bars), each drawn with random stroke gaps and intensity. */
    static ImageSet glyphs(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 4;
            float ink = 0.7f + 0.3f * (float) rng.nextDouble();
            for (int r = 0; r < 8; r++)
                for (int c = 0; c < 8; c++) {
                    boolean on = switch (y[i]) {
                        case 0 -> (r == 1 || r == 6) && c >= 1 && c <= 6 || (c == 1 || c == 6) && r >= 1 && r <= 6;
                        case 1 -> r == 3 || r == 4 ? c >= 1 && c <= 6 : (c == 3 || c == 4) && r >= 1 && r <= 6;
                        case 2 -> r == c || r == 7 - c;
                        default -> r == 2 || r == 5;
                    };
                    if (on && rng.nextDouble() < 0.1) on = false;
                    px[i * 64 + r * 8 + c] = on ? ink : 0f;
                }
        }
        return new ImageSet("glyphs", px, y, 8, 8, 1, List.of("ring", "plus", "x", "bars"));
    }

    @Test
    void trainingMakesATokenMixerReadTheGlyphMoreThanTheClutter() {
        try (CpuBackend be = new CpuBackend()) {
            Vim2Config cfg = new Vim2Config(24, 24, 1, 4, 4, List.of(24, 32), List.of(2, 2), 2,
                                            Vim2Config.ChannelMixer.PER_TOKEN_LIFT, 4, 4, 4, 8, 2, 3, 64,
                                            WeightedAverage.Mode.IDENTITY, 3);
            ClutteredDigits train = new ClutteredDigits(glyphs(400, 1), 24, 6, 3);
            ClutteredDigits held = new ClutteredDigits(glyphs(100, 2), 24, 6, 3);
            ImageSet trainSet = train.generate(11, 1200, "train");
            ImageSet heldSet = held.generate(12, 400, "held out");
            List<ClutteredDigits.CanvasExample> probe = held.examples(12, 32);   // the first 32 held-out canvases

            Vim2 model = new Vim2(be, cfg);
            List<CanvasSelection.MixerSelection> before = CanvasSelection.measure(model, probe, 16);
            VisionTrainer.Result r = new VisionTrainer(model, VisionTrainConfig.defaults(16).withBatch(16), null, null)
                    .fit(trainSet, heldSet);
            List<CanvasSelection.MixerSelection> after = CanvasSelection.measure(model, probe, 16);
            StringBuilder table = new StringBuilder();
            boolean learned = false;
            for (int k = 0; k < before.size(); k++) {
                CanvasSelection.MixerSelection b = before.get(k), a = after.get(k);
                assertEquals(b.mixer(), a.mixer());
                table.append(String.format("%n%s: delta ratio %.4f -> %.4f, attention ratio %.3f -> %.3f",
                                           a.mixer(), b.deltaRatio(), a.deltaRatio(), b.attentionRatio(), a.attentionRatio()));
                // measured (2026-12-05, 16 epochs): 1.03 -> 1.46 (stages.0.mixers.1) and 1.04 -> 2.02 (stages.1.mixers.0) (12 epochs
                // were enough before the scan exp moved to base 2, which changed the trajectory: 1.03 -> 1.31 then)
                learned |= a.attentionRatio() >= 1.4 && a.attentionRatio() >= 1.3 * b.attentionRatio();
            }
            System.out.println("canvas selection, held-out accuracy " + r.heldOut().accuracy() + ":" + table);
            assertTrue(r.heldOut().accuracy() >= 0.9, "held-out accuracy " + r.heldOut().accuracy());   // measured 0.9925
            assertTrue(learned, "no token mixer learned to read the glyph over the clutter:" + table);
        }
    }
}
