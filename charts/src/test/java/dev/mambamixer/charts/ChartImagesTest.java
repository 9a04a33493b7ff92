package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartImagesTest {
    @TempDir Path dir;

    @Test
    void imageHasTheRequestedSize() {
        Heatmap h = Heatmap.builder().title("x").build(new float[][] {{1, 2}, {3, 4}});
        BufferedImage img = ChartImages.toImage(h.chart(), 321, 123);
        assertEquals(321, img.getWidth());
        assertEquals(123, img.getHeight());
        byte[] png = ChartImages.pngBytes(h.chart(), 100, 80);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    @Test
    void xyCsvRoundTripsTheNumbers() throws Exception {
        CurveChart c = new CurveChart("t", "step", "loss");
        double[] x = {1, 2, 3}, y = {0.1, 1.0 / 3, Math.PI};
        c.appendAll("train, smoothed?", x, y);   // a comma in the name gets quoted
        c.setSecondaryData("lr", x, new double[] {1e-4, 2e-4, 3e-4});
        Path csv = dir.resolve("curves.csv");
        ChartImages.writeCsv(c.chart(), csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("dataset,series,x,y", lines.get(0));
        assertEquals(1 + 3 + 3 + 3, lines.size(), "drawn, raw and learning-rate series");
        // raw (dataset 1) rows hold exactly the input
        List<String[]> raw = lines.stream().skip(1).map(ChartImagesTest::split).filter(r -> r[0].equals("1")).toList();
        assertEquals(3, raw.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("train, smoothed? (raw)", raw.get(i)[1]);
            assertEquals(x[i], Double.parseDouble(raw.get(i)[2]), 0);
            assertEquals(y[i], Double.parseDouble(raw.get(i)[3]), 0);
        }
        assertTrue(lines.contains("2,lr,3.0,3.0E-4"));
    }

    @Test
    void longCurvesAreExportedInFull() throws Exception {
        CurveChart c = new CurveChart("t", "step", "loss");
        int n = 10_000;
        double[] x = CurveChartTest.steps(n), y = CurveChartTest.noisyDecay(n, 4);
        c.appendAll("train", x, y);
        c.setSmoothing(0.8);
        c.setLogScale(true);
        assertTrue(c.drawnData().getItemCount(0) < n, "drawn thinned");
        Path csv = dir.resolve("long.csv");
        ChartImages.writeCsv(c.chart(), csv);
        List<String[]> rows = Files.readAllLines(csv).stream().skip(1).map(ChartImagesTest::split).toList();
        assertEquals(2 * n, rows.size(), "every smoothed and raw point");
        double[] smoothed = Ema.debiased(y, 0.8);
        for (int i = 0; i < n; i += 997) {
            assertEquals(smoothed[i], Double.parseDouble(rows.get(i)[3]), 0);
            assertEquals(y[i], Double.parseDouble(rows.get(n + i)[3]), 0);
        }
    }

    @Test
    void xyzCsvRoundTripsHeatmapCells() throws Exception {
        float[][] z = {{0.1f, Float.NaN, -2.5f}, {1e-7f, 3f, 4.25f}};
        Heatmap h = Heatmap.builder().valueLabel("Δ").build(z);
        Path csv = dir.resolve("heat.csv");
        ChartImages.writeCsv(h.chart(), csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("dataset,series,x,y,z", lines.get(0));
        assertEquals(7, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = split(line);
            int col = (int) Double.parseDouble(f[2]), row = (int) Double.parseDouble(f[3]);
            float back = (float) Double.parseDouble(f[4]);
            if (Float.isNaN(z[row][col])) assertTrue(Float.isNaN(back));
            else assertEquals(z[row][col], back, 0);
        }
    }

    /** Splits one CSV line, honouring double quotes. */
    static String[] split(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; }
                else quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else cur.append(ch);
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }
}
