package dev.mambamixer.engine.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.sweep.ClusterExecutor;
import dev.mambamixer.engine.sweep.ClusterSetup;
import dev.mambamixer.engine.sweep.Executor;
import dev.mambamixer.engine.sweep.LocalExecutor;
import dev.mambamixer.engine.sweep.ReferenceMse;
import dev.mambamixer.engine.sweep.RunStatus;
import dev.mambamixer.engine.sweep.SweepFolder;
import dev.mambamixer.engine.sweep.SweepPlan;
import dev.mambamixer.engine.sweep.SweepRunner;
import dev.mambamixer.engine.sweep.SweepSpec;
import dev.mambamixer.engine.sweep.SweepTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sweep run|resume|status|table}: grids of {@code train} runs with model selection on validation (docs/SWEEPS.md). */
@Command(name = "sweep", mixinStandardHelpOptions = true,
         description = {"Run a sweep file: a grid searched on validation per data setting, then the selected configuration",
                        "with several seeds; each run is a `train` in its own JVM. See docs/SWEEPS.md."},
         subcommands = {SweepCommand.Run.class, SweepCommand.Resume.class, SweepCommand.Status.class, SweepCommand.Table.class})
final class SweepCommand implements Callable<Integer> {
    @Override public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    /** Options of the commands that run runs. */
    static class ExecOptions {
        @Option(names = "--executor", defaultValue = "local",
                description = "local (runs on this machine) or cluster (runs on `mambamixer worker` members; docs/SWEEPS.md \"Cluster\") (default: ${DEFAULT-VALUE})")
        String executor;
        @Option(names = "--workers", description = "local: runs at once, each its own JVM (default: 1; on a CPU one run already uses every core)")
        Integer workers;
        @Option(names = "--backend", description = "--backend of every run: auto, cpu, cuda or reference (default: the sweep file's, else train's)")
        String backend;
        @Option(names = "--worker-heap", description = "local: -Xmx of each run's JVM (default: 8g)")
        String heap;
        @Option(names = "--cluster", description = "cluster: the workers' --cluster name")
        String cluster;
        @Option(names = "--members", description = "cluster: host:port of one or more workers, comma-separated")
        String members;
        @Option(names = "--settings", split = ",", paramLabel = "GLOB",
                description = "hand out the runs of these settings only, by label (e.g. ETTh*,exchange_rate-*); the others stay planned")
        List<String> settings;
        @Option(names = "--join-timeout", defaultValue = "30",
                description = "cluster: seconds to reach the cluster and find a worker before giving up (default: ${DEFAULT-VALUE})")
        int joinTimeout;

        boolean cluster() { return executor.equals("cluster"); }

        /** Before the sweep folder is created or locked: bad options leave nothing behind. */
        void check() {
            Ranges.oneOf("--executor", executor, "local", "cluster");
            if (backend != null) Ranges.backend(backend);
            if (cluster()) {
                // the workers say how many runs they take and with how much memory
                if (workers != null) throw new IllegalArgumentException("--workers is for --executor local; a cluster worker's --slots says how many runs it takes");
                if (heap != null) throw new IllegalArgumentException("--worker-heap is for --executor local; give it to each `mambamixer worker`");
                if (cluster == null) throw new IllegalArgumentException("--executor cluster needs --cluster NAME");
                if (members == null) throw new IllegalArgumentException("--executor cluster needs --members host:port,...");
                ClusterSetup.checkClusterName("--cluster", cluster);
                ClusterSetup.parseMembers("--members", members);
                Ranges.positive("--join-timeout", joinTimeout);
            } else {
                if (cluster != null || members != null)
                    throw new IllegalArgumentException("--cluster and --members need --executor cluster");
                Ranges.positive("--workers", workers == null ? 1 : workers);
                checkHeap(heap == null ? "8g" : heap);
            }
        }

        /** The executor; a cluster executor joins the cluster here (refused with a clear message when it cannot). */
        Executor executor() {
            if (cluster()) return ClusterExecutor.connect(cluster, ClusterSetup.parseMembers("--members", members), joinTimeout, System.out);
            return new LocalExecutor(workers == null ? 1 : workers, List.of("-Xmx" + (heap == null ? "8g" : heap)));
        }

        /** The sweep folder as the runs see it: absolute for a cluster, whose workers run elsewhere (on the same shared path). */
        Path folder(Path dir) { return cluster() ? dir.toAbsolutePath().normalize() : dir; }
    }

    static void checkHeap(String heap) {
        if (!heap.matches("[1-9][0-9]*[kKmMgG]?"))
            throw new IllegalArgumentException("--worker-heap: expected a size such as 512m or 8g, found \"" + heap + "\"");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Start a sweep from a sweep file.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "the sweep file (JSON, docs/SWEEPS.md)") Path file;
        @Option(names = "--dir", description = "the sweep folder (default: sweeps/NAME)") Path dir;
        @CommandLine.Mixin ExecOptions exec;

        @Override public Integer call() throws Exception {
            SweepSpec spec = SweepSpec.read(file);
            exec.check();
            checkTrainOptions(spec, file.toString());
            if (exec.settings != null) spec.settingsMatching(exec.settings, "--settings");
            Path d = exec.folder(dir != null ? dir : Path.of("sweeps", spec.name().replaceAll("[^A-Za-z0-9._-]", "_")));
            try (Executor ex = exec.executor(); SweepFolder f = SweepFolder.create(d, spec)) {
                System.out.println("sweep folder: " + d);
                return execute(f, ex, exec);
            }
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
             description = "Continue a stopped sweep: finished runs stay, half-finished ones resume from their last checkpoint.")
    static final class Resume implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the sweep folder") Path dir;
        @CommandLine.Mixin ExecOptions exec;

        @Override public Integer call() throws Exception {
            exec.check();
            SweepFolder.read(dir);   // a folder that is no sweep is refused before the cluster is joined
            try (Executor ex = exec.executor(); SweepFolder f = SweepFolder.open(exec.folder(dir))) {
                checkTrainOptions(f.spec(), dir.resolve(SweepFolder.SPEC_FILE).toString());
                return execute(f, ex, exec);
            }
        }
    }

    private static int execute(SweepFolder f, Executor ex, ExecOptions exec) throws Exception {
        if (ex instanceof ClusterExecutor c) System.out.println("cluster workers: " + c.describeWorkers());
        SweepRunner runner = new SweepRunner(f, ex, exec.backend, System.out);
        if (exec.settings != null) runner.only(f.spec().settingsMatching(exec.settings, "--settings"));
        // Ctrl-C / SIGTERM: end the local child runs too (their folders resume later); SIGKILL leaves them to finish
        // alone, and so does a cluster coordinator's end (the runs on the workers go on; `sweep resume` reads them)
        Thread hook = new Thread(() -> {
            runner.stop();
            ex.close();
        }, "sweep-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runner.run();
        } finally {
            ex.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /**
     * Every fixed option and every grid value parsed as {@code train} would parse it, so a misspelt
     * option or a value of the wrong type is reported before any run starts, naming the file and field.
     */
    static void checkTrainOptions(SweepSpec spec, String file) {
        List<String> errs = new ArrayList<>();
        spec.fixed().forEach((k, v) -> parseOne(k, v, file, "fixed.\"" + k + "\"", errs));
        // a settings entry with several horizons holds one options object: check it once, named by its first setting
        Set<List<Object>> seen = new HashSet<>();
        for (SweepSpec.Setting st : spec.settings())
            if (!st.fixed().isEmpty() && seen.add(List.of(st.data(), st.fixed())))
                st.fixed().forEach((k, v) -> parseOne(k, v, file, "settings[" + st.label() + "].fixed.\"" + k + "\"", errs));
        for (int g = 0; g < spec.grids().size(); g++) checkGrid(spec.grids().get(g), spec.grids().size() == 1 ? "grid" : "grid[" + g + "]", file, errs);
        Set<Object> seenGrids = new HashSet<>();
        for (SweepSpec.Setting st : spec.settings())
            if (!st.grids().isEmpty() && seenGrids.add(List.of(st.data(), st.grids())))
                for (int g = 0; g < st.grids().size(); g++)
                    checkGrid(st.grids().get(g), "settings[" + st.label() + "].grid" + (st.grids().size() == 1 ? "" : "[" + g + "]"), file, errs);
        if (!errs.isEmpty()) throw new IllegalArgumentException(file + ": " + String.join("; ", errs));
    }

    private static void checkGrid(Map<String, List<JsonPrimitive>> grid, String at, String file, List<String> errs) {
        grid.forEach((k, vs) -> {
            for (int i = 0; i < vs.size(); i++) parseOne(k, vs.get(i), file, at + ".\"" + k + "\"[" + i + "]", errs);
        });
    }

    private static void parseOne(String option, JsonPrimitive value, String file, String at, List<String> errs) {
        CommandLine cl = new CommandLine(new TrainCommand());
        if (cl.getCommandSpec().findOption(option) == null) {
            errs.add(at + ": train has no option " + option + " (see `mambamixer train --help`)");
            return;
        }
        boolean flag = cl.getCommandSpec().findOption(option).typeInfo().isBoolean();
        if (flag && !value.isBoolean()) {
            errs.add(at + ": " + option + " is a flag; expected true or false, found " + value);
            return;
        }
        if (!flag && value.isBoolean()) {
            errs.add(at + ": " + option + " takes a value; expected a number or string, found " + value);
            return;
        }
        List<String> args = new ArrayList<>();
        if (flag) {
            if (value.getAsBoolean()) args.add(option);
        } else {
            args.add(option);
            args.add(value.getAsString());
        }
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            errs.add(at + ": " + e.getMessage());
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Counts per stage and one line per run.")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the sweep folder") Path dir;

        @Override public Integer call() throws Exception {
            SweepFolder f = SweepFolder.read(dir);
            JsonObject state = f.readState();
            boolean live = SweepFolder.coordinatorRunning(dir);
            SweepPlan plan = new SweepPlan(f.spec());
            System.out.printf("sweep %s in %s: %s; %d runs planned in all%n", f.spec().name(), dir,
                              live ? "a coordinator is running it" : "no coordinator running (continue with `sweep resume`)",
                              plan.totalRuns());
            JsonObject runs = state.getAsJsonObject("runs");
            for (String stage : new String[] {"SEARCH", "CONFIRM"}) {
                Map<RunStatus, Integer> counts = new EnumMap<>(RunStatus.class);
                for (RunStatus k : RunStatus.values()) counts.put(k, 0);
                for (String id : runs.keySet()) {
                    JsonObject e = runs.getAsJsonObject(id);
                    boolean in = stage.equals("SEARCH") ? e.get("stage").getAsString().equals("SEARCH") : e.has("confirm");
                    if (in) counts.merge(shown(e, live), 1, Integer::sum);
                }
                System.out.printf("%-7s planned %d, running %d, finished %d, failed %d%n", stage, counts.get(RunStatus.PLANNED),
                                  counts.get(RunStatus.RUNNING), counts.get(RunStatus.FINISHED), counts.get(RunStatus.FAILED));
            }
            var sels = SweepFolder.selections(state, dir.resolve(SweepFolder.STATE_FILE).toString());
            for (var s : sels.values())
                System.out.printf("selected for %s: %s (best val MSE %.4f)%n", f.spec().settings().get(s.setting()).label(),
                                  SweepPlan.describe(s.point()), s.bestValMse());
            System.out.printf("%-44s %-14s %-9s %8s %12s %9s  %s%n", "run", "stage", "status", "attempts", "best_val_mse", "wall_s",
                              "configuration");
            for (String id : runs.keySet()) {
                JsonObject e = runs.getAsJsonObject(id);
                RunStatus st = shown(e, live);
                String stage = e.get("stage").getAsString() + (e.has("confirm") && e.get("stage").getAsString().equals("SEARCH") ? "+CONFIRM" : "");
                double v = st == RunStatus.PLANNED ? Double.NaN : f.bestValMse(id);
                System.out.printf(Locale.ROOT, "%-44s %-14s %-9s %8d %12s %9s  %s%n", id, stage, st.json(), e.get("attempts").getAsInt(),
                                  Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v),
                                  e.has("wallSeconds") ? String.format(Locale.ROOT, "%.0f", e.get("wallSeconds").getAsDouble()) : "-",
                                  SweepPlan.describe(SweepFolder.point(e)));
            }
            return 0;
        }

        /** "running" in state.json with no coordinator holding the sweep means it was stopped: "planned" (resume continues it). */
        private static RunStatus shown(JsonObject e, boolean live) {
            RunStatus st = RunStatus.of(e);
            return st == RunStatus.RUNNING && !live ? RunStatus.PLANNED : st;
        }
    }

    @Command(name = "table", mixinStandardHelpOptions = true,
             description = "Write table.csv, table.md and hparams.csv into the sweep folder; print the Markdown table.")
    static final class Table implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "the sweep folder") Path dir;
        @Option(names = "--reference", paramLabel = "FILE",
                description = "a CSV of published test MSEs (columns setting,mse; e.g. scripts/sweeps/paper-table5-reference.csv) to set beside ours, with the ratio")
        Path reference;

        @Override public Integer call() throws Exception {
            SweepTable t = new SweepTable(SweepFolder.read(dir), reference == null ? null : ReferenceMse.read(reference));
            List<Path> written = t.write();
            System.out.print(t.markdown());
            System.out.println("written: " + String.join(", ", written.stream().map(Path::toString).toList()));
            return 0;
        }
    }
}
