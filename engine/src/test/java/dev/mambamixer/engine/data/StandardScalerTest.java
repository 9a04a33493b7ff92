package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StandardScalerTest {
    @Test
    void populationStdAndZeroGuard() {
        // columns: {1,2,3,4} -> mean 2.5, pop std sqrt(1.25); {7,7,7,7} -> std 0 -> scale 1
        float[] data = {1, 7, 2, 7, 3, 7, 4, 7};
        StandardScaler sc = StandardScaler.fit(data, 2, 0, 4);
        assertArrayEquals(new double[] {2.5, 7}, sc.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(1.25), 1.0}, sc.scale(), 1e-12);
        float[] z = sc.transform(data);
        assertEquals((float) (-1.5 / Math.sqrt(1.25)), z[0], 1e-6f);
        assertEquals(0f, z[1]);
        assertArrayEquals(data, sc.inverseTransform(z), 1e-5f);
    }

    @Test
    void fitsOnTrainRowsOnlyEtth1() throws IOException {
        Path p = TestData.sharedFile("ETT-small/ETTh1.csv");
        // Independent reference: plain split + Double.parseDouble, double sums over rows [0, 8640).
        List<String> lines = Files.readAllLines(p);
        int m = 7;
        double[] trainMean = new double[m];
        double[] fullMean = new double[m];
        int n = lines.size() - 1;
        for (int r = 0; r < n; r++) {
            String[] cells = lines.get(r + 1).split(",");
            for (int c = 0; c < m; c++) {
                double v = (float) Double.parseDouble(cells[c + 1]);
                if (r < 8640) trainMean[c] += v;
                fullMean[c] += v;
            }
        }
        double[] trainVar = new double[m];
        for (int c = 0; c < m; c++) { trainMean[c] /= 8640; fullMean[c] /= n; }
        for (int r = 0; r < 8640; r++) {
            String[] cells = lines.get(r + 1).split(",");
            for (int c = 0; c < m; c++) {
                double d = (float) Double.parseDouble(cells[c + 1]) - trainMean[c];
                trainVar[c] += d * d;
            }
        }
        ForecastData fd = ForecastData.load(p, 96, 96);
        StandardScaler sc = fd.scaler();
        for (int c = 0; c < m; c++) {
            assertEquals(trainMean[c], sc.mean()[c], 1e-9 * Math.max(1, Math.abs(trainMean[c])), "mean " + c);
            assertEquals(Math.sqrt(trainVar[c] / 8640), sc.scale()[c], 1e-9, "std " + c);
            assertTrue(Math.abs(fullMean[c] - sc.mean()[c]) > 1e-3, "train mean must differ from full mean, col " + c);
        }
        // Scaled train rows have mean ~0 and population std ~1 per column.
        StandardScaler again = StandardScaler.fit(fd.raw().withValues(sc.transform(fd.raw().values())), 0, 8640);
        for (int c = 0; c < m; c++) {
            assertEquals(0.0, again.mean()[c], 1e-5);
            assertEquals(1.0, again.scale()[c], 1e-5);
        }
    }
}
