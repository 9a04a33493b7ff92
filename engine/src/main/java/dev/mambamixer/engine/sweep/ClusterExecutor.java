package dev.mambamixer.engine.sweep;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import dev.mambamixer.engine.sweep.ClusterWorker.Outcome;
import dev.mambamixer.engine.sweep.ClusterWorker.RunRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands a sweep's runs to {@code mambamixer worker} members of a Hazelcast cluster. The coordinator
 * joins as a Hazelcast client (no port of its own). A run goes to the worker with the most free slots
 * (its {@value ClusterSetup#ATTR_SLOTS} attribute minus the runs it holds); its outcome comes back
 * through a result map keyed by run id, written once with putIfAbsent. The runs in flight are kept
 * per member: when a member leaves the cluster (killed, shut down, cut off), each of its runs without
 * an outcome completes as {@link RunResult#workerLost() lost}, and the coordinator queues it again;
 * it then continues from its run folder on another worker ({@code train --resume}).
 *
 * <p>Every event (membership, outcomes, answers to submissions) is handled on one thread, so the
 * bookkeeping needs no locks; a poll every {@value #POLL_SECONDS} s reads the outcomes of the runs in
 * flight in case an entry event was missed (a reconnect of the client).
 */
public final class ClusterExecutor implements Executor {
    static final int POLL_SECONDS = 2;
    /** A run whose submission fails this many times in a row (not because its member left) fails. */
    static final int MAX_SUBMIT_FAILURES = 3;

    private static final class Pending {
        final RunTask task;
        final CompletableFuture<RunResult> future;
        Member member;
        long t0;
        int submitFailures;

        Pending(RunTask task, CompletableFuture<RunResult> future) {
            this.task = task;
            this.future = future;
        }
    }

    private final String cluster;
    private final HazelcastInstance client;
    private final IExecutorService service;
    private final IMap<String, Outcome> results;
    private final PrintStream out;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sweep-cluster");
        t.setDaemon(true);
        return t;
    });
    // touched on the loop thread only
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Map<String, Pending> inFlight = new LinkedHashMap<>();
    private final Map<UUID, Member> workers = new LinkedHashMap<>();
    private volatile int slots;
    private volatile boolean closed;
    private boolean gone;   // the client lost the cluster for good (loop thread)
    private final int joinTimeoutSeconds;

    private ClusterExecutor(String cluster, HazelcastInstance client, int joinTimeoutSeconds, PrintStream out) {
        this.cluster = cluster;
        this.joinTimeoutSeconds = joinTimeoutSeconds;
        this.client = client;
        this.out = out;
        this.service = client.getExecutorService(ClusterSetup.RUN_SERVICE);
        // one result map per coordinator invocation: a run id is tried once per invocation, so it has one result here
        this.results = client.getMap("mambamixer-results-" + UUID.randomUUID());
    }

    /**
     * Joins cluster {@code cluster} through one of {@code members} and waits until it has a worker;
     * refuses (IllegalStateException naming the options) when neither happens within {@code timeoutSeconds}.
     */
    public static ClusterExecutor connect(String cluster, List<String> members, int timeoutSeconds, PrintStream out) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(ClusterSetup.clientConfig(cluster, members, timeoutSeconds * 1000L));
        } catch (RuntimeException e) {
            throw new IllegalStateException("--cluster " + cluster + " --members " + String.join(",", members)
                                            + ": could not join within " + timeoutSeconds + " s (is a `mambamixer worker --cluster "
                                            + cluster + "` listening there? a worker of another cluster name refuses us): "
                                            + e.getMessage(), e);
        }
        ClusterExecutor ex = new ClusterExecutor(cluster, client, timeoutSeconds, out);
        try {
            ex.start(deadline, timeoutSeconds, members);
        } catch (RuntimeException e) {
            ex.close();
            throw e;
        }
        return ex;
    }

    private void start(long deadline, int timeoutSeconds, List<String> members) {
        client.getCluster().addMembershipListener(new MembershipListener() {
            @Override public void memberAdded(MembershipEvent e) { loop.execute(() -> memberJoined(e.getMember())); }

            @Override public void memberRemoved(MembershipEvent e) { loop.execute(() -> memberLeft(e.getMember())); }
        });
        client.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN && !closed) loop.execute(this::clusterLost);
        });
        results.addEntryListener((EntryAddedListener<String, Outcome>) e -> loop.execute(() -> outcome(e.getValue())), true);
        for (Member m : client.getCluster().getMembers()) loop.execute(() -> memberJoined(m));
        while (slots == 0) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException("--cluster " + cluster + " --members " + String.join(",", members)
                                                + ": joined, but no member is a `mambamixer worker` within " + timeoutSeconds + " s");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers", e);
            }
        }
        loop.scheduleWithFixedDelay(this::poll, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS);
    }

    /** The slots of the workers in the cluster now (at least 1, so a coordinator waiting for workers keeps its queue). */
    @Override public int slots() { return Math.max(1, slots); }

    /** The workers' names and backends, for the coordinator's first line. */
    public String describeWorkers() {
        StringBuilder b = new StringBuilder();
        for (Member m : client.getCluster().getMembers()) {
            if (slotsOf(m) == 0) continue;
            if (b.length() > 0) b.append(", ");
            b.append(workerName(m)).append(" (")
             .append(m.getAttribute(ClusterSetup.ATTR_BACKEND)).append(", ").append(slotsOf(m)).append(" slots)");
        }
        return b.toString();
    }

    @Override public CompletableFuture<RunResult> submit(RunTask task) {
        if (closed) throw new IllegalStateException("the executor is closed");
        Pending p = new Pending(task, new CompletableFuture<>());
        loop.execute(() -> {
            if (gone) {
                p.future.complete(new RunResult(task.runId(), -1, 0, "cluster " + cluster));
                return;
            }
            queue.add(p);
            dispatch();
        });
        return p.future;
    }

    private static String workerName(Member m) {
        String n = m.getAttribute(ClusterSetup.ATTR_NAME);
        return n != null ? n : m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    private static int slotsOf(Member m) {
        String s = m.getAttribute(ClusterSetup.ATTR_SLOTS);
        try {
            return s == null ? 0 : Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void memberJoined(Member m) {
        if (slotsOf(m) == 0 || workers.containsKey(m.getUuid())) return;
        workers.put(m.getUuid(), m);
        updateSlots();
        dispatch();
    }

    /** The runs the member held without an outcome complete as lost (the coordinator queues them again). */
    private void memberLeft(Member m) {
        if (workers.remove(m.getUuid()) == null) return;
        updateSlots();
        for (Pending p : List.copyOf(inFlight.values())) {
            if (!m.getUuid().equals(p.member.getUuid())) continue;
            Outcome o = readOutcome(p.task.runId());
            if (o != null) {   // it ended just before its member left
                outcome(o);
                continue;
            }
            inFlight.remove(p.task.runId());
            String worker = workerName(m);
            appendLog(p, "--- " + java.time.Instant.now() + ": worker " + worker + " left the cluster while this run was on it");
            p.future.complete(new RunResult(p.task.runId(), -1, seconds(p), worker, true));
        }
        if (workers.isEmpty() && !closed)
            out.println("cluster " + cluster + ": no worker left; waiting up to " + joinTimeoutSeconds
                        + " s (--join-timeout) for one to join (Ctrl-C to stop)");
        dispatch();
    }

    /**
     * The client gave up reconnecting (no member reachable for the join timeout): the runs not handed
     * out and those without an outcome end as failed for this invocation; the ones still running on
     * workers go on, and {@code sweep resume} reads their folders later.
     */
    private void clusterLost() {
        if (gone || closed) return;
        gone = true;
        out.println("lost the connection to cluster " + cluster + "; runs still on workers go on, `sweep resume` collects them");
        List<Pending> all = new java.util.ArrayList<>(queue);
        all.addAll(inFlight.values());
        queue.clear();
        inFlight.clear();
        for (Pending p : all) p.future.complete(new RunResult(p.task.runId(), -1, seconds(p), "cluster " + cluster));
    }

    private void updateSlots() {
        int n = 0;
        for (Member m : workers.values()) n += slotsOf(m);
        slots = n;
    }

    /** Hands queued runs to the workers with free slots, the most free first. */
    private void dispatch() {
        if (closed) return;
        Map<UUID, Integer> used = new HashMap<>();
        for (Pending p : inFlight.values()) used.merge(p.member.getUuid(), 1, Integer::sum);
        while (!queue.isEmpty()) {
            Member best = null;
            int bestFree = 0;
            for (Member m : workers.values()) {
                int free = slotsOf(m) - used.getOrDefault(m.getUuid(), 0);
                if (free > bestFree) {
                    best = m;
                    bestFree = free;
                }
            }
            if (best == null) return;
            Pending p = queue.poll();
            p.member = best;
            p.t0 = System.nanoTime();
            used.merge(best.getUuid(), 1, Integer::sum);
            inFlight.put(p.task.runId(), p);
            RunRequest req = new RunRequest(p.task.runId(), p.task.trainArgs(), p.task.log().toAbsolutePath().toString(),
                                            results.getName());
            Member to = best;
            service.submitToMember(new ClusterWorker.StartRun(req), to, new ExecutionCallback<String>() {
                @Override public void onResponse(String worker) {}

                @Override public void onFailure(Throwable t) { loop.execute(() -> submitFailed(p, to, t)); }
            });
        }
    }

    /** The member refused or never got the run: try again (elsewhere if it left), fail after repeated refusals. */
    private void submitFailed(Pending p, Member to, Throwable t) {
        if (inFlight.get(p.task.runId()) != p) return;   // already handled (its member left, or it has an outcome)
        if (readOutcome(p.task.runId()) != null) return;
        inFlight.remove(p.task.runId());
        appendLog(p, "--- " + java.time.Instant.now() + ": could not hand the run to " + workerName(to) + ": " + t);
        if (++p.submitFailures >= MAX_SUBMIT_FAILURES) {
            p.future.complete(new RunResult(p.task.runId(), -1, seconds(p), workerName(to)));
            return;
        }
        queue.addFirst(p);
        loop.schedule(this::dispatch, 1, TimeUnit.SECONDS);
    }

    private void outcome(Outcome o) {
        Pending p = inFlight.remove(o.runId());
        if (p == null) return;   // not ours, or already completed
        p.future.complete(new RunResult(o.runId(), o.exitCode(), o.wallSeconds(), o.worker()));
        dispatch();
    }

    private void poll() {
        if (inFlight.isEmpty() || closed) return;
        try {
            for (Outcome o : results.getAll(java.util.Set.copyOf(inFlight.keySet())).values()) outcome(o);
        } catch (RuntimeException e) {
            // the client is reconnecting: the next poll or the entry events catch up
        }
    }

    private Outcome readOutcome(String runId) {
        try {
            return results.get(runId);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double seconds(Pending p) { return p.t0 == 0 ? 0 : (System.nanoTime() - p.t0) / 1e9; }

    private static void appendLog(Pending p, String line) {
        try {
            Files.writeString(p.task.log(), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is a courtesy; the result says what happened
        }
    }

    /**
     * Leaves the cluster. Runs in progress on the workers go on to their end (their folders are
     * complete then; a later {@code sweep resume} reads them), as with a coordinator killed outright.
     */
    @Override public synchronized void close() {
        if (closed) return;
        closed = true;
        loop.shutdownNow();
        try {
            results.destroy();
        } catch (RuntimeException ignored) {
            // the cluster is gone already
        }
        client.shutdown();
    }
}
