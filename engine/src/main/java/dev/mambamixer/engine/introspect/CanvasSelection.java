package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.data.vision.ClutteredDigits.CanvasExample;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where ViM2 selects on the cluttered-canvas task (the vision counterpart of the Δ ratio of
 * selective copying, MODEL.md §8): for every SS2D token mixer (every stage, on that stage's token
 * grid), over the probe canvases,
 * <ul>
 *   <li><b>Δ ratio</b>: per (direction, inner channel), the mean Δ over the tokens inside the digit's
 *   box divided by the mean Δ over the <i>clutter</i> tokens (outside the box, with ink: some pixel
 *   of the patch ≥ 0.5); the median over all (direction, channel) pairs, then the median over
 *   canvases. Above 1: the digit is written into the state more strongly than the distractors.</li>
 *   <li><b>attention ratio</b>: how much every token is read by all the others: for each key token
 *   the merged implicit attention mass (mean |α| over channels, the four directions summed,
 *   MODEL.md §3.2) it receives from every query token of the grid; the mean over the box's tokens
 *   divided by the mean over the clutter tokens, median over canvases. Above 1: what the digit
 *   writes into the states is read out more than what the clutter writes.</li>
 * </ul>
 * Canvases whose box covers no token or that have no clutter token (at that grid) are skipped.
 */
public final class CanvasSelection {
    private CanvasSelection() {}

    /** One token mixer's measures. */
    public record MixerSelection(String mixer, double deltaRatio, double attentionRatio, int canvases) {}

    /** Measures every SS2D token mixer of every stage on {@code examples} (forward passes in batches of {@code batch}). */
    public static List<MixerSelection> measure(Vim2 model, List<CanvasExample> examples, int batch) {
        Vim2Config cfg = model.config();
        int per = cfg.height() * cfg.width() * cfg.channels();
        Map<String, List<double[]>> perMixer = new LinkedHashMap<>();   // mixer -> per canvas {Δ ratio, attention ratio}
        for (int start = 0; start < examples.size(); start += batch) {
            int b = Math.min(batch, examples.size() - start);
            float[] px = new float[b * per];
            for (int i = 0; i < b; i++) System.arraycopy(examples.get(start + i).pixels(), 0, px, i * per, per);
            Vim2Capture cap = Introspector.capture(model, px, b, 0);
            for (Vim2Capture.Stage st : cap.stages()) {
                int gh = st.height(), gw = st.width();
                for (int i = 0; i < b; i++) {
                    CanvasExample ex = examples.get(start + i);
                    boolean[] box = ex.boxMask(gh, gw), clutter = clutterMask(ex, cfg, gh, gw, box);
                    int nBox = count(box), nClutter = count(clutter);
                    if (nBox == 0 || nClutter == 0) continue;
                    for (Ss2dCapture sc : st.tokenMixers())
                        perMixer.computeIfAbsent(sc.name(), k -> new ArrayList<>())
                                .add(new double[] {deltaRatio(sc, i, box, clutter), attentionRatio(sc, i, box, clutter)});
                }
            }
        }
        List<MixerSelection> out = new ArrayList<>();
        perMixer.forEach((name, rows) -> out.add(new MixerSelection(name, median(rows.stream().mapToDouble(v -> v[0]).toArray()),
                                                                    median(rows.stream().mapToDouble(v -> v[1]).toArray()),
                                                                    rows.size())));
        return out;
    }

    /** Tokens outside the box whose canvas cell holds ink (some pixel >= 0.5). */
    private static boolean[] clutterMask(CanvasExample ex, Vim2Config cfg, int gh, int gw, boolean[] box) {
        float[] img = ex.pixels();
        int h = cfg.height(), w = cfg.width(), c = cfg.channels();
        boolean[] clutter = new boolean[gh * gw];
        for (int t = 0; t < gh * gw; t++) {
            if (box[t]) continue;
            int r = t / gw, col = t % gw;
            int y0 = (int) Math.floor((double) r * h / gh), y1 = (int) Math.ceil((double) (r + 1) * h / gh);
            int x0 = (int) Math.floor((double) col * w / gw), x1 = (int) Math.ceil((double) (col + 1) * w / gw);
            float max = 0;
            for (int y = y0; y < Math.min(h, y1); y++)
                for (int x = x0; x < Math.min(w, x1); x++)
                    for (int k = 0; k < c; k++) max = Math.max(max, img[(y * w + x) * c + k]);
            clutter[t] = max >= 0.5f;
        }
        return clutter;
    }

    /** Median over (direction, inner channel) of mean Δ on box tokens / mean Δ on clutter tokens. */
    private static double deltaRatio(Ss2dCapture sc, int image, boolean[] box, boolean[] clutter) {
        int l = box.length, e = sc.e(), nBox = count(box), nClutter = count(clutter);
        double[] ratios = new double[CrossScanDirection.values().length * e];
        int k = 0;
        for (CrossScanDirection d : CrossScanDirection.values()) {
            double[] delta = sc.direction(d).delta();
            for (int ch = 0; ch < e; ch++) {
                double in = 0, out = 0;
                for (int t = 0; t < l; t++) {
                    double v = delta[(image * l + t) * e + ch];
                    if (box[t]) in += v;
                    else if (clutter[t]) out += v;
                }
                ratios[k++] = (in / nBox) / (out / nClutter);
            }
        }
        return median(ratios);
    }

    /** Mean attention mass received (from all other query tokens, merged directions) on box vs clutter tokens. */
    private static double attentionRatio(Ss2dCapture sc, int image, boolean[] box, boolean[] clutter) {
        int gh = sc.height(), gw = sc.width(), l = gh * gw;
        double[] received = new double[l];
        for (int q = 0; q < l; q++) {
            double[][] att = sc.mergedMeanAbsAttention(image, q / gw, q % gw);
            for (int t = 0; t < l; t++) if (t != q) received[t] += att[t / gw][t % gw];
        }
        double in = 0, out = 0;
        for (int t = 0; t < l; t++) {
            if (box[t]) in += received[t];
            else if (clutter[t]) out += received[t];
        }
        return (in / count(box)) / (out / count(clutter));
    }

    private static int count(boolean[] m) {
        int n = 0;
        for (boolean v : m) if (v) n++;
        return n;
    }

    static double median(double[] v) {
        double[] s = Arrays.stream(v).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) return Double.NaN;
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
