package dev.mambamixer.engine.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of {@code workers} slots on this machine; each run is its own JVM (the same java binary and
 * class path as this one), so a crash or an out-of-memory error takes down one run, not the sweep.
 * With more than one worker each child gets {@code MAMBAMIXER_CPU_THREADS} = cores / workers (unless
 * set already), so the runs share the cores instead of fighting over them.
 */
public final class LocalExecutor implements Executor {
    /** The CLI's entry point, named rather than imported: the sweep package sits below the CLI. */
    public static final String MAIN_CLASS = "dev.mambamixer.engine.cli.Main";

    private final int workers;
    private final List<String> jvmArgs;
    private final ExecutorService pool;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger slotNames = new AtomicInteger();
    private final ThreadLocal<String> slotName;
    private volatile boolean closed;

    /** @param jvmArgs extra JVM options of each child, e.g. {@code -Xmx8g} */
    public LocalExecutor(int workers, List<String> jvmArgs) {
        this(workers, jvmArgs, "local-");
    }

    /**
     * @param slotPrefix how the slots are named in the run logs and results ({@code local-} gives
     *                   local-1, local-2, ...; a cluster worker puts its host and port there)
     */
    public LocalExecutor(int workers, List<String> jvmArgs, String slotPrefix) {
        if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1, found " + workers);
        this.slotName = ThreadLocal.withInitial(() -> slotPrefix + slotNames.incrementAndGet());
        this.workers = workers;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "sweep-worker");
            t.setDaemon(true);
            return t;
        });
    }

    @Override public int slots() { return workers; }

    /** The child's command line: this JVM's java binary and class path, the vector module, then {@code train ARGS}. */
    public List<String> command(List<String> trainArgs) {
        String java = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xss8m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS, "train"));
        cmd.addAll(trainArgs);
        return cmd;
    }

    @Override public CompletableFuture<RunResult> submit(RunTask task) {
        if (closed) throw new IllegalStateException("the executor is closed");
        CompletableFuture<RunResult> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                f.complete(runOne(task));
            } catch (RuntimeException | Error e) {   // the coordinator waits for every future: never leave one open
                appendQuietly(task.log(), "the run could not be handled: " + e);
                f.complete(new RunResult(task.runId(), -1, 0, slotName.get()));
            }
        });
        return f;
    }

    private RunResult runOne(RunTask task) {
        long t0 = System.nanoTime();
        String worker = slotName.get();
        if (closed) return new RunResult(task.runId(), -1, 0, worker);
        List<String> cmd = command(task.trainArgs());
        try {
            Files.createDirectories(task.log().toAbsolutePath().getParent());
            try (PrintStream header = new PrintStream(Files.newOutputStream(task.log(), StandardOpenOption.CREATE,
                                                                             StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
                header.println("=== " + Instant.now() + " on " + worker + ": train " + String.join(" ", task.trainArgs()));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(task.log().toFile()));
            if (workers > 1 && System.getenv("MAMBAMIXER_CPU_THREADS") == null)
                pb.environment().put("MAMBAMIXER_CPU_THREADS",
                                     "" + Math.max(1, Runtime.getRuntime().availableProcessors() / workers));
            Process p = pb.start();
            running.add(p);
            try {
                int rc = p.waitFor();
                return new RunResult(task.runId(), rc, (System.nanoTime() - t0) / 1e9, worker);
            } finally {
                running.remove(p);
            }
        } catch (IOException e) {
            appendQuietly(task.log(), "could not start the run: " + e);
            return new RunResult(task.runId(), -1, (System.nanoTime() - t0) / 1e9, worker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RunResult(task.runId(), -1, (System.nanoTime() - t0) / 1e9, worker);
        }
    }

    private static void appendQuietly(Path log, String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a courtesy; the exit code says what happened
        }
    }

    /** Ends the running children (SIGTERM, then SIGKILL after 10 s), then the pool. */
    @Override public void close() {
        closed = true;
        List<Process> children = new ArrayList<>(running);   // before the pool's threads stop watching them
        for (Process p : children) p.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Process p : children) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdownNow();
    }
}
