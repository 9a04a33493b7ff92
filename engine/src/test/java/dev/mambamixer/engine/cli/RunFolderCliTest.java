package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run-folder rules seen from the CLI: a second writer is refused, readers and resume get past an interrupted save. */
class RunFolderCliTest {
    @TempDir Path tmp;

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    private Path train(int epochs) throws IOException {
        CliRun.Out r = CliRun.run("train", "--data", sample().toString(), "--seq-len", "48", "--horizon", "12", "--d-model", "8",
                                  "--layers", "1", "--epochs", String.valueOf(epochs), "--max-steps-per-epoch", "3",
                                  "--backend", "cpu", "--snapshot-every", "0", "--runs-dir", tmp.resolve("runs").toString(),
                                  "--name", "t");
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            return s.findFirst().orElseThrow();
        }
    }

    /** Every file of the folder with its content, to show that a refused writer changed nothing. */
    private static List<String> contents(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList())
                out.add(dir.relativize(p) + (Files.isRegularFile(p) ? ":" + Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1) : ""));
        }
        return out;
    }

    @Test
    void aResumeWhileAnotherWriterHoldsTheFolderIsRefusedAndChangesNothing() throws IOException {
        Path run = train(1);
        try (RunFolder holder = RunFolder.open(run)) {
            List<String> before = contents(run);
            CliRun.Out r = CliRun.run("train", "--resume", run.toString(), "--data", sample().toString(), "--backend", "cpu");
            assertEquals(2, r.code(), r.out());
            assertTrue(r.err().contains("in use by another writer") && r.err().contains("pid " + ProcessHandle.current().pid()),
                       r.err());
            assertEquals(before, contents(run));
        }
    }

    @Test
    void evalAndResumeFindCheckpointsLeftBetweenTheTwoRenamesOfASave() throws IOException {
        Path run = train(1);
        // a crash between the renames: best and last exist only as renamed-away siblings
        for (String which : new String[] {"best", "last"}) {
            Path d = RunFolder.checkpointDir(run, which);
            Files.move(d, d.resolveSibling("." + which + ".old-0123abcd"));
        }
        CliRun.Out ev = CliRun.run("eval", "--checkpoint", run.toString(), "--data", sample().toString(), "--backend", "cpu");
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("MSE"), ev.out());

        CliRun.Out r = CliRun.run("train", "--resume", run.toString(), "--data", sample().toString(), "--backend", "cpu",
                                  "--snapshot-every", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed after epoch 1"), r.out());
        assertTrue(Files.isDirectory(RunFolder.checkpointDir(run, "last")) && Files.isDirectory(RunFolder.checkpointDir(run, "best")));
        try (Stream<Path> s = Files.list(run.resolve(RunFolder.CHECKPOINTS))) {
            assertEquals(List.of("best", "last"), s.map(p -> p.getFileName().toString()).sorted().toList(), "leftovers gone");
        }
    }
}
