package dev.mambamixer.engine.sweep;

import static dev.mambamixer.engine.sweep.SweepTestSupport.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.cli.CliRun.Out;
import dev.mambamixer.engine.cli.Main;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster executor on loopback: three {@code mambamixer worker} members and the coordinator, each
 * its own JVM. One worker is killed (SIGKILL, with its run, as a machine dies) while it holds a run
 * with a checkpoint; that run is queued again, continues from its checkpoint on another worker, and
 * every run finishes exactly once.
 */
class ClusterSweepTest {
    @TempDir Path tmp;
    private final List<Process> started = new ArrayList<>();

    @AfterEach void endProcesses() throws Exception {
        for (Process p : started) killTree(p);
    }

    private static void killTree(Process p) throws Exception {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process java(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                   "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx256m",
                                                   "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MAMBAMIXER_CPU_THREADS", "1");   // 3 workers' runs share this machine's cores
        Process p = pb.start();
        started.add(p);
        return p;
    }

    @Test void aRunOfAKilledWorkerFinishesElsewhereExactlyOnce() throws Exception {
        String cluster = "test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int[] ports = {freePort(), freePort(), freePort()};
        String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        Map<Integer, Process> workers = new LinkedHashMap<>();
        for (int port : ports)
            workers.put(port, java(tmp.resolve("worker-" + port + ".log"), "worker", "--cluster", cluster, "--members", members,
                                   "--port", "" + port, "--slots", "1", "--backend", "cpu", "--worker-heap", "512m"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int port : ports)
            while (!Files.readString(tmp.resolve("worker-" + port + ".log")).contains("3 members")) {
                if (System.nanoTime() > deadline || !workers.get(port).isAlive())
                    fail("the 3 workers did not form one cluster:\n" + Files.readString(tmp.resolve("worker-" + port + ".log")));
                Thread.sleep(50);
            }

        // 3 runs (2 SEARCH, then seed 2 of the selected point), several epochs so a run has a checkpoint while in flight
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1, 2]", 4);
        Path dir = tmp.resolve("sweep");
        Path coordLog = tmp.resolve("coordinator.log");
        Process coordinator = java(coordLog, "sweep", "run", spec.toString(), "--dir", dir.toString(), "--executor", "cluster",
                                   "--cluster", cluster, "--members", members);

        // a run in flight with a checkpoint and no finish: kill the worker that holds it
        String victimRun = null;
        int victimPort = -1;
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (victimRun == null) {
            if (System.nanoTime() > deadline || !coordinator.isAlive())
                fail("never saw a checkpointed, unfinished run:\n" + Files.readString(coordLog));
            if (Files.isDirectory(dir.resolve(SweepFolder.RUNS)))
                for (Path d : SweepTestSupport.runDirs(dir))
                    if (Checkpoint.exists(RunFolder.checkpointDir(d, "last")) && Files.notExists(d.resolve(RunFolder.TEST_METRICS_FILE))) {
                        victimRun = d.getFileName().toString();
                        victimPort = workerPort(lastAttemptWorker(dir, victimRun));
                        break;
                    }
            if (victimRun == null) Thread.sleep(5);
        }
        killTree(workers.get(victimPort));   // SIGKILL: the worker and its run die as a machine would
        assertTrue(Files.notExists(dir.resolve(SweepFolder.RUNS).resolve(victimRun).resolve(RunFolder.TEST_METRICS_FILE)),
                   "the killed run had not finished");

        assertTrue(coordinator.waitFor(120, TimeUnit.SECONDS), "the sweep ends:\n" + Files.readString(coordLog));
        String out = Files.readString(coordLog);
        assertEquals(0, coordinator.exitValue(), out);
        assertTrue(out.contains("[3/3 done, 0 failed, 0 running]"), out);
        // the workers advertise their backend and slots; a worker started with --backend cpu gives it to its runs
        for (int port : ports) assertTrue(out.matches("(?s).*cluster workers: .*:" + port + " \\(cpu, 1 slots\\).*"), out);
        assertTrue(out.contains("left with " + victimRun + " in flight; queued again"), out);
        assertTrue(out.contains("resuming " + victimRun + " from its run folder"), out);

        SweepFolder f = SweepFolder.read(dir);
        List<Path> dirs = SweepTestSupport.runDirs(dir);
        assertEquals(3, dirs.size(), "one run folder per run: " + dirs);
        JsonObject runs = JsonParser.parseString(Files.readString(dir.resolve("state.json"))).getAsJsonObject().getAsJsonObject("runs");
        List<String> survivorLogs = new ArrayList<>();
        for (int port : ports) if (port != victimPort) survivorLogs.add(Files.readString(tmp.resolve("worker-" + port + ".log")));
        for (Path d : dirs) {
            String id = d.getFileName().toString();
            assertEquals(SweepFolder.DiskStatus.FINISHED, f.diskStatus(id), id);
            assertEquals(1, SweepTestSupport.finishEvents(d), "finished exactly once: " + id);
            assertEquals(1, count(out, "] finished " + id + " in "), "one result reached the coordinator: " + id);
            // one outcome recorded per run id, on a surviving worker, none dropped as a duplicate
            int ended = 0;
            for (String log : survivorLogs) ended += count(log, id + " ended: exit 0");
            assertEquals(1, ended, "one outcome for " + id);
            assertEquals("finished", runs.getAsJsonObject(id).get("status").getAsString(), id);
            assertEquals(id.equals(victimRun) ? 2 : 1, runs.getAsJsonObject(id).get("attempts").getAsInt(), id);
        }
        for (String log : survivorLogs) assertFalse(log.contains("already recorded"), log);

        // the killed run continued from its checkpoint on another worker, in its own folder
        String log = Files.readString(f.runLog(victimRun));
        List<String> attempts = attemptWorkers(log);
        assertEquals(2, attempts.size(), log);
        assertEquals(victimPort, workerPort(attempts.get(0)));
        assertNotEquals(victimPort, workerPort(attempts.get(1)));
        assertTrue(log.contains("left the cluster while this run was on it"), log);
        for (String a : log.split("\n")) if (a.startsWith("=== ")) assertTrue(a.endsWith(" --backend cpu"), a);
        assertTrue(log.substring(log.lastIndexOf("=== ")).contains("--resume"), "the second attempt continued the run: " + log);
        assertEquals(attempts.get(1), runs.getAsJsonObject(victimRun).get("worker").getAsString());
        List<String> rows = Files.readAllLines(f.runDir(victimRun).resolve(RunFolder.METRICS_FILE));
        assertEquals(List.of("1", "2", "3", "4"), rows.subList(1, rows.size()).stream().map(r -> r.split(",")[0]).toList(),
                     "every epoch's validation once");

        Out table = cli("sweep", "table", dir.toString());
        assertEquals(0, table.code(), table.err());
        String[] row = Files.readAllLines(dir.resolve("table.csv")).get(1).split(",", -1);
        assertEquals("1 2", row[7]);
        assertTrue(Double.parseDouble(row[8]) > 0, String.join(",", row));

        // a coordinator killed outright: its runs go on to their end on the workers; `sweep resume --executor cluster`
        // keeps them and runs the rest
        Path dir2 = tmp.resolve("sweep2");
        Path coordLog2 = tmp.resolve("coordinator2.log");
        Process second = java(coordLog2, "sweep", "run", spec.toString(), "--dir", dir2.toString(), "--executor", "cluster",
                              "--cluster", cluster, "--members", members);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.isDirectory(dir2.resolve(SweepFolder.RUNS)) && SweepTestSupport.runDirs(dir2).size() == 2)) {
            if (System.nanoTime() > deadline || !second.isAlive()) fail("the second sweep never started 2 runs:\n" + Files.readString(coordLog2));
            Thread.sleep(5);
        }
        killTree(second);
        // wait until their train JVMs exited (and released the run folders): the workers say so, after the first
        // sweep's line for the same run id (ids do not depend on the folder)
        List<Path> orphans = SweepTestSupport.runDirs(dir2);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Path d : orphans) {
            String id = d.getFileName().toString();
            while (true) {
                int ended = 0;
                for (int port : ports)
                    if (port != victimPort) ended += count(Files.readString(tmp.resolve("worker-" + port + ".log")), id + " ended: exit 0");
                if (ended == 2) break;
                if (System.nanoTime() > deadline) fail("the runs of the killed coordinator did not end on their workers: " + id);
                Thread.sleep(20);
            }
        }
        Out resumed = cli("sweep", "resume", dir2.toString(), "--executor", "cluster", "--cluster", cluster, "--members", members);
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("3 runs in all, 2 finished already"), resumed.out());
        assertTrue(resumed.out().contains("[3/3 done, 0 failed, 0 running]"), resumed.out());
        JsonObject runs2 = JsonParser.parseString(Files.readString(dir2.resolve("state.json"))).getAsJsonObject().getAsJsonObject("runs");
        assertEquals(3, SweepTestSupport.runDirs(dir2).size());
        for (Path d : SweepTestSupport.runDirs(dir2)) {
            String id = d.getFileName().toString();
            assertEquals(SweepFolder.DiskStatus.FINISHED, SweepFolder.read(dir2).diskStatus(id), id);
            assertEquals(1, SweepTestSupport.finishEvents(d), "finished exactly once: " + id);
            assertEquals(1, runs2.getAsJsonObject(id).get("attempts").getAsInt(), id);
        }

        // the live cluster refuses a coordinator with another cluster name, in bounded time, leaving nothing behind
        long t0 = System.nanoTime();
        Path other = tmp.resolve("other");
        Out wrong = cli("sweep", "run", spec.toString(), "--dir", other.toString(), "--executor", "cluster",
                        "--cluster", cluster + "-other", "--members", members, "--join-timeout", "5");
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, wrong.code(), wrong.out() + wrong.err());
        assertTrue(wrong.err().contains("--cluster " + cluster + "-other --members " + members + ": could not join within 5 s"), wrong.err());
        assertTrue(s < 30, "refused in " + s + " s");
        assertFalse(Files.exists(other), "no sweep folder");
    }

    @Test void unreachableMembersAndBadOptionsAreRefusedClearly() throws Exception {
        Path spec = SweepTestSupport.writeSpec(tmp, "8", "[1]", 1);
        Path dir = tmp.resolve("sweep");
        String nobody = "127.0.0.1:" + freePort();
        long t0 = System.nanoTime();
        Out o = cli("sweep", "run", spec.toString(), "--dir", dir.toString(), "--executor", "cluster", "--cluster", "c1",
                    "--members", nobody, "--join-timeout", "3");
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, o.code(), o.out() + o.err());
        assertTrue(o.err().contains("--cluster c1 --members " + nobody + ": could not join within 3 s"), o.err());
        assertTrue(s < 25, "refused in " + s + " s");
        assertFalse(Files.exists(dir));

        String[][] bad = {
            {"--executor", "cluster", "--members", nobody}, {"--executor", "cluster", "--cluster", "c1"},
            {"--executor", "cluster", "--cluster", "c1", "--members", "127.0.0.1"},
            {"--executor", "cluster", "--cluster", "c1", "--members", nobody, "--workers", "2"},
            {"--executor", "cluster", "--cluster", "c 1", "--members", nobody}, {"--cluster", "c1"}, {"--executor", "cloud"}};
        String[] expect = {"--executor cluster needs --cluster NAME", "--executor cluster needs --members host:port,...",
                           "--members: expected host:port[,host:port...] with ports in 1..65535, found \"127.0.0.1\"",
                           "--workers is for --executor local", "--cluster: expected a name of letters, digits",
                           "--cluster and --members need --executor cluster", "--executor"};
        for (int i = 0; i < bad.length; i++) {
            List<String> args = new ArrayList<>(List.of("sweep", "run", spec.toString(), "--dir", dir.toString()));
            args.addAll(List.of(bad[i]));
            Out b = cli(args.toArray(String[]::new));
            assertEquals(2, b.code(), String.join(" ", bad[i]));
            assertTrue(b.err().contains(expect[i]), b.err());
            assertFalse(Files.exists(dir));
        }

        Out w = cli("worker", "--cluster", "c1", "--members", "127.0.0.1:99999");
        assertEquals(2, w.code());
        assertTrue(w.err().contains("--members: expected host:port[,host:port...] with ports in 1..65535, found \"127.0.0.1:99999\""), w.err());
        Out slots = cli("worker", "--cluster", "c1", "--members", nobody, "--slots", "0");
        assertTrue(slots.err().contains("--slots must be >= 1, got 0"), slots.err());
        Out be = cli("worker", "--cluster", "c1", "--members", nobody, "--backend", "reference");
        assertTrue(be.err().contains("--backend"), be.err());
    }

    private static final Pattern ATTEMPT = Pattern.compile("^=== \\S+ on (\\S+): train ", Pattern.MULTILINE);

    /** The worker slot of each attempt in a run's log, e.g. {@code host:5701/slot-1}. */
    private static List<String> attemptWorkers(String log) {
        List<String> w = new ArrayList<>();
        Matcher m = ATTEMPT.matcher(log);
        while (m.find()) w.add(m.group(1));
        return w;
    }

    private static String lastAttemptWorker(Path dir, String runId) throws Exception {
        Path log = dir.resolve(SweepFolder.RUNS).resolve(runId + ".log");
        List<String> w = attemptWorkers(Files.readString(log));
        assertFalse(w.isEmpty(), "the run's log names its worker");
        return w.get(w.size() - 1);
    }

    /** {@code host:port/slot-N} -> port. */
    private static int workerPort(String slot) {
        String hostPort = slot.substring(0, slot.indexOf('/'));
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
