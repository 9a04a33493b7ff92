package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time, work and traffic per kernel of a host backend (the bench command's {@code --kernels}):
 * {@link #wrap} puts a recording proxy in front of a {@link Backend}, so every call the model
 * makes is timed where it enters the seam. A default method that calls others (e.g. adamwAll) is
 * counted once, as itself. GEMMs are kept apart by shape, because a skinny GEMM and a square one
 * reach very different speeds.
 *
 * <p>Counting rules (what "GFLOP/s" and "GB/s" mean in the table): a GEMM does 2mnk flops and moves
 * its three matrices once (C twice when it accumulates); the scan does per state element
 * (s, l, e, n) 6 flops + 1 exp forward and 16 flops + 2 exp backward (recompute plus adjoint; an
 * exp counted as 1) and moves its inputs and outputs once; every other kernel moves each tensor
 * argument once and its flops are not counted. Compulsory traffic only: a kernel below these GB/s
 * re-reads memory or waits on something else.
 */
public final class KernelProfile {

    /** One kernel (or GEMM shape) summed over the recorded calls. */
    public record Row(String kernel, long calls, double seconds, double flops, double bytes) {
        public double gflopsPerSec() { return flops / seconds / 1e9; }
        public double gbPerSec() { return bytes / seconds / 1e9; }
    }

    private final Map<String, double[]> rows = new LinkedHashMap<>();   // calls, ns, flops, bytes
    private boolean recording = true;

    /** {@code inner} with every call recorded here (while {@link #recording}). */
    public static Backend wrap(Backend inner, KernelProfile into) {
        InvocationHandler h = (proxy, m, args) -> into.call(inner, m, args);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    public synchronized void recording(boolean on) { recording = on; }

    public synchronized void reset() { rows.clear(); }

    private Object call(Backend inner, Method m, Object[] args) throws Throwable {
        long t0 = System.nanoTime();
        Object r;
        try {
            r = m.invoke(inner, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        long ns = System.nanoTime() - t0;
        if (m.getDeclaringClass() == Object.class || args == null) return r;
        synchronized (this) {
            if (!recording) return r;
            String key = key(m, args);
            double[] row = rows.computeIfAbsent(key, k -> new double[4]);
            row[0]++;
            row[1] += ns;
            row[2] += flops(m.getName(), args);
            row[3] += bytes(m.getName(), args, inner.elementBytes());
        }
        return r;
    }

    private static String key(Method m, Object[] a) {
        if (!m.getName().equals("gemm")) return m.getName();
        return String.format(Locale.ROOT, "gemm %s%s m %d n %d k %d", (boolean) a[0] ? "T" : "N", (boolean) a[1] ? "T" : "N",
                             (int) a[2], (int) a[3], (int) a[4]);
    }

    private static double flops(String name, Object[] a) {
        switch (name) {
            case "gemm": return 2.0 * (int) a[2] * (int) a[3] * (int) a[4];
            case "scanForward": return 7.0 * stateElements((ScanDims) a[0]);
            case "scanBackward": return 18.0 * stateElements((ScanDims) a[0]);
            default: return 0;
        }
    }

    private static double stateElements(ScanDims d) { return (double) d.s() * d.l() * d.e() * d.n(); }

    private static double bytes(String name, Object[] a, int eb) {
        switch (name) {
            case "gemm": {
                double m = (int) a[2], n = (int) a[3], k = (int) a[4];
                return eb * (m * k + k * n + m * n * ((double) a[10] == 0 ? 1 : 2));
            }
            case "scanForward": {
                ScanDims d = (ScanDims) a[0];
                ScanInputs in = (ScanInputs) a[1];
                double sl = (double) d.s() * d.l();
                // u, deltaRaw, z (when gated), out; B, C; the stored chunk states
                return eb * (sl * d.e() * (in.z() == null ? 3 : 4) + 2 * sl * d.n() + ((Tensor) a[3]).size());
            }
            case "scanBackward": {
                ScanDims d = (ScanDims) a[0];
                ScanInputs in = (ScanInputs) a[1];
                double sl = (double) d.s() * d.l();
                // read u, deltaRaw, dout (+ z), B, C, states; write du, dDeltaRaw (+ dz), dB, dC
                int gated = in.z() == null ? 0 : 2;
                return eb * (sl * d.e() * (5 + gated) + 4 * sl * d.n() + ((Tensor) a[2]).size());
            }
            default: {
                double b = 0;
                for (Object o : a) {
                    if (o instanceof Tensor t) b += t.size();
                    else if (o instanceof Tensor[] ts) for (Tensor t : ts) b += t.size();
                    else if (o instanceof List<?> l) for (Object x : l) if (x instanceof Tensor t) b += t.size();
                }
                return eb * b;
            }
        }
    }

    /** Rows by time, largest first. */
    public synchronized List<Row> rows() {
        List<Row> out = new ArrayList<>();
        rows.forEach((k, v) -> out.add(new Row(k, (long) v[0], v[1] / 1e9, v[2], v[3])));
        out.sort(Comparator.comparingDouble(Row::seconds).reversed());
        return out;
    }

    /** What this machine reaches: single-precision GEMM and copy bandwidth, measured through a backend. */
    public record Peaks(double gflopsPerSec, double gbPerSec) {
        /** Flops per byte where a kernel stops being bound by memory. */
        public double ridge() { return gflopsPerSec / gbPerSec; }
    }

    /**
     * Measures {@link Peaks} on a host backend {@code be} (its calls are synchronous): the best of
     * several 1024³ GEMMs, and the best of several copies of a 64 MiB tensor (read + write counted).
     */
    public static Peaks measurePeaks(Backend be) {
        int n = 1024;
        Tensor a = be.zeros(n, n), b = be.zeros(n, n), c = be.zeros(n, n);
        be.fill(a, 0.5);
        be.fill(b, 0.25);
        double bestGemm = Double.MAX_VALUE;
        for (int i = 0; i < 12; i++) {
            long t0 = System.nanoTime();
            be.gemm(false, false, n, n, n, 1, a, 0, b, 0, 0, c, 0);
            bestGemm = Math.min(bestGemm, (System.nanoTime() - t0) / 1e9);
        }
        int m = 16 << 20;
        Tensor x = be.zeros(m), y = be.zeros(m);
        be.fill(x, 1);
        double bestCopy = Double.MAX_VALUE;
        for (int i = 0; i < 12; i++) {
            long t0 = System.nanoTime();
            be.copy(x, y);
            bestCopy = Math.min(bestCopy, (System.nanoTime() - t0) / 1e9);
        }
        return new Peaks(2.0 * n * n * n / bestGemm / 1e9, 2.0 * m * be.elementBytes() / bestCopy / 1e9);
    }

    /**
     * A Markdown roofline table of the recorded calls, per training step ({@code steps} recorded):
     * kernel, calls, ms, share, GFLOP/s, GB/s, flops per byte and the share of the bound that
     * applies (compute above the ridge, bandwidth below). The last {@code top}.. rows are summed.
     */
    public String table(int steps, Peaks peaks, int top) {
        List<Row> rs = rows();
        double total = rs.stream().mapToDouble(Row::seconds).sum();
        StringBuilder sb = new StringBuilder();
        sb.append("| kernel | calls | ms | share | GFLOP/s | GB/s | flop/B | of bound |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        Row rest = new Row("(other kernels)", 0, 0, 0, 0);
        for (int i = 0; i < rs.size(); i++) {
            Row r = rs.get(i);
            if (i >= top) {
                rest = new Row(rest.kernel(), rest.calls() + r.calls(), rest.seconds() + r.seconds(), rest.flops() + r.flops(),
                               rest.bytes() + r.bytes());
                continue;
            }
            line(sb, r, steps, total, peaks);
        }
        if (rest.calls() > 0) line(sb, rest, steps, total, peaks);
        double flops = rs.stream().mapToDouble(Row::flops).sum();
        sb.append(String.format(Locale.ROOT, "| **all** | %d | %.1f | 100 %% | %.1f | %.1f | | %.0f %% of GEMM peak |\n",
                                rs.stream().mapToLong(Row::calls).sum() / steps, 1e3 * total / steps, flops / total / 1e9,
                                rs.stream().mapToDouble(Row::bytes).sum() / total / 1e9,
                                100 * flops / total / 1e9 / peaks.gflopsPerSec()));
        return sb.toString();
    }

    private static void line(StringBuilder sb, Row r, int steps, double total, Peaks p) {
        double intensity = r.bytes() == 0 ? 0 : r.flops() / r.bytes();
        String bound;
        if (r.flops() == 0) bound = String.format(Locale.ROOT, "%.0f %% BW", 100 * r.gbPerSec() / p.gbPerSec());
        else if (intensity >= p.ridge()) bound = String.format(Locale.ROOT, "%.0f %% FLOP", 100 * r.gflopsPerSec() / p.gflopsPerSec());
        else bound = String.format(Locale.ROOT, "%.0f %% BW", 100 * r.gbPerSec() / p.gbPerSec());
        sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f %% | %s | %.1f | %s | %s |\n", r.kernel(),
                                fmtCalls(r.calls(), steps), 1e3 * r.seconds() / steps, 100 * r.seconds() / total,
                                r.flops() == 0 ? "" : String.format(Locale.ROOT, "%.1f", r.gflopsPerSec()), r.gbPerSec(),
                                r.flops() == 0 ? "" : String.format(Locale.ROOT, "%.1f", intensity), bound));
    }

    private static String fmtCalls(long calls, int steps) {
        return calls % steps == 0 ? Long.toString(calls / steps) : String.format(Locale.ROOT, "%.1f", (double) calls / steps);
    }
}
