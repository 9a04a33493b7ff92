package dev.mambamixer.engine.data;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

/**
 * A multivariate hourly series with known structure, for demos and for checking that the variate
 * (channel) mixer can find true cross-variate dependencies. The exact equations are documented in
 * {@code sample-data/README.md}; for row t (t = 0 at 2020-01-01 00:00:00), with
 * {@code d(t) = sin(2 pi t / 24)}, {@code w(t) = sin(2 pi t / 168)}, {@code a_k} AR(1) noises and
 * {@code e_k} white N(0,1) noises:
 *
 * <pre>
 * v0(t) = 10 + 0.0005 t + 2.0 d(t) + a0(t)                        a0: phi 0.90, innovation sd 0.30
 * v1(t) =  5 + 1.5 sin(2 pi (t+6) / 24) + a1(t)                     a1: phi 0.80, innovation sd 0.50
 * v2(t) = 3.0 w(t) + a2(t)                                         a2: phi 0.95, innovation sd 0.20
 * v3(t) = 0.8 v1(t-5) + 0.2 e3(t)                                   lagged copy of v1 (lag 5)
 * v4(t) = 0.6 v0(t-12) - 0.5 v2(t-3) + 0.3 e4(t)                    v0 at lag 12, v2 at lag 3
 * v5(t) = 0.8 sin(2 pi t / 12) + a5(t)                              a5: phi 0.50, innovation sd 0.50; independent distractor
 * OT(t) = 0.7 v3(t-2) + 0.4 v2(t-24) + 1.0 d(t) + 0.3 eOT(t)        v3 at lag 2 (so v1 at lag 7), v2 at lag 24
 * </pre>
 *
 * Shared seasonality also makes some non-edges correlate (v0 and v1 are both daily), but the plain
 * cross-correlation of each documented edge peaks at its documented lag (checked in
 * SyntheticSeriesGeneratorTest).
 *
 * The recursion starts {@link #BURN_IN} steps before row 0 (at t = -BURN_IN) so that every lag is
 * defined and the AR noises are stationary in the written rows. Noise comes from one
 * {@link java.util.Random} (its Gaussian algorithm is fixed by its specification), drawn in a fixed
 * order, so a given (rows, seed) gives the same values on every JVM. Values are written with 4
 * decimals.
 */
public final class SyntheticSeriesGenerator {
    public static final int BURN_IN = 200;
    /** Rows and seed of the committed {@code sample-data/synthetic.csv}. */
    public static final int DEFAULT_ROWS = 8000;
    public static final long DEFAULT_SEED = 20240318L;
    public static final int DECIMALS = 4;
    public static final List<String> COLUMNS = List.of("v0", "v1", "v2", "v3", "v4", "v5", "OT");

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final LocalDateTime START = LocalDateTime.of(2020, 1, 1, 0, 0, 0);

    private SyntheticSeriesGenerator() {}

    /** Generates {@code rows} hourly rows with the documented structure. */
    public static Series generate(int rows, long seed) {
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        int n = rows + BURN_IN;
        double[] v0 = new double[n], v1 = new double[n], v2 = new double[n], v3 = new double[n];
        double[] v4 = new double[n], v5 = new double[n], ot = new double[n];
        Random rng = new Random(seed);
        double a0 = 0, a1 = 0, a2 = 0, a5 = 0;
        for (int i = 0; i < n; i++) {
            double t = i - BURN_IN; // row index in the file; negative during burn-in
            double d = StrictMath.sin(2 * StrictMath.PI * t / 24);
            double w = StrictMath.sin(2 * StrictMath.PI * t / 168);
            // Draw order is fixed: a0, a1, a2, e3, e4, a5, eOT.
            a0 = 0.90 * a0 + 0.30 * rng.nextGaussian();
            a1 = 0.80 * a1 + 0.50 * rng.nextGaussian();
            a2 = 0.95 * a2 + 0.20 * rng.nextGaussian();
            double e3 = rng.nextGaussian();
            double e4 = rng.nextGaussian();
            a5 = 0.50 * a5 + 0.50 * rng.nextGaussian();
            double eOt = rng.nextGaussian();
            v0[i] = 10 + 0.0005 * t + 2.0 * d + a0;
            v1[i] = 5 + 1.5 * StrictMath.sin(2 * StrictMath.PI * (t + 6) / 24) + a1;
            v2[i] = 3.0 * w + a2;
            v3[i] = 0.8 * at(v1, i - 5) + 0.2 * e3;
            v4[i] = 0.6 * at(v0, i - 12) - 0.5 * at(v2, i - 3) + 0.3 * e4;
            v5[i] = 0.8 * StrictMath.sin(2 * StrictMath.PI * t / 12) + a5;
            ot[i] = 0.7 * at(v3, i - 2) + 0.4 * at(v2, i - 24) + 1.0 * d + 0.3 * eOt;
        }
        int m = COLUMNS.size();
        float[] values = new float[rows * m]; // (rows, M) row-major
        String[] dates = new String[rows];
        double[][] all = {v0, v1, v2, v3, v4, v5, ot};
        for (int r = 0; r < rows; r++) {
            dates[r] = START.plusHours(r).format(DATE);
            for (int c = 0; c < m; c++) values[r * m + c] = (float) all[c][r + BURN_IN];
        }
        return new Series("synthetic(rows=" + rows + ",seed=" + seed + ")", "date", COLUMNS, dates, values, rows, m);
    }

    /** Before the first burn-in step the lagged value is taken as 0 (those steps are discarded). */
    private static double at(double[] v, int i) {
        return i < 0 ? 0.0 : v[i];
    }

    /** Generates and writes the benchmark CSV ({@link #DECIMALS} decimals). */
    public static void write(Path path, int rows, long seed) throws IOException {
        CsvSeriesWriter.write(generate(rows, seed), path, DECIMALS);
    }

    /** {@code SyntheticSeriesGenerator [out.csv] [rows] [seed]}; defaults: sample-data/synthetic.csv, 8000, 20240318. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "sample-data/synthetic.csv");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_ROWS;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
        write(out, rows, seed);
        System.out.println("wrote " + rows + " rows x " + COLUMNS.size() + " variates to " + out);
    }
}
