package dev.mambamixer.engine.data;

import java.util.List;
import java.util.Objects;

/**
 * A multivariate time series as read from a benchmark CSV: {@code rows} time steps by
 * {@code cols} variates, stored row-major in {@code values} (value of variate c at step r is
 * {@code values[r * cols + c]}). {@code columns} are the variate names in file order (the date
 * column is not included; its header name is {@code dateColumn}). {@code dates} are kept as the
 * raw strings from the file: the reader parses them only to check that
 * they increase; the engine uses row indices only (MODEL.md §6.2).
 *
 * <p>The arrays are shared, not copied; treat them as read-only.
 *
 * @param source     file name used in error messages (usually the path as given)
 * @param dateColumn header name of the first column, normally {@code date}
 * @param columns    variate names, {@code cols} of them
 * @param dates      one raw date string per row
 * @param values     row-major {@code (rows, cols)} values
 */
public record Series(String source, String dateColumn, List<String> columns, String[] dates,
                     float[] values, int rows, int cols) {

    public Series {
        Objects.requireNonNull(source, "source");
        columns = List.copyOf(columns);
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        if (columns.size() != cols) {
            throw new IllegalArgumentException(source + ": " + columns.size() + " column names for " + cols + " columns");
        }
        if (dates.length != rows) {
            throw new IllegalArgumentException(source + ": " + dates.length + " dates for " + rows + " rows");
        }
        if (values.length != (long) rows * cols) {
            throw new IllegalArgumentException(source + ": values length " + values.length + " != " + rows + "*" + cols);
        }
    }

    /** Value of variate {@code col} at time step {@code row}. */
    public float value(int row, int col) {
        return values[row * cols + col];
    }

    /** Index of the variate called {@code name}, or -1. */
    public int indexOf(String name) {
        return columns.indexOf(name);
    }

    /** A fresh copy of one variate over all rows. */
    public float[] column(int col) {
        Objects.checkIndex(col, cols);
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) out[r] = values[r * cols + col];
        return out;
    }

    /** The same dates and names with other values of the same shape (e.g. scaled ones). */
    public Series withValues(float[] newValues) {
        return new Series(source, dateColumn, columns, dates, newValues, rows, cols);
    }
}
