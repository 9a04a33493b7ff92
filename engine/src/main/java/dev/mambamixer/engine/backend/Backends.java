package dev.mambamixer.engine.backend;

import java.util.Locale;
import java.util.logging.Logger;

/** Backend choice, made once at model construction (architecture sketch "backend"). */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());

    private Backends() {}

    /**
     * @param name {@code auto} (CUDA when a GPU and driver are present, else CPU), {@code cpu},
     *             {@code cuda} (fails if unavailable) or {@code reference} (float64, slow, for checks)
     */
    public static Backend create(String name) {
        String n = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "cpu" -> new CpuBackend();
            case "reference" -> new ReferenceBackend();
            case "auto" -> tryCuda().orElseGet(() -> {
                LOG.fine("no usable CUDA device; using the CPU backend");
                return new CpuBackend();
            });
            case "cuda" -> tryCuda().orElseThrow(() -> new IllegalStateException(
                "--backend cuda: no usable CUDA device or driver (see the log line above)"));
            default -> throw new IllegalArgumentException("unknown backend '" + name
                                                          + "' (expected auto, cpu, cuda or reference)");
        };
    }

    /** The CUDA backend if its classes, the driver and a device are present. */
    static java.util.Optional<Backend> tryCuda() {
        try {
            Class<?> c = Class.forName("dev.mambamixer.engine.backend.cuda.CudaBackend");
            Object o = c.getMethod("tryCreate").invoke(null);
            @SuppressWarnings("unchecked")
            java.util.Optional<Backend> b = (java.util.Optional<Backend>) o;
            return b;
        } catch (ClassNotFoundException e) {
            return java.util.Optional.empty();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.info("CUDA backend unavailable: " + e);
            return java.util.Optional.empty();
        }
    }

    /** One line saying what a backend is, for logs and run folders. */
    public static String describe(Backend b) {
        if (b instanceof CpuBackend)
            return b.name() + " (BLAS " + CpuBackend.blasImplementation() + ", scan " + CpuBackend.scanKernel()
                   + ", " + dev.mambamixer.engine.backend.cpu.Parallel.threads() + " threads)";
        return b.name();
    }
}
