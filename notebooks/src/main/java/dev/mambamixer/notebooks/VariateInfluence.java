package dev.mambamixer.notebooks;

import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.model.Tsm2;
import java.util.List;
import java.util.Locale;

/**
 * Which variates a trained model uses to forecast which: permutation importance per (target,
 * source). For each source variate s, its look-back is swapped between windows (window i gets
 * window (i + n/2) mod n's history of s, everything else unchanged) and the forecast MSE of every
 * target variate is measured again; {@code increase[t][s]} = MSE_t(s swapped) / MSE_t − 1. A
 * source the model ignores for a target gives ≈ 0; one it relies on gives a clear increase.
 * Errors are in standardised space, over the horizon.
 *
 * @param names    variate names (M)
 * @param baseline MSE per target variate with nothing swapped (M)
 * @param increase (M, M) target × source relative increase of the target's MSE
 */
public record VariateInfluence(List<String> names, int windows, double[] baseline, double[][] increase) {

    /** Measures on {@code windows} evenly spaced windows of {@code ds} (at least 2). */
    public static VariateInfluence measure(Tsm2 model, WindowDataset ds, List<String> names, int windows) {
        int n = Math.min(windows, ds.size());
        if (n < 2) throw new IllegalArgumentException("need at least 2 windows, the split has " + ds.size());
        int t = ds.lookback(), h = ds.horizon(), m = ds.variates();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = (int) ((long) i * (ds.size() - 1) / (n - 1));
        float[] x = Introspector.probeInput(ds, idx);                // (n, T, M)
        float[] y = new float[n * h * m];                            // (n, H, M)
        for (int i = 0; i < n; i++) ds.copyTarget(idx[i], y, i * h * m);
        double[] base = perVariateMse(forecast(model, x, n), y, n, h, m);
        double[][] inc = new double[m][m];
        for (int s = 0; s < m; s++) {
            float[] xs = x.clone();
            for (int i = 0; i < n; i++) {
                int donor = (i + n / 2) % n;
                for (int k = 0; k < t; k++) xs[(i * t + k) * m + s] = x[(donor * t + k) * m + s];
            }
            double[] mse = perVariateMse(forecast(model, xs, n), y, n, h, m);
            for (int tg = 0; tg < m; tg++) inc[tg][s] = mse[tg] / base[tg] - 1;
        }
        return new VariateInfluence(List.copyOf(names), n, base, inc);
    }

    /** Forecasts (n, H, M) of inputs x (n, T, M), in evaluation mode, a chunk of windows at a time. */
    private static float[] forecast(Tsm2 model, float[] x, int n) {
        int per = model.config().seqLen() * model.config().variates();
        int out = model.config().horizon() * model.config().variates();
        float[] p = new float[n * out];
        for (int start = 0; start < n; start += CHUNK) {
            int b = Math.min(CHUNK, n - start);
            float[] xb = java.util.Arrays.copyOfRange(x, start * per, (start + b) * per);
            System.arraycopy(Introspector.capture(model, xb, b, -1).forecast(), 0, p, start * out, b * out);
        }
        return p;
    }

    private static final int CHUNK = 16;   // a capture keeps every mixer's scan arrays: bound its size

    private static double[] perVariateMse(float[] p, float[] y, int n, int h, int m) {
        double[] mse = new double[m];
        for (int i = 0; i < n * h; i++)
            for (int v = 0; v < m; v++) {
                double d = (double) p[i * m + v] - y[i * m + v];
                mse[v] += d * d;
            }
        for (int v = 0; v < m; v++) mse[v] /= (double) n * h;
        return mse;
    }

    /** Relative MSE increase of {@code target}'s forecast when {@code source}'s history is swapped. */
    public double increase(String target, String source) {
        return increase[index(target)][index(source)];
    }

    /** 1 if {@code source} is the strongest other source of {@code target}, 2 if the second, ... */
    public int rank(String target, String source) {
        int t = index(target), s = index(source), r = 1;
        for (int o = 0; o < names.size(); o++)
            if (o != t && o != s && increase[t][o] > increase[t][s]) r++;
        return r;
    }

    private int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no variate " + name + "; variates: " + names);
        return i;
    }

    /** The strongest source other than the target itself, for each target. */
    public String strongestOther(String targetName) {
        int target = index(targetName), best = -1;
        for (int s = 0; s < names.size(); s++)
            if (s != target && (best < 0 || increase[target][s] > increase[target][best])) best = s;
        return names.get(best);
    }

    /** The matrix as floats, for a heatmap. */
    public float[][] matrix() {
        float[][] z = new float[increase.length][];
        for (int i = 0; i < z.length; i++) {
            z[i] = new float[increase[i].length];
            for (int j = 0; j < z[i].length; j++) z[i][j] = (float) increase[i][j];
        }
        return z;
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "VariateInfluence over %d windows: relative MSE increase of the target (row) when a source's history "
                + "(column) is swapped%n%8s", windows, "target"));
        for (String s : names) sb.append(String.format(Locale.ROOT, "%8s", s));
        sb.append('\n');
        for (int tg = 0; tg < names.size(); tg++) {
            sb.append(String.format(Locale.ROOT, "%8s", names.get(tg)));
            for (int s = 0; s < names.size(); s++) sb.append(String.format(Locale.ROOT, "%8.2f", increase[tg][s]));
            sb.append('\n');
        }
        return sb.toString();
    }
}
