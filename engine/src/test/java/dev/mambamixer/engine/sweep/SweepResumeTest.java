package dev.mambamixer.engine.sweep;

import static dev.mambamixer.engine.sweep.SweepTestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.cli.Main;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.cli.CliRun.Out;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator (its own JVM) killed with SIGKILL, together with its runs, once one run finished and
 * the next has a checkpoint but no finish; {@code sweep resume} then finishes the sweep with every run
 * finished exactly once: finished runs untouched, the half-finished run continued in its folder.
 */
class SweepResumeTest {
    @TempDir Path tmp;

    @Test void resumeAfterTheCoordinatorIsKilledFinishesEveryRunOnce() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1, 2]", 2);   // 3 runs, 2 epochs each, one at a time
        Path dir = tmp.resolve("sweep");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                   "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx256m",
                                                   "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                                                   "sweep", "run", spec.toString(), "--dir", dir.toString(),
                                                   "--workers", "1", "--worker-heap", "512m"));
        Process coordinator = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(tmp.resolve("coordinator.log").toFile()).start();
        String partial = null;
        List<String> finishedBefore = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (partial == null) {
                if (System.nanoTime() > deadline || !coordinator.isAlive())
                    fail("never saw a finished run next to a checkpointed, unfinished one:\n"
                         + Files.readString(tmp.resolve("coordinator.log")));
                finishedBefore.clear();
                String candidate = null;
                if (Files.isDirectory(dir.resolve(SweepFolder.RUNS)))
                    for (Path d : SweepTestSupport.runDirs(dir)) {
                        if (Files.exists(d.resolve(RunFolder.TEST_METRICS_FILE))) finishedBefore.add(d.getFileName().toString());
                        else if (Checkpoint.exists(RunFolder.checkpointDir(d, "last"))) candidate = d.getFileName().toString();
                    }
                if (candidate != null && !finishedBefore.isEmpty()) partial = candidate;
                else Thread.sleep(5);
            }
        } finally {
            // SIGKILL: no shutdown hook runs; the runs are killed as a crashed machine would kill them
            coordinator.descendants().forEach(ProcessHandle::destroyForcibly);
            coordinator.destroyForcibly();
            coordinator.waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle h : coordinator.descendants().toList()) h.onExit().get(30, TimeUnit.SECONDS);
        }
        Thread.sleep(50);   // the killed children's exits are reaped
        assertTrue(Files.notExists(dir.resolve(SweepFolder.RUNS).resolve(partial).resolve(RunFolder.TEST_METRICS_FILE)),
                   "the killed run had not finished");

        Map<String, byte[]> metricsBefore = new HashMap<>();
        Map<String, FileTime> timesBefore = new HashMap<>();
        for (String id : finishedBefore) {
            Path m = dir.resolve(SweepFolder.RUNS).resolve(id).resolve(RunFolder.TEST_METRICS_FILE);
            metricsBefore.put(id, Files.readAllBytes(m));
            timesBefore.put(id, Files.getLastModifiedTime(m));
        }

        Out status = cli("sweep", "status", dir.toString());
        assertTrue(status.out().contains("no coordinator running"), status.out());

        Out resumed = cli("sweep", "resume", dir.toString(), "--workers", "1", "--worker-heap", "512m");
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming " + partial + " from its run folder"), resumed.out());

        SweepFolder f = SweepFolder.read(dir);
        List<Path> dirs = SweepTestSupport.runDirs(dir);
        assertEquals(3, dirs.size(), "no run folder duplicated: " + dirs);
        JsonObject runs = JsonParser.parseString(Files.readString(dir.resolve("state.json"))).getAsJsonObject().getAsJsonObject("runs");
        for (Path d : dirs) {
            String id = d.getFileName().toString();
            assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(id), id);
            assertEquals(1, SweepTestSupport.finishEvents(d), "finished exactly once: " + id);
            assertNotNull(runs.get(id), id);
        }
        for (String id : finishedBefore) {
            Path m = dir.resolve(SweepFolder.RUNS).resolve(id).resolve(RunFolder.TEST_METRICS_FILE);
            assertArrayEquals(metricsBefore.get(id), Files.readAllBytes(m), "untouched: " + id);
            assertEquals(timesBefore.get(id), Files.getLastModifiedTime(m), "untouched: " + id);
            assertEquals(1, runs.getAsJsonObject(id).get("attempts").getAsInt(), id);
        }
        assertEquals(2, runs.getAsJsonObject(partial).get("attempts").getAsInt());
        String log = Files.readString(f.runLog(partial));
        assertEquals(2, log.split("=== ", -1).length - 1, "two attempts in the log");
        assertTrue(log.contains("--resume"), "the second attempt continued the run");
        // the continued run trained both epochs: its history has the validations of epochs 1 and 2 once each
        List<String> rows = Files.readAllLines(f.runDir(partial).resolve(RunFolder.METRICS_FILE));
        assertEquals(List.of("1", "2"), rows.subList(1, rows.size()).stream().map(r -> r.split(",")[0]).toList());

        Out table = cli("sweep", "table", dir.toString());
        assertEquals(0, table.code(), table.err());
        String[] row = Files.readAllLines(dir.resolve("table.csv")).get(1).split(",", -1);
        assertEquals("1 2", row[7]);
        assertTrue(Double.parseDouble(row[8]) > 0);
    }
}
