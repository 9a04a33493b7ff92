package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Per-launch GPU timing of a {@link CudaBackend} (enabled by {@code -Dmambamixer.cuda.profile=true}):
 * a cuEvent pair on the backend's stream around every kernel launch and every host
 * synchronisation (downloads, uploads, dot/sumAbs), aggregated per label. Events are pooled
 * and resolved in batches, so profiling adds no host sync per launch (only every
 * {@link #DRAIN_EVERY} pairs). Besides GPU time it records the host time spent inside the call
 * (launch overhead, or the blocking wait of a download) and the elapsed time between the first
 * and the last event, so GPU idle time (host-bound phases) shows as the gap between the two.
 */
final class CudaProfiler {
    static final int DRAIN_EVERY = 4096;

    /** Aggregate per label: calls, GPU ms (events), host ms (System.nanoTime in the call). */
    private static final class Stat {
        long calls;
        double gpuMs, hostMs;
    }

    private record Pending(String label, CUevent start, CUevent end, long hostNs) {}

    private final ArrayDeque<CUevent> pool = new ArrayDeque<>();
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Stat> stats = new HashMap<>();
    private CUevent windowStart;       // first event since the last drain (kept, not pooled)
    private double spanMs;             // elapsed between the first and the last event so far
    private long launches;
    private final jcuda.driver.CUstream stream;

    CudaProfiler(jcuda.driver.CUstream stream) { this.stream = stream; }

    /** An open interval: the start event is recorded; close it with {@link #end}. */
    static final class Mark {
        final String label;
        final CUevent start;
        final long hostStart;

        Mark(String label, CUevent start, long hostStart) {
            this.label = label;
            this.start = start;
            this.hostStart = hostStart;
        }
    }

    Mark begin(String label) {
        CUevent a = take();
        cuEventRecord(a, stream);
        if (windowStart == null) {
            windowStart = take();
            cuEventRecord(windowStart, stream);
        }
        return new Mark(label, a, System.nanoTime());
    }

    void end(Mark m) {
        CUevent b = take();
        cuEventRecord(b, stream);
        pending.add(new Pending(m.label, m.start, b, System.nanoTime() - m.hostStart));
        launches++;
        if (pending.size() >= DRAIN_EVERY) drain();
    }

    private CUevent take() {
        CUevent e = pool.poll();
        if (e != null) return e;
        e = new CUevent();
        cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
        return e;
    }

    /** Waits for the recorded events and folds them into the per-label totals. */
    void drain() {
        if (pending.isEmpty()) return;
        CUevent last = pending.get(pending.size() - 1).end;
        cuEventSynchronize(last);
        float[] ms = {0f};
        for (Pending p : pending) {
            cuEventElapsedTime(ms, p.start, p.end);
            Stat s = stats.computeIfAbsent(p.label, k -> new Stat());
            s.calls++;
            s.gpuMs += ms[0];
            s.hostMs += p.hostNs / 1e6;
            pool.add(p.start);
            if (p.end != last) pool.add(p.end);
        }
        cuEventElapsedTime(ms, windowStart, last);
        spanMs += ms[0];
        pool.add(windowStart);
        windowStart = last;     // the next window starts where this one ended (no gap lost)
        pending.clear();
    }

    void reset() {
        drain();
        stats.clear();
        spanMs = 0;
        launches = 0;
        if (windowStart != null) pool.add(windowStart);
        windowStart = null;
    }

    void destroy() {
        for (Pending p : pending) { pool.add(p.start); pool.add(p.end); }
        pending.clear();
        if (windowStart != null) pool.add(windowStart);
        windowStart = null;
        for (CUevent e : pool) {
            try { cuEventDestroy(e); } catch (Throwable ignored) { /* closing anyway */ }
        }
        pool.clear();
    }

    /**
     * Two tables sorted by GPU time: per kernel symbol (the label up to its first space), then
     * the top {@code topLabels} detailed labels (GEMM shapes, scan sizes).
     */
    String report(int topLabels) {
        drain();
        Map<String, Stat> perKernel = new HashMap<>();
        double gpu = 0, host = 0;
        for (Map.Entry<String, Stat> e : stats.entrySet()) {
            String k = e.getKey();
            int sp = k.indexOf(' ');
            Stat t = perKernel.computeIfAbsent(sp < 0 ? k : k.substring(0, sp), q -> new Stat());
            t.calls += e.getValue().calls;
            t.gpuMs += e.getValue().gpuMs;
            t.hostMs += e.getValue().hostMs;
            gpu += e.getValue().gpuMs;
            host += e.getValue().hostMs;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("CUDA profile: %d timed calls, GPU busy %.2f ms of %.2f ms elapsed between first and last"
            + " event (%.0f%%), host time inside the calls %.2f ms%n", launches, gpu, spanMs,
            spanMs > 0 ? 100 * gpu / spanMs : 0, host));
        table(sb, "per kernel", perKernel, gpu, Integer.MAX_VALUE);
        table(sb, "top calls by shape", stats, gpu, topLabels);
        return sb.toString();
    }

    private static void table(StringBuilder sb, String title, Map<String, Stat> m, double gpu, int top) {
        sb.append(String.format("  %-58s %8s %10s %9s %10s %6s%n", title, "calls", "GPU ms", "us/call", "host ms", "%GPU"));
        m.entrySet().stream()
            .sorted(Comparator.comparingDouble((Map.Entry<String, Stat> e) -> -e.getValue().gpuMs))
            .limit(top)
            .forEach(e -> {
                Stat s = e.getValue();
                sb.append(String.format("  %-58s %8d %10.3f %9.1f %10.3f %5.1f%%%n", e.getKey(), s.calls, s.gpuMs,
                    1000 * s.gpuMs / Math.max(1, s.calls), s.hostMs, gpu > 0 ? 100 * s.gpuMs / gpu : 0));
            });
    }
}
