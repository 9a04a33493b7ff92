package dev.mambamixer.charts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.data.DomainInfo;
import org.jfree.data.Range;
import org.jfree.data.RangeInfo;
import org.jfree.data.xy.AbstractXYDataset;

/**
 * The points of a {@link CurveChart} as JFreeChart datasets that stay cheap for long runs:
 * appends are O(1), bounds are cached (JFreeChart otherwise scans every item on every change),
 * and at most about {@link #MAX_BUCKETS} points per series are drawn: beyond that, consecutive
 * points are grouped in buckets of k (k doubles as the run grows) and each bucket draws its last
 * smoothed value, and its lowest and highest raw value (so spikes stay visible).
 */
final class CurveData {
    private CurveData() {}

    /** Drawn points per series before bucketing starts (one redraw stays well under 50 ms). */
    static final int MAX_BUCKETS = 2000;

    /** One series: every raw point, its smoothed value, and the bucket summary. */
    static final class Curve {
        final String name;
        final boolean smoothed;
        double[] x = new double[64], y = new double[64], s = new double[64];
        int n;
        Ema ema;
        int k = 1;                                   // bucket size (power of two)
        int[] lo = new int[64], hi = new int[64];    // per complete bucket: index of min / max raw y
        int buckets;
        // Bounds over all points: x, raw y, smoothed y, and the smallest positive raw/smoothed y (log axis).
        double minX, maxX, minY, maxY, minPosY, minS, maxS, minPosS;

        Curve(String name, boolean smoothed, double weight) {
            this.name = name;
            this.smoothed = smoothed;
            this.ema = new Ema(weight);
            resetBounds();
        }

        private void resetBounds() {
            minX = minY = minS = minPosY = minPosS = Double.POSITIVE_INFINITY;
            maxX = maxY = maxS = Double.NEGATIVE_INFINITY;
        }

        void clear() {
            n = 0;
            k = 1;
            buckets = 0;
            ema.reset();
            resetBounds();
        }

        void add(double xv, double yv) {
            if (n == x.length) {
                x = Arrays.copyOf(x, 2 * n);
                y = Arrays.copyOf(y, 2 * n);
                s = Arrays.copyOf(s, 2 * n);
            }
            x[n] = xv;
            y[n] = yv;
            s[n] = smoothed ? ema.next(yv) : yv;
            bound(n);
            n++;
            if (n % k == 0) closeBucket(n / k - 1);
            if (buckets > MAX_BUCKETS) rebucket(2 * k);
        }

        private void bound(int i) {
            if (Double.isFinite(x[i])) { minX = Math.min(minX, x[i]); maxX = Math.max(maxX, x[i]); }
            if (Double.isFinite(y[i])) {
                minY = Math.min(minY, y[i]);
                maxY = Math.max(maxY, y[i]);
                if (y[i] > 0) minPosY = Math.min(minPosY, y[i]);
            }
            if (Double.isFinite(s[i])) {
                minS = Math.min(minS, s[i]);
                maxS = Math.max(maxS, s[i]);
                if (s[i] > 0) minPosS = Math.min(minPosS, s[i]);
            }
        }

        private void closeBucket(int b) {
            if (b == lo.length) {
                lo = Arrays.copyOf(lo, 2 * b);
                hi = Arrays.copyOf(hi, 2 * b);
            }
            int from = b * k, l = from, h = from;
            for (int i = from + 1; i < from + k; i++) {
                if (less(y[i], y[l])) l = i;
                if (less(y[h], y[i])) h = i;
            }
            lo[b] = l;
            hi[b] = h;
            buckets = b + 1;
        }

        /** a < b, with NaN larger than everything for min and smaller for max (NaN never wins). */
        private static boolean less(double a, double b) {
            if (Double.isNaN(a)) return false;
            if (Double.isNaN(b)) return true;
            return a < b;
        }

        void rebucket(int newK) {
            k = newK;
            buckets = 0;
            for (int b = 0; (b + 1) * k <= n; b++) closeBucket(b);
        }

        /** Recomputes the smoothed values (new weight) and all bounds. */
        void resmooth(double weight) {
            ema = new Ema(weight);
            resetBounds();
            for (int i = 0; i < n; i++) {
                s[i] = smoothed ? ema.next(y[i]) : y[i];
                bound(i);
            }
        }

        int tail() { return n - buckets * k; }

        /** Drawn line: last point of each bucket, then the points not yet in a complete bucket. */
        int lineCount() { return buckets + tail(); }

        int lineIndex(int item) { return item < buckets ? item * k + k - 1 : buckets * k + (item - buckets); }

        /** Faded raw curve: min and max of each bucket in x order (one point when k = 1), then the tail. */
        int rawCount() { return smoothed ? (k == 1 ? n : 2 * buckets + tail()) : 0; }

        int rawIndex(int item) {
            if (k == 1) return item;
            if (item < 2 * buckets) {
                int b = item / 2, first = Math.min(lo[b], hi[b]), second = Math.max(lo[b], hi[b]);
                return item % 2 == 0 ? first : second;
            }
            return buckets * k + (item - 2 * buckets);
        }
    }

    /** The drawn (smoothed, or raw for unsmoothed series) lines, or the faded raw curves, of a list of curves. */
    static final class Dataset extends AbstractXYDataset implements DomainInfo, RangeInfo {
        private final List<Curve> curves = new ArrayList<>();
        private final boolean raw;
        private boolean log;

        Dataset(boolean raw) { this.raw = raw; }

        void add(Curve c) { curves.add(c); }

        List<Curve> curves() { return curves; }

        /** Log axis: values ≤ 0 are drawn as gaps and left out of the bounds. */
        void setLog(boolean log) { this.log = log; }

        /** Tells listeners (the plot) that points changed. */
        void changed() { fireDatasetChanged(); }

        /** Every point of a series (not thinned, no log guard): for CSV export. */
        int fullCount(int series) {
            Curve c = curves.get(series);
            return raw && !c.smoothed ? 0 : c.n;
        }

        double fullX(int series, int i) { return curves.get(series).x[i]; }

        double fullY(int series, int i) {
            Curve c = curves.get(series);
            return raw ? c.y[i] : c.s[i];
        }

        @Override public int getSeriesCount() { return curves.size(); }

        @Override public Comparable<String> getSeriesKey(int series) {
            return raw ? curves.get(series).name + " (raw)" : curves.get(series).name;
        }

        @Override public int getItemCount(int series) {
            Curve c = curves.get(series);
            return raw ? c.rawCount() : c.lineCount();
        }

        @Override public double getXValue(int series, int item) {
            Curve c = curves.get(series);
            return c.x[raw ? c.rawIndex(item) : c.lineIndex(item)];
        }

        @Override public double getYValue(int series, int item) {
            Curve c = curves.get(series);
            double v = raw ? c.y[c.rawIndex(item)] : c.s[c.lineIndex(item)];
            return log && !(v > 0) ? Double.NaN : v;
        }

        @Override public Number getX(int series, int item) { return getXValue(series, item); }

        @Override public Number getY(int series, int item) { return getYValue(series, item); }

        @Override public double getDomainLowerBound(boolean includeInterval) {
            Range r = getDomainBounds(includeInterval);
            return r == null ? Double.NaN : r.getLowerBound();
        }

        @Override public double getDomainUpperBound(boolean includeInterval) {
            Range r = getDomainBounds(includeInterval);
            return r == null ? Double.NaN : r.getUpperBound();
        }

        @Override public Range getDomainBounds(boolean includeInterval) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Curve c : curves)
                if ((raw ? c.rawCount() : c.lineCount()) > 0) {
                    lo = Math.min(lo, c.minX);
                    hi = Math.max(hi, c.maxX);
                }
            return lo <= hi ? new Range(lo, hi) : null;
        }

        @Override public double getRangeLowerBound(boolean includeInterval) {
            Range r = getRangeBounds(includeInterval);
            return r == null ? Double.NaN : r.getLowerBound();
        }

        @Override public double getRangeUpperBound(boolean includeInterval) {
            Range r = getRangeBounds(includeInterval);
            return r == null ? Double.NaN : r.getUpperBound();
        }

        @Override public Range getRangeBounds(boolean includeInterval) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Curve c : curves) {
                if ((raw ? c.rawCount() : c.lineCount()) == 0) continue;
                double min = raw ? (log ? c.minPosY : c.minY) : (log ? c.minPosS : c.minS);
                double max = raw ? c.maxY : c.maxS;
                if (log && !(max > 0)) continue;
                lo = Math.min(lo, min);
                hi = Math.max(hi, max);
            }
            return lo <= hi ? new Range(lo, hi) : null;
        }
    }
}
