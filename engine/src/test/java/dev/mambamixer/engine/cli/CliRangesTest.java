package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every out-of-range or unknown CLI value is refused with exit code 2 and one line naming the
 * option and what is allowed, before any run folder is created; absurd sizes are refused by the
 * memory estimate with its numbers instead of an OutOfMemoryError after minutes.
 */
class CliRangesTest {
    @TempDir Path tmp;

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    private List<String> train(String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", sample().toString(), "--backend", "cpu",
                                                 "--runs-dir", tmp.resolve("runs").toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private void refused(List<String> args, String expected) throws Exception {
        CliRun.Out r = CliRun.run(args.toArray(String[]::new));
        assertEquals(2, r.code(), args + "\n" + r.out() + r.err());
        // stderr may also hold the backend's one-time JUL info lines; the error itself is one line
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), "one error line: " + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        String err = errors.get(0);
        assertTrue(err.contains(expected), args + ": " + err);
        if (Files.isDirectory(tmp.resolve("runs")))
            try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
                assertEquals(0, s.count(), "no run folder for refused options " + args);
            }
    }

    @Test
    void trainOptionsOutOfRange() throws Exception {
        refused(train("--max-steps-per-epoch", "-1"), "--max-steps-per-epoch must be >= 0, got -1");
        refused(train("--forecast-stride", "-1"), "--forecast-stride must be >= 0, got -1");
        refused(train("--epochs", "0"), "--epochs must be >= 1, got 0");
        refused(train("--batch", "-5"), "--batch must be >= 1, got -5");
        refused(train("--eval-batch", "0"), "--eval-batch must be >= 1, got 0");
        refused(train("--lr", "NaN"), "--lr must be a finite number > 0, got NaN");
        refused(train("--lr", "0"), "--lr must be a finite number > 0, got 0.0");
        refused(train("--weight-decay", "-0.1"), "--weight-decay must be a finite number >= 0, got -0.1");
        refused(train("--clip", "Infinity"), "--clip must be a finite number >= 0, got Infinity");
        refused(train("--warmup", "-1"), "--warmup must be >= 0, got -1");
        refused(train("--patience", "0"), "--patience must be >= 1, got 0");
        refused(train("--eval-every", "-2"), "--eval-every must be >= 0, got -2");
        refused(train("--snapshot-every", "-1"), "--snapshot-every must be >= 0, got -1");
        refused(train("--probe-windows", "0"), "--probe-windows must be >= 1, got 0");
        refused(train("--update-ratio-every", "-1"), "--update-ratio-every must be >= 0, got -1");
        refused(train("--seq-len", "0"), "--seq-len must be >= 1, got 0");
        refused(train("--horizon", "-3"), "--horizon must be >= 1, got -3");
        refused(train("--dropout", "1"), "--dropout must be in [0, 1), got 1");
        refused(train("--layers", "0"), "--layers must be >= 1, got 0");
        refused(train("--expand", "0"), "--expand must be >= 1, got 0");
        refused(train("--scan-chunk", "-64"), "--scan-chunk must be >= 1, got -64");
    }

    @Test
    void unknownWordsListTheValues() throws Exception {
        refused(train("--split", "bogus"), "--split: unknown split rule 'bogus' (expected auto, ett_hourly, ett_minute, ratio)");
        refused(train("--schedule", "linear"), "--schedule: unknown value 'linear' (expected constant, cosine)");
        refused(train("--step-driver", "gpu"), "--step-driver: unknown value 'gpu' (expected host, device, graph)");
        refused(List.of("train", "--backend", "tpu", "--runs-dir", tmp.resolve("runs").toString()),
                "--backend: unknown value 'tpu' (expected auto, cpu, cuda, reference)");
        refused(List.of("eval", "--checkpoint", tmp.toString(), "--split", "dev"), "--split: unknown value 'dev' (expected train, val, test)");
        refused(List.of("eval", "--checkpoint", tmp.toString(), "--split-rule", "weekly"),
                "--split-rule: unknown split rule 'weekly' (expected auto, ett_hourly, ett_minute, ratio)");
        refused(List.of("bench", "--drivers", "host,turbo"), "--drivers: unknown value 'turbo' (expected host, device, graph)");
        refused(List.of("vision", "bench", "--preset", "huge"), "--preset: unknown value 'huge' (expected mnist, tiny, small, base)");
    }

    @Test
    void otherCommandsOutOfRange() throws Exception {
        refused(List.of("eval", "--checkpoint", tmp.toString(), "--batch", "0"), "--batch must be >= 1, got 0");
        refused(List.of("forecast", "--checkpoint", tmp.toString(), "--out", tmp.resolve("f.csv").toString(), "--stride", "-1"),
                "--stride must be >= 0, got -1");
        refused(List.of("forecast", "--checkpoint", tmp.toString(), "--out", tmp.toString()), "is a folder (expected a CSV file path)");
        refused(List.of("bench", "--d-model", "32,-1"), "--d-model must be >= 1, got -1");
        refused(List.of("bench", "--reps", "0"), "--reps must be >= 1, got 0");
        refused(List.of("params", "--variates", "0"), "--variates must be >= 1, got 0");
        refused(List.of("teach", "--task", "induction", "--steps", "0"), "--steps must be >= 1, got 0");
        refused(List.of("teach", "--task", "induction", "--stop-at", "NaN"), "--stop-at must be a finite number, got NaN");
        refused(List.of("vision", "train", "--epochs", "0"), "--epochs must be >= 1, got 0");
        refused(List.of("vision", "train", "--label-smoothing", "1.5"), "--label-smoothing must be in [0, 1), got 1.5");
        refused(List.of("vision", "train", "--image-channels", "2"), "--image-channels must be 1 (grey) or 3 (RGB), got 2");
        refused(List.of("vision", "train", "--dims", "48,0"), "--dims must be >= 1, got 0");
        refused(List.of("vision", "bench", "--batch", "0"), "--batch must be >= 1, got 0");
    }

    /** The sizes of issue 12 item 6: refused at once with the estimate and the limit, no run folder. */
    @Test
    void absurdSizesAreRefusedBeforeAllocating() throws Exception {
        long t0 = System.nanoTime();
        refused(train("--layers", "100000"), "but the free JVM heap");
        refused(train("--d-model", "20000"), "needs about");
        refused(train("--expand", "500"), "needs about");
        refused(train("--expand", "5000"), "scan checkpoints would have 3,604,480,000 elements");
        refused(train("--d-state", "20000"), "needs about");
        refused(train("--eval-batch", "100000000"), "more than the 2,147,483,647 a tensor can index");
        refused(List.of("bench", "--layers", "100000", "--backend", "cpu"), "needs about");
        refused(List.of("params", "--d-model", "200000"), "needs about");
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused quickly, not after minutes of allocation");
    }
}
