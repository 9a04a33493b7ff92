package dev.mambamixer.notebooks;

import java.util.Arrays;

/** A growable (x, y) list owned by one thread; {@link #xs()}/{@link #ys()} copy for another thread. */
final class Points {
    private double[] x = new double[64], y = new double[64];
    private int n;

    void add(double xv, double yv) {
        if (n == x.length) {
            x = Arrays.copyOf(x, 2 * n);
            y = Arrays.copyOf(y, 2 * n);
        }
        x[n] = xv;
        y[n] = yv;
        n++;
    }

    int size() { return n; }
    double[] xs() { return Arrays.copyOf(x, n); }
    double[] ys() { return Arrays.copyOf(y, n); }
    double lastY() { return n == 0 ? Double.NaN : y[n - 1]; }
}
