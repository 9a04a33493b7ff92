package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @TempDir Path tmp;
    private final Clock clock = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);

    private List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aLabelNamesTheRunWhileAWriterHoldsTheFolder() throws IOException {
        try (RunFolder f = RunFolder.create(tmp.resolve("runs"), "etth1", clock)) {
            f.writeConfig(new JsonObject());
            assertTrue(RunFolder.readLabel(f.dir()).isEmpty());
            RunFolder.writeLabel(f.dir(), "  lr 3e-3 — wider  ");   // the writer's lock does not stop a name
            assertEquals("lr 3e-3 — wider", RunFolder.readLabel(f.dir()).orElseThrow());
            var twoLines = assertThrows(IllegalArgumentException.class, () -> RunFolder.writeLabel(f.dir(), "a\nb"));
            assertTrue(twoLines.getMessage().contains("one line"), twoLines.getMessage());
            assertThrows(IllegalArgumentException.class, () -> RunFolder.writeLabel(f.dir(), "x".repeat(RunFolder.MAX_LABEL_LENGTH + 1)));
            assertEquals("lr 3e-3 — wider", RunFolder.readLabel(f.dir()).orElseThrow(), "a refused name changes nothing");
            Files.writeString(f.resolve(RunFolder.LABEL_FILE), "edited\nby hand\n");
            assertTrue(RunFolder.readLabel(f.dir()).isEmpty(), "a label file that is not one line is ignored");
            RunFolder.writeLabel(f.dir(), "");
            assertFalse(Files.exists(f.resolve(RunFolder.LABEL_FILE)));
        }
        IOException notRun = assertThrows(IOException.class, () -> RunFolder.writeLabel(tmp, "x"));
        assertTrue(notRun.getMessage().contains("not a run folder"), notRun.getMessage());
    }

    @Test
    void createsUniqueTimestampedFolders() throws IOException {
        Path runs = tmp.resolve("runs");
        try (RunFolder a = RunFolder.create(runs, "etth1 tsm2/x", clock);
             RunFolder b = RunFolder.create(runs, "etth1 tsm2/x", clock);
             RunFolder c = RunFolder.create(runs, "", clock)) {
            assertEquals(runs.resolve("20250102-030405-etth1_tsm2_x"), a.dir());
            assertEquals(runs.resolve("20250102-030405-etth1_tsm2_x-2"), b.dir());
            assertEquals(runs.resolve("20250102-030405"), c.dir());
            assertTrue(Files.isDirectory(b.dir()));
        }
        assertEquals("abc", RunFolder.sanitize("..abc"));
    }

    @Test
    void writesConfigMetricsAndTestMetrics() throws IOException {
        Path dir;
        try (RunFolder run = RunFolder.create(tmp, "r", clock)) {
            dir = run.dir();
            run.writeConfig("{\"dataset\":\"ETTh1\",\"horizon\":96}");
            assertEquals(96, JsonParser.parseString(Files.readString(dir.resolve("config.json")))
                    .getAsJsonObject().get("horizon").getAsInt());
            run.appendMetrics(1, 100, 0.5, Double.NaN, 1e-4, 12.5);
            // flushed per row: visible before close
            assertEquals(List.of(RunFolder.METRICS_HEADER, "1,100,0.5,,1.0E-4,12.5"),
                    Files.readAllLines(dir.resolve("metrics.csv")));
            run.appendMetrics(2, 200, 0.25, 0.4123, 5e-5, 25.0);
            Map<String, Double> test = new LinkedHashMap<>();
            test.put("mse", 0.375);
            test.put("mae", 0.4);
            run.writeTestMetrics(test);
        }
        JsonObject tm = JsonParser.parseString(Files.readString(dir.resolve("test-metrics.json"))).getAsJsonObject();
        assertEquals(0.375, tm.get("mse").getAsDouble());
        assertEquals(0.4, tm.get("mae").getAsDouble());

        // resume: header not repeated
        try (RunFolder again = RunFolder.open(dir)) {
            again.appendMetrics(3, 300, 0.125, 0.4, 2.5e-5, 37.5);
        }
        assertEquals(List.of(RunFolder.METRICS_HEADER, "1,100,0.5,,1.0E-4,12.5", "2,200,0.25,0.4123,5.0E-5,25.0",
                "3,300,0.125,0.4,2.5E-5,37.5"), Files.readAllLines(dir.resolve("metrics.csv")));
        assertEquals(List.of(".lock", "config.json", "metrics.csv", "test-metrics.json"), listing(dir));
    }

    @Test
    void forecastCsvAppearsOnlyWhenComplete() throws IOException {
        try (RunFolder run = RunFolder.create(tmp, "f", clock)) {
            Path f = run.dir().resolve("forecast.csv");
            RunFolder.ForecastWriter w = run.forecastWriter();
            // batch of 2 windows, H = 2, M = 3, row-major (B, H, M)
            float[] pred = new float[12], target = new float[12];
            for (int i = 0; i < 12; i++) { pred[i] = i * 0.5f; target[i] = -i; }
            w.window(7, pred, target, 6, 2, 3); // second sample of the batch
            w.row(8, 0, 0, Float.NaN, 1e-7f);
            assertFalse(Files.exists(f), "not visible while streaming");
            w.close();
            assertEquals(7, w.rows());
            assertEquals(List.of(RunFolder.FORECAST_HEADER,
                    "7,0,0,3.0,-6.0", "7,0,1,3.5,-7.0", "7,0,2,4.0,-8.0",
                    "7,1,0,4.5,-9.0", "7,1,1,5.0,-10.0", "7,1,2,5.5,-11.0",
                    "8,0,0,NaN,1.0E-7"), Files.readAllLines(f));
            assertThrows(IllegalStateException.class, () -> w.row(1, 0, 0, 0f, 0f));

            RunFolder.ForecastWriter aborted = run.forecastWriter("forecast-val.csv");
            aborted.row(0, 0, 0, 1f, 1f);
            aborted.abort();
            assertEquals(List.of(".lock", "forecast.csv"), listing(run.dir()), "aborted file and temp files gone");
        }
    }
}
