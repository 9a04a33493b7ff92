package dev.mambamixer.engine.sweep;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import dev.mambamixer.engine.sweep.Executor.RunTask;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mambamixer worker}: a Hazelcast member that takes sweep runs from the cluster. Each run is a
 * {@code train} in its own JVM, launched by a {@link LocalExecutor} with {@code slots} slots (the same
 * launching as a local sweep). When a run ends its outcome goes into the coordinator's result map with
 * {@code putIfAbsent}, so a run id has exactly one result however often it was handed out.
 *
 * <p>The run folder and log paths in a task are the coordinator's: the sweep folder must be on a file
 * system every worker sees at the same path (docs/SWEEPS.md "Cluster").
 */
public final class ClusterWorker implements AutoCloseable {
    /** A run as it travels to a worker: small, serializable, paths as strings (absolute on the shared file system). */
    public record RunRequest(String runId, List<String> trainArgs, String log, String resultMap) implements Serializable {
        public RunRequest {
            trainArgs = List.copyOf(trainArgs);
        }
    }

    /** A run's outcome, as the worker writes it into the result map. */
    public record Outcome(String runId, int exitCode, double wallSeconds, String worker) implements Serializable {}

    /** The task the coordinator submits to one member: hands the run to that member's worker and returns at once. */
    static final class StartRun implements Callable<String>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        private final RunRequest run;
        private transient HazelcastInstance hz;

        StartRun(RunRequest run) { this.run = run; }

        @Override public void setHazelcastInstance(HazelcastInstance hz) { this.hz = hz; }

        @Override public String call() {
            Object w = hz.getUserContext().get(ClusterSetup.WORKER_KEY);
            if (!(w instanceof ClusterWorker worker))
                throw new IllegalStateException("member " + hz.getCluster().getLocalMember() + " is not a mambamixer worker");
            return worker.accept(run, hz.getMap(run.resultMap()));
        }
    }

    /** Set on each run's JVM to this worker's pid: the run stops when the worker is gone (cli.Main). */
    public static final String PARENT_PID_PROPERTY = "mambamixer.worker.pid";

    private final String name;
    private final String backend;
    private final boolean forceBackend;
    private final LocalExecutor local;
    private final PrintStream out;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final HazelcastInstance hz;
    private volatile boolean closing;

    /**
     * Starts the member and joins the cluster.
     *
     * @param backend      cpu or cuda: what this worker advertises
     * @param forceBackend whether every run gets {@code --backend backend} (the worker was told which
     *                     backend it has) rather than the {@code --backend} the coordinator sent
     * @param jvmArgs      extra JVM options of each run, e.g. {@code -Xmx8g}
     */
    public ClusterWorker(String cluster, List<String> members, int port, int slots, String backend, boolean forceBackend,
                         List<String> jvmArgs, PrintStream out) {
        this.name = hostName() + ":" + port;
        this.backend = backend;
        this.forceBackend = forceBackend;
        this.out = out;
        List<String> childArgs = new ArrayList<>(jvmArgs);
        childArgs.add("-D" + PARENT_PID_PROPERTY + "=" + ProcessHandle.current().pid());
        this.local = new LocalExecutor(slots, childArgs, name + "/slot-");
        var config = ClusterSetup.memberConfig(cluster, members, port,
                                               Map.of(ClusterSetup.ATTR_SLOTS, Integer.toString(slots), ClusterSetup.ATTR_BACKEND, backend,
                                                      ClusterSetup.ATTR_NAME, name));
        config.getUserContext().put(ClusterSetup.WORKER_KEY, this);
        try {
            this.hz = Hazelcast.newHazelcastInstance(config);
        } catch (RuntimeException e) {
            local.close();
            throw new IllegalStateException("worker: could not start a cluster member on port " + port + ": " + e.getMessage(), e);
        }
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) ended.countDown();
        });
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override public void memberAdded(MembershipEvent e) { printMembers(cluster, e.getMembers().size()); }

            @Override public void memberRemoved(MembershipEvent e) { printMembers(cluster, e.getMembers().size()); }
        });
        out.printf("worker %s (%s, %d slots) in cluster %s; %d members%n", name, backend, slots, cluster,
                   hz.getCluster().getMembers().size());
    }

    private void printMembers(String cluster, int n) {
        out.printf("%s cluster %s: %d members%n", Instant.now(), cluster, n);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Starts a run on a free slot; its outcome goes into {@code results} when it ends. Returns this worker's name. */
    String accept(RunRequest run, IMap<String, Outcome> results) {
        if (closing) throw new IllegalStateException("worker " + name + " is shutting down");
        List<String> args = forceBackend ? withBackend(run.trainArgs(), backend) : run.trainArgs();
        out.printf("%s started %s%n", Instant.now(), run.runId());
        local.submit(new RunTask(run.runId(), args, Path.of(run.log()))).thenAccept(r -> {
            // a run ended by this worker's shutdown is no outcome: the coordinator sees the member leave and queues it again
            if (closing) return;
            try {
                boolean first = results.putIfAbsent(r.runId(), new Outcome(r.runId(), r.exitCode(), r.wallSeconds(), r.worker())) == null;
                out.printf("%s %s ended: exit %d in %.0f s%s%n", Instant.now(), r.runId(), r.exitCode(), r.wallSeconds(),
                           first ? "" : " (a result for it was already recorded; this one is dropped)");
            } catch (RuntimeException e) {   // the cluster is gone: the coordinator queues the run again
                out.printf("%s %s ended (exit %d) but its result could not be recorded: %s%n", Instant.now(), r.runId(),
                           r.exitCode(), e.getMessage());
            }
        });
        return name;
    }

    /** {@code args} with its {@code --backend} replaced by (or, without one, extended with) {@code backend}. */
    static List<String> withBackend(List<String> args, String backend) {
        List<String> a = new ArrayList<>(args);
        int i = a.indexOf("--backend");
        if (i >= 0 && i + 1 < a.size()) a.set(i + 1, backend);
        else {
            a.add("--backend");
            a.add(backend);
        }
        return a;
    }

    public String name() { return name; }

    /** Blocks until the member shuts down ({@link #close()} or the cluster ending it). */
    public void awaitShutdown() throws InterruptedException { ended.await(); }

    /** Ends the runs in progress (their folders resume elsewhere), then leaves the cluster. */
    @Override public void close() {
        if (closing) return;
        closing = true;
        out.printf("%s worker %s shutting down: its runs end here and continue on other workers%n", Instant.now(), name);
        local.close();
        try {
            hz.shutdown();
        } finally {
            ended.countDown();
        }
    }
}
