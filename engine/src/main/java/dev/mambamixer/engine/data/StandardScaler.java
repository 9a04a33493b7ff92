package dev.mambamixer.engine.data;

import java.util.Arrays;

/**
 * Per-variate standardisation, as sklearn's {@code StandardScaler} used by the benchmark loaders
 * (MODEL.md §6.2): mean and <b>population</b> standard deviation (ddof = 0), computed in double on the
 * train rows only and applied to every split. A constant column (std below 10 machine epsilons,
 * sklearn's {@code _handle_zeros_in_scale} rule) gets scale 1 so it maps to 0 instead of NaN.
 * MSE/MAE are reported in this scaled space.
 */
public final class StandardScaler {
    private final double[] mean;
    private final double[] scale;

    private StandardScaler(double[] mean, double[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /** Rebuilds a scaler from saved statistics (e.g. from a checkpoint). */
    public static StandardScaler of(double[] mean, double[] scale) {
        if (mean.length != scale.length) {
            throw new IllegalArgumentException("mean has " + mean.length + " entries, scale " + scale.length);
        }
        for (int c = 0; c < scale.length; c++) {
            if (!(scale[c] > 0) || !Double.isFinite(scale[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("bad statistics for column " + c + ": mean=" + mean[c] + " scale=" + scale[c]);
            }
        }
        return new StandardScaler(mean.clone(), scale.clone());
    }

    /** Fits on rows {@code [rowStart, rowEnd)} of the series (normally the train range). */
    public static StandardScaler fit(Series s, int rowStart, int rowEnd) {
        return fit(s.values(), s.cols(), rowStart, rowEnd);
    }

    /** Fits on rows {@code [rowStart, rowEnd)} of row-major {@code (rows, cols)} data. */
    public static StandardScaler fit(float[] values, int cols, int rowStart, int rowEnd) {
        if (cols < 1) throw new IllegalArgumentException("cols must be >= 1");
        if (rowStart < 0 || rowEnd <= rowStart || (long) rowEnd * cols > values.length) {
            throw new IllegalArgumentException("bad fit rows [" + rowStart + ", " + rowEnd + ") for "
                    + (values.length / cols) + " rows");
        }
        int n = rowEnd - rowStart;
        double[] mean = new double[cols];
        double[] scale = new double[cols];
        for (int r = rowStart; r < rowEnd; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) mean[c] += values[base + c];
        }
        for (int c = 0; c < cols; c++) mean[c] /= n;
        // Second pass on deviations: more accurate than E[x^2]-E[x]^2 for large offsets (weather p ~ 1000).
        for (int r = rowStart; r < rowEnd; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                double d = values[base + c] - mean[c];
                scale[c] += d * d;
            }
        }
        double tiny = 10 * Math.ulp(1.0);
        for (int c = 0; c < cols; c++) {
            double std = Math.sqrt(scale[c] / n);
            scale[c] = std < tiny ? 1.0 : std;
        }
        return new StandardScaler(mean, scale);
    }

    public int cols() { return mean.length; }

    /** Per-column means (a copy). */
    public double[] mean() { return mean.clone(); }

    /** Per-column scales: population std, or 1 for constant columns (a copy). */
    public double[] scale() { return scale.clone(); }

    /** Returns a new array {@code (x - mean) / scale}; {@code data} is row-major with last dim = cols. */
    public float[] transform(float[] data) {
        float[] out = data.clone();
        transformInPlace(out);
        return out;
    }

    /** Returns a new array {@code x * scale + mean}; {@code data} is row-major with last dim = cols. */
    public float[] inverseTransform(float[] data) {
        float[] out = data.clone();
        inverseTransformInPlace(out);
        return out;
    }

    /** In place on any row-major array whose last dimension is the variate axis, e.g. (B, H, M). */
    public void transformInPlace(float[] data) {
        int m = checkShape(data);
        for (int i = 0; i < data.length; i += m) {
            for (int c = 0; c < m; c++) data[i + c] = (float) ((data[i + c] - mean[c]) / scale[c]);
        }
    }

    /** In place on any row-major array whose last dimension is the variate axis, e.g. (B, H, M). */
    public void inverseTransformInPlace(float[] data) {
        int m = checkShape(data);
        for (int i = 0; i < data.length; i += m) {
            for (int c = 0; c < m; c++) data[i + c] = (float) (data[i + c] * scale[c] + mean[c]);
        }
    }

    private int checkShape(float[] data) {
        int m = mean.length;
        if (data.length % m != 0) {
            throw new IllegalArgumentException("array length " + data.length + " is not a multiple of the "
                    + m + " variates this scaler was fitted on");
        }
        return m;
    }

    @Override
    public String toString() {
        return "StandardScaler{mean=" + Arrays.toString(mean) + ", scale=" + Arrays.toString(scale) + "}";
    }
}
