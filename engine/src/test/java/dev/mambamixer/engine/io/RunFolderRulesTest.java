package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run-folder rules of {@link RunFolder}'s class doc: one writer, torn lines, resume cut, recovery, clean-up. */
class RunFolderRulesTest {
    @TempDir Path tmp;

    private static Process java(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                             "-cp", System.getProperty("java.class.path"),
                                                             RunFolderLockHolder.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void aSecondWriterInThisProcessIsRefusedAndNamesTheHolder() throws IOException {
        RunFolder first = RunFolder.create(tmp, "run");
        first.writeConfig(new JsonObject());
        first.appendMetrics(1, 10, 0.5, 0.4, 1e-3, 1.0);
        RunFolderLockedException e = assertThrows(RunFolderLockedException.class, () -> RunFolder.open(first.dir()));
        assertTrue(e.getMessage().contains("this process") && e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                   e.getMessage());
        assertTrue(e.getMessage().contains(first.dir().toString()), e.getMessage());
        assertFalse(RunFolder.tidy(first.dir()), "a reader does not tidy a folder a writer holds");
        first.appendMetrics(2, 20, 0.25, 0.3, 1e-3, 2.0);   // the holder is unaffected by the refusal
        first.close();
        try (RunFolder again = RunFolder.open(first.dir())) {
            again.appendMetrics(3, 30, 0.125, 0.2, 1e-3, 3.0);
        }
        assertEquals(4, Files.readAllLines(first.dir().resolve(RunFolder.METRICS_FILE)).size());
    }

    @Test
    void aSecondWriterProcessIsRefusedUntilTheHolderDies() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Process holder = java("hold", dir.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            RunFolderLockedException e = assertThrows(RunFolderLockedException.class, () -> RunFolder.open(dir));
            assertTrue(e.holder().contains("pid " + holder.pid()), e.getMessage());
            assertTrue(e.holder().contains(RunFolderLockHolder.class.getName()), "names the command: " + e.getMessage());
            assertFalse(RunFolder.tidy(dir));
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // SIGKILL: no close, the lock file stays
            assertTrue(Files.exists(dir.resolve(RunFolder.LOCK_FILE)));
            try (RunFolder f = RunFolder.open(dir)) {   // the OS released the dead holder's lock
                f.appendMetrics(1, 1, 1, 1, 1, 1);
            }
        } finally {
            holder.destroyForcibly();
        }
        // and the other way round: this process holds, the other one is refused and told who holds it
        try (RunFolder f = RunFolder.open(dir)) {
            Process other = java("try", dir.toString());
            String said = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(other.waitFor(60, TimeUnit.SECONDS));
            assertEquals(3, other.exitValue(), said);
            assertTrue(said.contains("refused: run folder " + dir) && said.contains("pid " + ProcessHandle.current().pid()), said);
        }
    }

    @Test
    void resumeCutsHistoryBackToTheCheckpointStep() throws IOException {
        Path dir;
        try (RunFolder f = RunFolder.create(tmp, "run")) {
            dir = f.dir();
            f.writeConfig(new JsonObject());
            f.appendMetrics(1, 10, 0.5, 0.4, 1e-3, 1.0);
            f.appendMetrics(2, 20, 0.25, 0.3, 1e-3, 2.0);
            f.appendMetrics(3, 30, 0.125, 0.2, 1e-3, 3.0);
        }
        Files.writeString(dir.resolve(RunFolder.METRICS_FILE), "4,40,0.1", java.nio.file.StandardOpenOption.APPEND);   // torn
        Files.writeString(dir.resolve(RunFolder.EVENTS_FILE), String.join("\n",
                "{\"type\":\"step\",\"step\":19,\"loss\":0.3}",
                "{\"type\":\"validation\",\"step\":20,\"best\":true}",
                "{\"type\":\"snapshot\",\"step\":20,\"path\":\"snapshots/step-000020\"}",
                "{\"type\":\"step\",\"step\":21,\"loss\":0.2}",
                "{\"type\":\"snapshot\",\"step\":15,\"path\":\"snapshots/step-000015\"}",   // async: after a later step
                "{\"type\":\"failed\",\"reason\":\"killed?\",\"error\":null}",
                "{\"type\":\"step\",\"step\":22,\"lo"));   // torn, no '\n'
        for (int s : new int[] {15, 20, 25}) {
            Path snap = Files.createDirectories(dir.resolve("snapshots").resolve(String.format("step-%06d", s)));
            Files.writeString(snap.resolve("capture.json"), "{}");
        }
        Files.createDirectories(dir.resolve("snapshots/step-000010"));   // torn snapshot: no capture.json

        try (RunFolder f = RunFolder.open(dir)) {
            f.cutHistoryAfter(20);
            f.appendMetrics(3, 30, 0.125, 0.2, 1e-3, 3.5);
        }
        assertEquals(List.of(RunFolder.METRICS_HEADER, "1,10,0.5,0.4,0.001,1.0", "2,20,0.25,0.3,0.001,2.0",
                             "3,30,0.125,0.2,0.001,3.5"), Files.readAllLines(dir.resolve(RunFolder.METRICS_FILE)));
        assertEquals(List.of("{\"type\":\"step\",\"step\":19,\"loss\":0.3}", "{\"type\":\"validation\",\"step\":20,\"best\":true}",
                             "{\"type\":\"snapshot\",\"step\":20,\"path\":\"snapshots/step-000020\"}",
                             "{\"type\":\"snapshot\",\"step\":15,\"path\":\"snapshots/step-000015\"}"),
                     Files.readAllLines(dir.resolve(RunFolder.EVENTS_FILE)));
        try (var s = Files.list(dir.resolve("snapshots"))) {
            assertEquals(List.of("step-000015", "step-000020"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void historyLinesAreCompleteOrTornAndReadersSkipATornLastLine() throws IOException {
        Path f = tmp.resolve("h.csv");
        try (HistoryFile h = new HistoryFile(f)) {
            h.append("a,1");
            h.append("b,2");
            h.sync();
        }
        Files.writeString(f, "c,3", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of("a,1", "b,2"), HistoryFile.completeLines(f));
        assertEquals(1, HistoryFile.retain(f, ln -> true), "only the torn tail goes");
        assertEquals("a,1\nb,2\n", Files.readString(f));
        assertEquals(0, HistoryFile.retain(f, ln -> true));
    }

    private static Checkpoint checkpoint(float v, long savedStep) {
        Map<String, NamedArray> model = new LinkedHashMap<>();
        model.put("w", new NamedArray(new int[] {2}, new float[] {v, v}));
        JsonObject state = new JsonObject();
        state.addProperty("step", savedStep);
        return new Checkpoint(new JsonObject(), model, null, state);
    }

    @Test
    void openRecoversACheckpointBetweenItsRenamesAndRemovesCrashLeftovers() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("run"));
        Path last = RunFolder.checkpointDir(dir, "last");
        checkpoint(1f, 10).save(last);
        // the crash window of a save: the old folder renamed away, the new one complete but not yet renamed in
        Path old = last.resolveSibling(".last.old-1111");
        Files.move(last, old);
        Path neu = last.resolveSibling(".last.tmp-2222");
        Files.createDirectories(neu.getParent());
        checkpoint(2f, 20).save(tmp.resolve("staging"));
        Files.move(tmp.resolve("staging"), neu);
        Files.createDirectory(last.resolveSibling(".best.tmp-3333"));   // an incomplete save of best, nothing else
        Files.writeString(dir.resolve(".forecast.csv.abc.tmp"), "window,...");
        Files.writeString(dir.resolve("forecast.csv"), "kept");

        // every reader finds it before anyone repairs anything
        assertEquals(neu, Checkpoint.locate(last));
        assertEquals(20, Checkpoint.load(last).state().get("step").getAsLong());
        assertEquals(last, RunFolder.findCheckpoint(dir), "names last; Checkpoint.load finds its sibling");

        try (RunFolder f = RunFolder.open(dir)) {
            assertEquals(20, f.checkpoint("last").state().get("step").getAsLong());
            assertNull(f.checkpoint("best"));
        }
        try (var s = Files.list(last.getParent())) {
            assertEquals(List.of("last"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertTrue(Checkpoint.isComplete(last));
        assertFalse(Files.exists(dir.resolve(".forecast.csv.abc.tmp")));
        assertTrue(Files.exists(dir.resolve("forecast.csv")));
    }

    @Test
    void aFolderThatFailedBeforeItsFirstStepIsRemovedOneWithHistoryStays() throws IOException {
        Path empty;
        try (RunFolder f = RunFolder.create(tmp, "failed-early")) {
            empty = f.dir();
            f.writeConfig(new JsonObject());
        }
        assertFalse(Files.exists(empty), "only config.json: removed on close");
        Path kept;
        try (RunFolder f = RunFolder.create(tmp, "failed-later")) {
            kept = f.dir();
            f.writeConfig(new JsonObject());
            Files.writeString(f.resolve(RunFolder.EVENTS_FILE), "{\"type\":\"failed\",\"reason\":\"x\",\"error\":null}\n");
        }
        assertTrue(Files.exists(kept.resolve(RunFolder.EVENTS_FILE)), "a recorded failure stays");
        // a folder opened (not created) by this process is never removed
        try (RunFolder f = RunFolder.open(Files.createDirectory(tmp.resolve("opened")))) {
            assertNotNull(f);
        }
        assertTrue(Files.isDirectory(tmp.resolve("opened")));
    }

    @Test
    void atomicallyWrittenFilesGetTheUmasksPermissionsLikeAPlainFile() throws IOException {
        Path plain = Files.createFile(tmp.resolve("plain"));
        Path atomic = tmp.resolve("atomic.json");
        AtomicFiles.writeString(atomic, "{}\n");
        Set<PosixFilePermission> want = Files.getPosixFilePermissions(plain);
        assertEquals(want, Files.getPosixFilePermissions(atomic));
        try (RunFolder.ForecastWriter w = RunFolder.forecastWriterAt(tmp.resolve("forecast.csv"))) {
            w.row(0, 0, 0, 1f, 1f);
        }
        assertEquals(want, Files.getPosixFilePermissions(tmp.resolve("forecast.csv")));
        assertTrue(want.contains(PosixFilePermission.OWNER_READ) && want.contains(PosixFilePermission.OWNER_WRITE));
    }
}
