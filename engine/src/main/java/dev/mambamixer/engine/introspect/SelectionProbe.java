package dev.mambamixer.engine.introspect;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.nn.Mixer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures selection: the step size Δ (after softplus, MODEL.md §3.2) of one token mixer, averaged
 * over its inner channels e, at every position of held-out examples, and pooled by the roles the
 * generator marked (e.g. "data" vs "noise"). A selective model opens the gate (large Δ) where
 * it must write into its state and keeps it shut elsewhere; {@link Profile#ratio} makes that a
 * number a test can assert.
 */
public final class SelectionProbe {
    private SelectionProbe() {}

    /** Role of positions that no mark covers. */
    public static final String UNMARKED = "unmarked";

    /**
     * @param perPosition Δ̄ per (example, position), (n, L) row-major
     * @param mean        pooled mean Δ̄ per role (examples × positions of that role)
     */
    public record Profile(int examples, int length, float[] perPosition, Map<String, Double> mean,
                          Map<String, Integer> count, Map<String, double[]> channelMean) {
        /** mean(role a) / mean(role b); NaN when either role is absent. */
        public double ratio(String a, String b) {
            Double x = mean.get(a), y = mean.get(b);
            return x == null || y == null ? Double.NaN : x / y;
        }

        /** Per inner channel e: mean Δ_e over role a / mean Δ_e over role b (null when a role is absent). */
        public double[] channelRatio(String a, String b) {
            double[] x = channelMean.get(a), y = channelMean.get(b);
            if (x == null || y == null) return null;
            double[] r = new double[x.length];
            for (int i = 0; i < r.length; i++) r[i] = x[i] / y[i];
            return r;
        }

        /**
         * Median over inner channels of {@link #channelRatio}: how much larger Δ is at role a than
         * at role b in the typical channel. Robust to the few channels that keep Δ large everywhere
         * (which dominate the channel-averaged {@link #ratio}). NaN when a role is absent.
         */
        public double medianChannelRatio(String a, String b) {
            double[] r = channelRatio(a, b);
            if (r == null) return Double.NaN;
            double[] s = r.clone();
            java.util.Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
        }

        /** Channels whose Δ at role a is more than {@code factor} times Δ at role b. */
        public int channelsAbove(String a, String b, double factor) {
            double[] r = channelRatio(a, b);
            int k = 0;
            if (r != null) for (double x : r) if (x > factor) k++;
            return k;
        }

        /** Δ̄ over positions of one example. */
        public double[] example(int i) {
            double[] out = new double[length];
            for (int t = 0; t < length; t++) out[t] = perPosition[i * length + t];
            return out;
        }
    }

    /**
     * Runs the model (forward only) on {@code examples} in batches of {@code batch} and reads Δ of
     * the token mixer of block {@code block} (0 = the first, which sees the embeddings directly).
     */
    public static Profile delta(SequenceModel model, List<SequenceExample> examples, int block, int batch) {
        Backend be = model.backend();
        int l = model.config().length(), n = examples.size();
        float[] per = new float[n * l];
        Mixer mx = model.tokenMixer(block);
        int e = mx.unit().innerWidth();
        Map<String, double[]> chan = new LinkedHashMap<>();   // role -> per-channel sums of Δ, count in [e]
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            int[] tok = new int[b * l], tgt = new int[b * l];
            for (int i = 0; i < b; i++) examples.get(start + i).copyInto(tok, tgt, i);
            model.forward(tok, b);
            ScanTrace tr = ScanTrace.of(be, mx.unit().forwardCore(), mx.name(), ScanDirection.FORWARD);
            double[] delta = tr.delta();                                 // (B, L, E) after softplus
            for (int r = 0; r < b * l; r++) {
                String role = examples.get(start + r / l).roleAt(r % l);
                double[] ch = chan.computeIfAbsent(role == null ? UNMARKED : role, k -> new double[e + 1]);
                double s = 0;
                for (int c = 0; c < e; c++) {
                    s += delta[r * e + c];
                    ch[c] += delta[r * e + c];
                }
                ch[e]++;
                per[start * l + r] = (float) (s / e);
            }
        }
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            SequenceExample ex = examples.get(i);
            for (int t = 0; t < l; t++) {
                String role = ex.roleAt(t);
                double[] a = acc.computeIfAbsent(role == null ? UNMARKED : role, k -> new double[2]);
                a[0] += per[i * l + t];
                a[1]++;
            }
        }
        Map<String, Double> mean = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        acc.forEach((k, a) -> {
            mean.put(k, a[0] / a[1]);
            count.put(k, (int) a[1]);
        });
        Map<String, double[]> channelMean = new LinkedHashMap<>();
        chan.forEach((k, ch) -> {
            double[] m = new double[e];
            for (int c = 0; c < e; c++) m[c] = ch[c] / ch[e];
            channelMean.put(k, m);
        });
        return new Profile(n, l, per, mean, count, channelMean);
    }
}
