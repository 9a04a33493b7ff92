package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.CrashPoints;
import dev.mambamixer.engine.io.NamedArray;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills real {@code mambamixer train} processes (the CLI main in a child JVM) at random moments
 * and resumes them with {@code train --resume} until they finish; then the run folder must equal
 * an uninterrupted run's: metrics.csv, events.jsonl (snapshot lines as a set: they are written
 * asynchronously), snapshots, the averaging history, test metrics, forecast.csv and the final
 * checkpoints; the per-attempt fields aside (wall-clock times, a step's {@code samples}). After every kill, every checkpoint there must load and {@link RunHistory#read} work.
 * <p>
 * Every kill is a SIGKILL ({@link Process#destroyForcibly}): half after a random delay, half while
 * the child waits at a random crash point ({@link CrashPoints}: inside a checkpoint save or a
 * history write, which then leaves a torn line). CI size: {@value #DEFAULT_KILLS} kills; a long run by hand:
 * {@code mvn -o -q -pl engine test -Dtest=RunFolderCrashTest -Dmambamixer.crashTest.kills=120}.
 */
class RunFolderCrashTest {
    static final int DEFAULT_KILLS = 10;
    @TempDir Path tmp;

    /** A tiny TSM2 on the first 1200 rows of the sample data: 6 epochs of 4 steps, mid-epoch validations, snapshots. */
    private List<String> trainArgs(Path data) {
        return List.of("--data", data.toString(), "--backend", "cpu", "--snapshot-every", "3", "--probe-windows", "2",
                       "--update-ratio-every", "2");
    }

    private List<String> newRunArgs(Path data, Path runsDir) {
        List<String> a = new ArrayList<>(List.of("train", "--seq-len", "48", "--horizon", "12", "--d-model", "8", "--layers", "1",
                                                 "--epochs", "6", "--max-steps-per-epoch", "4", "--batch", "8", "--eval-every", "2",
                                                 "--warmup", "2", "--patience", "100", "--eval-batch", "64",
                                                 "--runs-dir", runsDir.toString(), "--name", "crash"));
        a.addAll(trainArgs(data));
        return a;
    }

    private static Process start(List<String> cliArgs, long crashAt, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                   "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx512m",
                                                   "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path")));
        if (crashAt > 0) {
            cmd.add("-D" + CrashPoints.PROPERTY + "=" + crashAt);
            cmd.add("-D" + CrashPoints.WAIT_PROPERTY + "=true");   // it waits there for our SIGKILL
        }
        cmd.add(Main.class.getName());
        cmd.addAll(cliArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Path onlyRun(Path runsDir) throws IOException {
        if (!Files.isDirectory(runsDir)) return null;
        try (Stream<Path> s = Files.list(runsDir)) {
            List<Path> l = s.toList();
            assertTrue(l.size() <= 1, "one run folder: " + l);
            return l.isEmpty() ? null : l.get(0);
        }
    }

    @Test
    void killedAndResumedRunsEqualAnUninterruptedOne() throws Exception {
        int kills = Integer.getInteger("mambamixer.crashTest.kills", DEFAULT_KILLS);
        Random rnd = new Random(Long.getLong("mambamixer.crashTest.seed", 12345L));
        Path data = tmp.resolve("data.csv");
        try (Stream<String> lines = Files.lines(sample())) {
            Files.write(data, lines.limit(1201).toList());
        }

        long t0 = System.nanoTime();
        Path refRuns = tmp.resolve("ref");
        Process ref = start(newRunArgs(data, refRuns), 0, tmp.resolve("ref.log"));
        assertTrue(ref.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, ref.exitValue(), Files.readString(tmp.resolve("ref.log")));
        long refMillis = (System.nanoTime() - t0) / 1_000_000;
        Path refDir = onlyRun(refRuns);

        int timedKills = 0, pointKills = 0, inSave = 0, inHistory = 0, chains = 0, attempts = 0;
        while (timedKills + pointKills < kills) {
            chains++;
            Path runs = tmp.resolve("chain-" + chains);
            while (true) {   // one chain: train, then train --resume after every kill, until it finishes
                attempts++;
                Path dir = onlyRun(runs);
                if (dir != null && !Files.exists(dir.resolve(RunFolder.CONFIG_FILE))) {
                    deleteTree(dir);   // killed before its config was written: nothing to resume, start again
                    dir = null;
                }
                List<String> args = new ArrayList<>();
                if (dir == null) {
                    args.addAll(newRunArgs(data, runs));
                } else {
                    args.addAll(List.of("train", "--resume", dir.toString()));
                    args.addAll(trainArgs(data));
                }
                boolean killing = timedKills + pointKills < kills;
                boolean atPoint = killing && rnd.nextBoolean();
                Path log = tmp.resolve("attempt-" + attempts + ".log");
                Process p = start(args, atPoint ? 1 + rnd.nextInt(60) : 0, log);
                boolean killedAtPoint = false;
                if (killing && !atPoint) {
                    boolean ended = p.waitFor(rnd.nextInt((int) Math.max(1, refMillis)), TimeUnit.MILLISECONDS);
                    if (!ended) {
                        p.destroyForcibly();
                        timedKills++;
                    }
                } else if (atPoint) {
                    // the child stops inside the chosen save or history write and says so: SIGKILL it right there
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                    while (p.isAlive() && System.nanoTime() < deadline) {
                        if (Files.readString(log).contains("crash point ")) {
                            p.destroyForcibly();
                            killedAtPoint = true;
                            break;
                        }
                        Thread.sleep(5);
                    }
                }
                assertTrue(p.waitFor(300, TimeUnit.SECONDS), "attempt " + attempts + " hangs");
                String out = Files.readString(log);
                int code = p.exitValue();
                if (killedAtPoint) {
                    assertEquals(137, code, "attempt " + attempts + " was SIGKILLed at its crash point:\n" + out);
                    pointKills++;
                    String where = out.lines().filter(l -> l.startsWith("crash point ")).findFirst().orElse("");
                    if (where.contains(": checkpoint")) inSave++;
                    else if (where.contains(": history write")) inHistory++;
                    else fail("attempt " + attempts + " stopped without naming its crash point:\n" + out);
                } else if (code == 0) {
                    break;
                } else {
                    assertEquals(137, code, "attempt " + attempts + " (" + String.join(" ", args) + "):\n" + out);
                }
                checkReadable(onlyRun(runs));
            }
            assertSameRun(refDir, onlyRun(runs));
        }
        System.out.printf("RunFolderCrashTest: %d kills (%d SIGKILL at random times, %d SIGKILL at crash points: %d in a checkpoint "
                          + "save, %d in a history write), %d chains, %d processes; all resumed runs equal the uninterrupted one%n",
                          timedKills + pointKills, timedKills, pointKills, inSave, inHistory, chains, attempts);
        assertTrue(pointKills > 0 && timedKills > 0, "both kinds of kill happened");
    }

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    /** What a reader sees after a kill: every checkpoint loads, the history reads. */
    private static void checkReadable(Path dir) throws IOException {
        if (dir == null) return;
        for (String which : new String[] {"best", "last"}) {
            Path d = RunFolder.checkpointDir(dir, which);
            if (Checkpoint.exists(d)) assertNotNull(Checkpoint.load(d), d.toString());
        }
        RunHistory.read(dir);
    }

    private static void assertSameRun(Path ref, Path run) throws IOException {
        assertNotNull(run);
        assertEquals(Files.readString(ref.resolve(RunFolder.CONFIG_FILE)), Files.readString(run.resolve(RunFolder.CONFIG_FILE)));
        assertEquals(metricsWithoutWallTime(ref), metricsWithoutWallTime(run), "metrics.csv");
        Events a = events(ref), b = events(run);
        assertEquals(a.ordered(), b.ordered(), "events.jsonl without snapshot lines");
        assertEquals(a.snapshots(), b.snapshots(), "snapshot events");
        assertEquals(listing(ref.resolve(RunFolder.SNAPSHOTS)), listing(run.resolve(RunFolder.SNAPSHOTS)), "snapshots/");
        assertEquals(Files.readString(ref.resolve("snapshots/averaging-history.json")),
                     Files.readString(run.resolve("snapshots/averaging-history.json")), "averaging history");
        JsonObject ta = JsonParser.parseString(Files.readString(ref.resolve(RunFolder.TEST_METRICS_FILE))).getAsJsonObject();
        JsonObject tb = JsonParser.parseString(Files.readString(run.resolve(RunFolder.TEST_METRICS_FILE))).getAsJsonObject();
        ta.remove("train_wall_s");
        tb.remove("train_wall_s");
        // the test MSE's dot product (BLAS) may sum in another order in another process (array alignment):
        // equal to 1e-12; the predictions themselves are compared bit for bit in forecast.csv below
        assertEquals(ta.remove("mse").getAsDouble(), tb.remove("mse").getAsDouble(), 1e-12 * ta.get("mae").getAsDouble());
        assertEquals(ta, tb, "test-metrics.json");
        assertArrayEquals(Files.readAllBytes(ref.resolve(RunFolder.FORECAST_FILE)), Files.readAllBytes(run.resolve(RunFolder.FORECAST_FILE)));
        for (String which : new String[] {"best", "last"}) {
            Checkpoint ca = Checkpoint.load(RunFolder.checkpointDir(ref, which));
            Checkpoint cb = Checkpoint.load(RunFolder.checkpointDir(run, which));
            assertEquals(ca.state(), cb.state(), which + " state");
            assertSameArrays(ca.model(), cb.model(), which + " weights");
            assertSameArrays(ca.optimizer(), cb.optimizer(), which + " optimizer");
        }
        try (Stream<Path> s = Files.walk(run)) {
            List<Path> leftovers = s.filter(p -> p.getFileName().toString().matches("\\..*\\.tmp|\\..*\\.(tmp|old)-.*")).toList();
            assertEquals(List.of(), leftovers, "no temp files or folders left");
        }
    }

    private static void assertSameArrays(Map<String, NamedArray> a, Map<String, NamedArray> b, String what) {
        assertEquals(a.keySet(), b.keySet(), what);
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), what + " " + k);
    }

    private static List<String> metricsWithoutWallTime(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve(RunFolder.METRICS_FILE)).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    record Events(List<String> ordered, TreeSet<String> snapshots) {}

    private static Events events(Path dir) throws IOException {
        List<String> ordered = new ArrayList<>();
        TreeSet<String> snaps = new TreeSet<>();
        for (String ln : Files.readAllLines(dir.resolve(RunFolder.EVENTS_FILE), StandardCharsets.UTF_8)) {
            JsonObject o = JsonParser.parseString(ln).getAsJsonObject();
            o.remove("wallSeconds");   // wall clock of the attempt
            o.remove("samples");       // windows trained on since the attempt's start (progress bars), like the wall clock
            (o.get("type").getAsString().equals("snapshot") ? snaps : ordered).add(o.toString());
        }
        return new Events(ordered, snaps);
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }
}
