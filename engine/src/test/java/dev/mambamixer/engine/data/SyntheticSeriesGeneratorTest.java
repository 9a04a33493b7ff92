package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSeriesGeneratorTest {
    @TempDir Path dir;

    private static String csv(Series s) throws IOException {
        StringWriter w = new StringWriter();
        CsvSeriesWriter.write(s, w, SyntheticSeriesGenerator.DECIMALS);
        return w.toString();
    }

    @Test
    void deterministicForASeedAndDifferentForAnother() throws IOException {
        String a = csv(SyntheticSeriesGenerator.generate(500, 1L));
        assertEquals(a, csv(SyntheticSeriesGenerator.generate(500, 1L)));
        assertNotEquals(a, csv(SyntheticSeriesGenerator.generate(500, 2L)));
        assertTrue(a.startsWith("date,v0,v1,v2,v3,v4,v5,OT\n2020-01-01 00:00:00,"), a.substring(0, 60));
        assertTrue(a.contains("\n2020-01-02 00:00:00,"), "hourly dates");
    }

    @Test
    void committedSampleMatchesTheGeneratorByteForByte() throws IOException {
        Path committed = TestData.sampleFile("synthetic.csv");
        Path fresh = dir.resolve("synthetic.csv");
        SyntheticSeriesGenerator.write(fresh, SyntheticSeriesGenerator.DEFAULT_ROWS, SyntheticSeriesGenerator.DEFAULT_SEED);
        assertEquals(Files.readString(fresh, StandardCharsets.UTF_8), Files.readString(committed, StandardCharsets.UTF_8),
                "sample-data/synthetic.csv is stale; regenerate it with SyntheticSeriesGenerator.main");
        assertTrue(Files.size(committed) < 1_000_000, "sample must stay under 1 MB");
    }

    /** Pearson correlation of x(t) with y(t - lag) over the overlapping rows. */
    private static double corrAtLag(float[] x, float[] y, int lag) {
        int n = x.length - lag;
        double mx = 0, my = 0;
        for (int t = lag; t < x.length; t++) { mx += x[t]; my += y[t - lag]; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int t = lag; t < x.length; t++) {
            double a = x[t] - mx, b = y[t - lag] - my;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    private static int bestLag(Series s, String target, String driver, int maxLag) {
        float[] x = s.column(s.indexOf(target));
        float[] y = s.column(s.indexOf(driver));
        int best = -1;
        double bestAbs = -1;
        for (int lag = 0; lag <= maxLag; lag++) {
            double a = Math.abs(corrAtLag(x, y, lag));
            if (a > bestAbs) { bestAbs = a; best = lag; }
        }
        return best;
    }

    @Test
    void documentedLaggedDependenciesArePresentInTheSample() throws IOException {
        Series s = CsvSeriesReader.read(TestData.sampleFile("synthetic.csv"));
        assertEquals(SyntheticSeriesGenerator.DEFAULT_ROWS, s.rows());
        assertEquals(SyntheticSeriesGenerator.COLUMNS, s.columns());
        float[] v1 = s.column(1), v3 = s.column(3);
        double r5 = corrAtLag(v3, v1, 5);
        assertTrue(r5 > 0.95, "corr(v3(t), v1(t-5)) = " + r5);
        assertTrue(r5 - corrAtLag(v3, v1, 0) > 0.1, "lag 5 must beat lag 0");
        assertEquals(5, bestLag(s, "v3", "v1", 48));
        assertEquals(12, bestLag(s, "v4", "v0", 48));
        assertEquals(3, bestLag(s, "v4", "v2", 48));
        assertEquals(24, bestLag(s, "OT", "v2", 48));
        assertEquals(2, bestLag(s, "OT", "v3", 48));
        assertEquals(7, bestLag(s, "OT", "v1", 48)); // through v3: 5 + 2
        // The distractor v5 is unrelated to OT at every lag.
        float[] ot = s.column(6), v5 = s.column(5);
        for (int lag = 0; lag <= 48; lag++) assertTrue(Math.abs(corrAtLag(ot, v5, lag)) < 0.1, "lag " + lag);
    }

    @Test
    void sampleSupportsLongLookbackWithRatioSplits() throws IOException {
        ForecastData fd = ForecastData.load(TestData.sampleFile("synthetic.csv"), 512, 96);
        assertEquals(SplitRule.RATIO, fd.splits().rule());
        assertEquals(5600 - 608 + 1, fd.train().size());
        assertEquals(800 - 96 + 1, fd.val().size());
        assertEquals(1600 - 96 + 1, fd.test().size());
    }
}
