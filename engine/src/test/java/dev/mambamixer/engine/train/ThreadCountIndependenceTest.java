package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same numbers whatever the thread count: the CPU backend cuts every parallel kernel
 * (GEMM row / column / k blocks, scan sequences, element blocks) by problem size only, so training
 * steps with 1, 2 and 3 workers give bit-identical losses and weights. Each count needs its own JVM
 * (the pool is sized once).
 */
class ThreadCountIndependenceTest {

    private static String probe(int threads) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Xss8m");
        cmd.add("-Dmambamixer.cpu.threads=" + threads);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ThreadCountProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe with " + threads + " threads did not finish");
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("probe ")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    @Test
    void trainingStepsAreBitIdenticalWithOneTwoAndThreeWorkers() throws Exception {
        String one = probe(1), two = probe(2), three = probe(3);
        assertEquals(one, two, "1 vs 2 workers");
        assertEquals(one, three, "1 vs 3 workers");
    }
}
