package dev.mambamixer.engine.introspect;

import java.util.Arrays;

/**
 * Summary of one captured quantity (e.g. all Δ values of a scan): mean, standard deviation,
 * extremes and the 5th/50th/95th percentiles. Percentiles interpolate linearly between the
 * sorted values (numpy's default), so they are exact for tiny arrays and reproducible.
 */
public record Stats(long count, double mean, double std, double min, double p5, double p50, double p95, double max) {

    /** Stats of every element of {@code v} (NaN fields for an empty array). */
    public static Stats of(float[] v) {
        int n = v.length;
        if (n == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double sum = 0;
        for (float x : v) sum += x;
        double mean = sum / n, ss = 0;
        for (float x : v) ss += (x - mean) * (x - mean);
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        return new Stats(n, mean, Math.sqrt(ss / n), sorted[0], percentile(sorted, 5), percentile(sorted, 50),
                         percentile(sorted, 95), sorted[n - 1]);
    }

    /** Linear-interpolated percentile q in [0, 100] of an ascending array. */
    static double percentile(float[] sorted, double q) {
        double pos = q / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
