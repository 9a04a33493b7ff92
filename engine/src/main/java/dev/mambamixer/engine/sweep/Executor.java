package dev.mambamixer.engine.sweep;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@code train} invocations for a sweep coordinator. The local executor runs them as child
 * JVMs on this machine; the cluster executor hands the same {@link RunTask}s to workers elsewhere
 * (Hazelcast members), which is why a task is only its arguments and where its output goes.
 */
public interface Executor extends AutoCloseable {

    /**
     * One {@code train} invocation.
     *
     * @param runId     the sweep's id of the run
     * @param trainArgs the arguments after {@code train}
     * @param log       where the run's stdout and stderr are appended
     */
    record RunTask(String runId, List<String> trainArgs, Path log) {
        public RunTask {
            trainArgs = List.copyOf(trainArgs);
        }
    }

    /**
     * How a task ended.
     *
     * @param exitCode    the {@code train} process's exit status (0 = finished; -1 = it could not be started)
     * @param wallSeconds from start to exit
     * @param worker      who ran it, for the log (e.g. {@code local-2})
     * @param workerLost  the worker left (died, lost its network) before the run ended: the run did not
     *                    fail, it is to be queued again and continued from its run folder elsewhere
     */
    record RunResult(String runId, int exitCode, double wallSeconds, String worker, boolean workerLost) {
        public RunResult(String runId, int exitCode, double wallSeconds, String worker) {
            this(runId, exitCode, wallSeconds, worker, false);
        }
    }

    /** Queues a task; the future completes when the run ended (never exceptionally: a failure is an exit code). */
    CompletableFuture<RunResult> submit(RunTask task);

    /** How many runs this executor runs at once. */
    int slots();

    /** Stops taking tasks and ends the running ones (their run folders survive and resume later). */
    @Override void close();
}
