package dev.mambamixer.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Command-line entry point: {@code mambamixer train|eval|forecast|bench|generate-sample}. */
@Command(name = "mambamixer", mixinStandardHelpOptions = true, version = "MambaMixer Workbench 0.1.0",
         description = "Train and inspect MambaMixer (TSM2) forecasters.",
         subcommands = {TrainCommand.class, SweepCommand.class, WorkerCommand.class, EvalCommand.class, ForecastCommand.class, BenchCommand.class, ParamsCommand.class,
                        TeachCommand.class, VisionCommand.class,
                        GenerateSampleCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        exitWithParent(System.getProperty(dev.mambamixer.engine.sweep.ClusterWorker.PARENT_PID_PROPERTY));
        System.exit(run(args));
    }

    /**
     * A run started by a sweep worker ends when that worker's JVM is gone, even when it was killed
     * outright (no shutdown hook): the coordinator queues the run again on another worker, and this
     * JVM must not keep writing the run folder (nor hold its lock) meanwhile. Exits 143 as SIGTERM would.
     */
    static void exitWithParent(String pid) {
        if (pid == null) return;
        long p;
        try {
            p = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + dev.mambamixer.engine.sweep.ClusterWorker.PARENT_PID_PROPERTY
                                               + ": expected a process id, found \"" + pid + "\"");
        }
        Runnable stop = () -> {
            System.err.println("the sweep worker (pid " + p + ") that started this run is gone: stopping; the run continues"
                               + " from its last checkpoint on another worker");
            System.exit(143);
        };
        ProcessHandle.of(p).ifPresentOrElse(h -> h.onExit().thenRun(stop), stop);
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        // bad input (data files, configs, checkpoints) -> one clear line and exit 2, no stack trace
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable t = ex;
            if (t instanceof java.io.UncheckedIOException && t.getCause() != null) t = t.getCause();
            if (t instanceof IllegalArgumentException || t instanceof java.io.IOException
                || t instanceof IllegalStateException || t instanceof dev.mambamixer.engine.data.DataFormatException) {
                cmd.getErr().println("error: " + dev.mambamixer.engine.io.FileErrors.errorText(t));
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
