package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end CLI behaviour: a tiny train/eval/forecast round, and clear errors for bad input. */
class CliTest {
    @TempDir Path tmp;

    private static CliRun.Out run(String... args) { return CliRun.run(args); }

    private Path csv(String name, String content) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    @Test
    void trainEvalForecastOnTheSampleData() throws Exception {
        CliRun.Out r = run("train", "--data", sample().toString(), "--seq-len", "48", "--horizon", "12", "--d-model", "8",
                    "--layers", "1", "--epochs", "2", "--max-steps-per-epoch", "5", "--backend", "cpu",
                    "--snapshot-every", "4", "--probe-windows", "3", "--update-ratio-every", "5",
                    "--runs-dir", tmp.resolve("runs").toString(), "--name", "t");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test: MSE"), r.out());
        Path run;
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            run = s.findFirst().orElseThrow();
        }
        for (String f : new String[] {"config.json", "metrics.csv", "test-metrics.json", "forecast.csv",
                                      "checkpoints/best/model.safetensors", "checkpoints/last/state.json"})
            assertTrue(Files.exists(run.resolve(f)), f);
        // the run folder is explorable later: events, snapshots with forecasts, update ratios
        dev.mambamixer.engine.introspect.RunHistory h = dev.mambamixer.engine.introspect.RunHistory.read(run);
        assertEquals(10, h.steps().size());
        assertEquals(2, h.validations().size());
        assertEquals(List.of(5, 10), h.updateRatios().stream().map(u -> u.step()).toList());
        assertEquals(List.of(4L, 8L), h.snapshots().stream().map(sn -> sn.step()).toList());
        assertEquals(3, h.captureAt(8).batch());
        assertEquals(3, h.forecastsAt(4).size());
        assertEquals("OT", h.forecastsAt(4).get(0).variateNames().get(6), "the data's column names");
        assertTrue(h.finished() && !h.failed(), h.finishReason());
        assertNotNull(h.averagingHistory());
        List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("epoch,step,train_loss,val_mse,lr,wall_time_s", metrics.get(0));
        assertEquals(3, metrics.size());
        JsonObject tm = JsonParser.parseString(Files.readString(run.resolve("test-metrics.json"))).getAsJsonObject();
        double mse = tm.get("mse").getAsDouble();

        CliRun.Out ev = run("eval", "--checkpoint", run.toString(), "--data", sample().toString(), "--backend", "cpu");
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains(String.format("MSE %.4f", mse)), ev.out() + " vs " + mse);

        Path fc = tmp.resolve("fc.csv");
        CliRun.Out f = run("forecast", "--checkpoint", run.toString(), "--data", sample().toString(), "--out", fc.toString(),
                    "--backend", "cpu", "--stride", "100");
        assertEquals(0, f.code(), f.err());
        List<String> rows = Files.readAllLines(fc);
        assertEquals("window,horizon_step,variate,prediction,target", rows.get(0));
        assertTrue(rows.size() > 12 * 7, "at least one window of H x M rows");
    }

    @Test
    void badDataNamesFileLineAndColumn() throws Exception {
        Path bad = csv("bad.csv", "date,a,b\n2020-01-01 00:00:00,1,2\n2020-01-01 01:00:00,1,x\n");
        CliRun.Out r = run("train", "--data", bad.toString(), "--backend", "cpu", "--runs-dir", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.csv") && r.err().contains("line 3") && r.err().contains("b"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void seriesTooShortAndConfigErrorsAreClear() throws Exception {
        StringBuilder sb = new StringBuilder("date,a,b\n");
        for (int i = 0; i < 100; i++)
            sb.append(java.time.LocalDateTime.of(2020, 1, 1, 0, 0).plusHours(i).toString().replace('T', ' ')).append(',')
              .append(i).append(',').append(1 + i % 3).append('\n');
        Path shortCsv = csv("short.csv", sb.toString());
        CliRun.Out r = run("train", "--data", shortCsv.toString(), "--seq-len", "96", "--horizon", "24", "--backend", "cpu",
                    "--runs-dir", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("short.csv") && !r.err().contains("not a date"), r.err());

        CliRun.Out c = run("train", "--data", sample().toString(), "--seq-len", "8", "--horizon", "4", "--patch-len", "16",
                    "--backend", "cpu", "--runs-dir", tmp.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains("patchLen: 16 is longer than the look-back seqLen 8"), c.err());
        CliRun.Out d0 = run("train", "--data", sample().toString(), "--d-model", "0", "--backend", "cpu", "--runs-dir", tmp.toString());
        assertEquals(2, d0.code());
        assertEquals("error: --d-model must be >= 1, got 0", d0.err().strip());

        CliRun.Out u = run("train", "--no-such-option");
        assertEquals(2, u.code());
        assertTrue(u.err().contains("Unknown option: '--no-such-option'"), u.err());

        CliRun.Out nan = run("train", "--data", sample().toString(), "--averaging", "median", "--backend", "cpu",
                      "--runs-dir", tmp.toString());
        assertEquals(2, nan.code());
        assertTrue(nan.err().contains("--averaging: unknown value 'median' (expected identity, uniform, softmax)"), nan.err());
    }
}
