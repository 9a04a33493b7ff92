package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.data.vision.ClutteredDigits.CanvasExample;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where ViM2 selects on the cluttered-canvas task (the vision counterpart of the Δ ratio of
 * selective copying, MODEL.md §8): for every SS2D token mixer of stage 0, over the probe canvases,
 * <ul>
 *   <li><b>Δ ratio</b>: per (direction, inner channel), the mean Δ over the tokens inside the digit's
 *   box divided by the mean Δ over the <i>clutter</i> tokens (outside the box, with ink: some pixel
 *   of the patch ≥ 0.5); the median over all (direction, channel) pairs, then the median over
 *   canvases. Above 1: the digit is written into the state more strongly than the distractors.</li>
 *   <li><b>attention share</b>: the fraction of the merged implicit attention mass (mean |α| over
 *   channels, MODEL.md §3.2) of the last token of the grid that falls inside the box, divided by the
 *   box's share of the grid (1 = no preference), median over canvases.</li>
 * </ul>
 * Canvases whose box covers no token or that have no clutter token are skipped.
 */
public final class CanvasSelection {
    private CanvasSelection() {}

    /** One token mixer's measures. */
    public record MixerSelection(String mixer, double deltaRatio, double attentionShare, int canvases) {}

    /** Measures every SS2D token mixer of stage 0 on {@code examples} (forward passes in batches of {@code batch}). */
    public static List<MixerSelection> measure(Vim2 model, List<CanvasExample> examples, int batch) {
        Vim2Config cfg = model.config();
        int[] grid = cfg.grid(0);
        int gh = grid[0], gw = grid[1], l = gh * gw, ph = cfg.height() / gh, pw = cfg.width() / gw;
        int per = cfg.height() * cfg.width() * cfg.channels();
        List<List<double[]>> perMixer = new ArrayList<>();   // [mixer][canvas] = {ratio, share}
        for (int start = 0; start < examples.size(); start += batch) {
            int b = Math.min(batch, examples.size() - start);
            float[] px = new float[b * per];
            for (int i = 0; i < b; i++) System.arraycopy(examples.get(start + i).pixels(), 0, px, i * per, per);
            Vim2Capture cap = Introspector.capture(model, px, b, 0);
            List<Ss2dCapture> mixers = cap.stage(0).tokenMixers();
            while (perMixer.size() < mixers.size()) perMixer.add(new ArrayList<>());
            for (int i = 0; i < b; i++) {
                CanvasExample ex = examples.get(start + i);
                boolean[] box = ex.boxMask(gh, gw);
                boolean[] clutter = new boolean[l];
                float[] img = ex.pixels();
                int nBox = 0, nClutter = 0;
                for (int t = 0; t < l; t++) {
                    if (box[t]) { nBox++; continue; }
                    int r = t / gw, c = t % gw;
                    float max = 0;
                    for (int y = r * ph; y < (r + 1) * ph; y++)
                        for (int x = c * pw; x < (c + 1) * pw; x++)
                            for (int ch = 0; ch < cfg.channels(); ch++) max = Math.max(max, img[(y * cfg.width() + x) * cfg.channels() + ch]);
                    if (max >= 0.5f) { clutter[t] = true; nClutter++; }
                }
                if (nBox == 0 || nClutter == 0) continue;
                for (int m = 0; m < mixers.size(); m++) {
                    Ss2dCapture sc = mixers.get(m);
                    double[] ratios = new double[CrossScanDirection.values().length * sc.e()];
                    int k = 0;
                    for (CrossScanDirection d : CrossScanDirection.values()) {
                        double[] delta = sc.direction(d).delta();
                        for (int ch = 0; ch < sc.e(); ch++) {
                            double in = 0, out = 0;
                            for (int t = 0; t < l; t++) {
                                double v = delta[(i * l + t) * sc.e() + ch];
                                if (box[t]) in += v;
                                else if (clutter[t]) out += v;
                            }
                            ratios[k++] = (in / nBox) / (out / nClutter);
                        }
                    }
                    double[][] att = sc.mergedMeanAbsAttention(i, gh - 1, gw - 1);
                    double inside = 0, total = 0;
                    for (int t = 0; t < l; t++) {
                        double a = att[t / gw][t % gw];
                        total += a;
                        if (box[t]) inside += a;
                    }
                    double share = total == 0 ? Double.NaN : (inside / total) / ((double) nBox / l);
                    perMixer.get(m).add(new double[] {median(ratios), share});
                }
            }
        }
        List<MixerSelection> out = new ArrayList<>();
        for (int m = 0; m < perMixer.size(); m++) {
            List<double[]> rows = perMixer.get(m);
            double[] r = rows.stream().mapToDouble(v -> v[0]).toArray(), s = rows.stream().mapToDouble(v -> v[1]).toArray();
            out.add(new MixerSelection(model.stage(0).mixers().get(indexOfTokenMixer(model, m)).name(), median(r), median(s), rows.size()));
        }
        return out;
    }

    /** Position in stage 0's mixer list of its m-th SS2D token mixer. */
    private static int indexOfTokenMixer(Vim2 model, int m) {
        var mixers = model.stage(0).mixers();
        for (int i = 0, seen = 0; i < mixers.size(); i++)
            if (mixers.get(i) instanceof dev.mambamixer.engine.nn.Ss2dMixer && seen++ == m) return i;
        throw new IllegalArgumentException("stage 0 has no token mixer " + m);
    }

    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) return Double.NaN;
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
