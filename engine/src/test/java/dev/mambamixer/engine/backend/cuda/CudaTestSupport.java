package dev.mambamixer.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared state of the CUDA tests: one backend per JVM (so the PTX is JIT-compiled once), the
 * skip-when-absent assumption, and the result lines scripts/gpu-check.sh prints as its table.
 */
final class CudaTestSupport {
    /** System property naming a file that result lines are appended to (set by gpu-check.sh). */
    static final String REPORT_PROPERTY = "mambamixer.gpucheck.report";

    private static Optional<CudaBackend> backend;

    private CudaTestSupport() {}

    /** The shared backend; the calling test is skipped (not failed) when there is no GPU. */
    static synchronized CudaBackend requireGpu() {
        if (backend == null) {
            // Parity tests synchronise after every launch so a device fault names its kernel.
            if (System.getProperty(CudaBackend.SYNC_PROPERTY) == null) System.setProperty(CudaBackend.SYNC_PROPERTY, "true");
            backend = CudaBackend.tryCreate();
            backend.ifPresent(b -> report("device\t" + b.describe()));
        }
        Assumptions.assumeTrue(backend.isPresent(), () -> "no usable CUDA GPU: " + CudaBackend.unavailableReason());
        return backend.get();
    }

    /** Appends one tab-separated line to the gpu-check report (if requested) and stdout. */
    static synchronized void report(String line) {
        System.out.println("[gpu-check] " + line.replace('\t', ' '));
        String file = System.getProperty(REPORT_PROPERTY);
        if (file == null || file.isEmpty()) return;
        try {
            Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot append to " + file + ": " + e);
        }
    }

    /**
     * Max |got - want| / max(max |want|, floor): the error relative to the tensor's scale, so
     * float32 rounding of values near zero does not dominate.
     */
    static double relErr(double[] got, double[] want) {
        if (got.length != want.length) return Double.POSITIVE_INFINITY;
        double scale = 1e-6, diff = 0;
        for (double w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i])); // NaN propagates
        return diff / scale;
    }

    /** Collects checks of one test method so every kernel is reported even when one fails. */
    static final class Checks {
        private final List<String> failures = new ArrayList<>();

        void check(String kernel, double[] got, double[] want, double tol) {
            double err = relErr(got, want);
            boolean pass = err <= tol;   // false for NaN
            report("kernel\t" + kernel + "\t" + String.format("%.3e", err) + "\t" + String.format("%.0e", tol)
                + "\t" + (pass ? "PASS" : "FAIL"));
            if (!pass) failures.add(kernel + ": max rel err " + err + " > " + tol);
        }

        /** Reports an already computed relative error against its tolerance. */
        void checkError(String kernel, double err, double tol) {
            boolean pass = err <= tol;   // false for NaN
            report("kernel\t" + kernel + "\t" + String.format("%.3e", err) + "\t" + String.format("%.0e", tol)
                + "\t" + (pass ? "PASS" : "FAIL"));
            if (!pass) failures.add(kernel + ": max rel err " + err + " > " + tol);
        }

        void check(String kernel, double got, double want, double tol) {
            check(kernel, new double[] {got}, new double[] {want}, tol);
        }

        void assertAll() {
            if (!failures.isEmpty()) fail(String.join("\n", failures));
        }
    }
}
