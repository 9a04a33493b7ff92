package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's JVM started by a worker stops by itself when the worker's JVM is killed outright, so a run
 * queued again elsewhere never finds its folder still written (and locked) by an orphan.
 */
class RunStopsWithItsWorkerTest {
    @TempDir Path tmp;

    @Test void aRunStopsWhenItsWorkerIsKilled() throws Exception {
        Process worker = new ProcessBuilder("sleep", "120").start();   // stands in for the worker's JVM
        Path log = tmp.resolve("run.log");
        Process run = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                                 "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Xmx256m",
                                                 "-D" + ClusterWorker.PARENT_PID_PROPERTY + "=" + worker.pid(),
                                                 "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train",
                                                 "--data", SweepTestSupport.sampleData().toString(), "--seq-len", "32",
                                                 "--horizon", "8", "--d-model", "8", "--layers", "1", "--epochs", "100000",
                                                 "--run-dir", tmp.resolve("run").toString()))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(tmp.resolve("run").resolve("config.json")) && run.isAlive() && System.nanoTime() < deadline)
                Thread.sleep(20);
            assertTrue(run.isAlive(), "the run is training: " + Files.readString(log));
            worker.destroyForcibly();
            assertTrue(run.waitFor(20, TimeUnit.SECONDS), "the run stopped after its worker was killed");
            assertEquals(143, run.exitValue());
            assertTrue(Files.readString(log).contains("the sweep worker (pid " + worker.pid() + ") that started this run is gone"),
                       Files.readString(log));
        } finally {
            run.destroyForcibly();
            worker.destroyForcibly();
        }
    }
}
