package dev.mambamixer.engine.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Sliding windows over one (already scaled) split, MODEL.md §6.2: every window is {@code T + H}
 * consecutive rows with stride 1; the first T rows are the input, the last H rows the target, all
 * variates ("M" setting). Window {@code i} covers split rows {@code [i, i + T + H)}, so there are
 * {@code rows - T - H + 1} windows.
 *
 * <p>The split's rows are copied once at construction; inputs and targets are contiguous slices
 * of that copy, so copying a window is two {@link System#arraycopy} calls.
 */
public final class WindowDataset {
    private final String source;
    private final String split;
    private final float[] data; // (rows, M) row-major
    private final int rows;
    private final int m;
    private final int t;
    private final int h;
    private final int count;

    /**
     * Windows over rows {@code [start, end)} of row-major {@code (totalRows, m)} data.
     *
     * @throws IllegalArgumentException naming the file, split, its row count and T+H when the split
     *                                  is too short for even one window
     */
    public WindowDataset(String source, String split, float[] data, int m, int start, int end, int t, int h) {
        this.source = Objects.requireNonNull(source, "source");
        this.split = Objects.requireNonNull(split, "split");
        if (m < 1) throw new IllegalArgumentException("number of variates must be >= 1, got " + m);
        if (t < 1 || h < 1) throw new IllegalArgumentException("T and H must be >= 1, got T=" + t + " H=" + h);
        if (start < 0 || end < start || (long) end * m > data.length) {
            throw new IllegalArgumentException(source + ": split '" + split + "' rows [" + start + ", " + end
                    + ") are outside the " + (data.length / m) + " rows of the data");
        }
        this.rows = end - start;
        this.m = m;
        this.t = t;
        this.h = h;
        long need = (long) t + h;
        if (rows < need) {
            throw new IllegalArgumentException(source + ": split '" + split + "' has " + rows
                    + " rows, but one window needs T+H = " + t + "+" + h + " = " + need
                    + " rows; use a shorter look-back/horizon or more data");
        }
        this.count = (int) (rows - need + 1);
        this.data = Arrays.copyOfRange(data, start * m, end * m); // (rows, M)
    }

    /** Windows over a range of a series (see {@link Splits}). */
    public static WindowDataset of(Series series, Splits.Range range, int t, int h) {
        return new WindowDataset(series.source(), range.name(), series.values(), series.cols(),
                range.start(), range.end(), t, h);
    }

    /** Number of windows: rows - T - H + 1. */
    public int size() { return count; }
    public int lookback() { return t; }
    public int horizon() { return h; }
    public int variates() { return m; }
    /** Rows of the split, including the T rows of look-back before val/test boundaries. */
    public int rows() { return rows; }
    public String split() { return split; }
    public String source() { return source; }

    /** Copies window {@code i}'s input (T, M) into {@code dst} at {@code off}. */
    public void copyInput(int i, float[] dst, int off) {
        Objects.checkIndex(i, count);
        System.arraycopy(data, i * m, dst, off, t * m);
    }

    /** Copies window {@code i}'s target (H, M) into {@code dst} at {@code off}. */
    public void copyTarget(int i, float[] dst, int off) {
        Objects.checkIndex(i, count);
        System.arraycopy(data, (i + t) * m, dst, off, h * m);
    }

    /** A new (T, M) row-major array with window {@code i}'s input. */
    public float[] input(int i) {
        float[] out = new float[t * m];
        copyInput(i, out, 0);
        return out;
    }

    /** A new (H, M) row-major array with window {@code i}'s target. */
    public float[] target(int i) {
        float[] out = new float[h * m];
        copyTarget(i, out, 0);
        return out;
    }

    @Override
    public String toString() {
        return "WindowDataset{" + source + ":" + split + ", rows=" + rows + ", M=" + m + ", T=" + t + ", H=" + h
                + ", windows=" + count + "}";
    }
}
