package dev.mambamixer.engine.backend.cpu;

import java.util.logging.Logger;

/**
 * The CPU backend's inner loops, scan and element-wise, in one of two paths: the Vector API
 * (jdk.incubator.vector, {@link VectorScanKernel}, {@link VectorElementKernels}) or plain Java
 * ({@link ScalarScanKernel}, {@link ElementKernels#scalar()}). The choice is one flag,
 * {@link #VECTOR}, read once per JVM here and nowhere else: system property
 * {@value #VECTOR_PROPERTY} (default true) and the incubator module being resolved
 * ({@code --add-modules jdk.incubator.vector}).
 */
public record CpuKernels(ScanKernel scan, ElementKernels elements) {

    private static final Logger LOG = Logger.getLogger(CpuKernels.class.getName());

    /** System property: {@code false} selects the scalar kernels. */
    public static final String VECTOR_PROPERTY = "mambamixer.vector";

    private static final CpuKernels VECTOR_KERNELS = loadVector();

    /** Whether the Vector API kernels can run in this JVM (module resolved, classes link). */
    public static final boolean VECTOR_AVAILABLE = VECTOR_KERNELS != null;

    /** The one vector/scalar switch: requested (property) and available. */
    public static final boolean VECTOR =
        VECTOR_AVAILABLE && !"false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY, "true"));

    private static final CpuKernels SCALAR_KERNELS = new CpuKernels(new ScalarScanKernel(), ElementKernels.scalar());

    public CpuKernels {
        java.util.Objects.requireNonNull(scan, "scan kernel");
        java.util.Objects.requireNonNull(elements, "element kernels");
    }

    /** The kernels {@link #VECTOR} selects (what a default CpuBackend uses). */
    public static CpuKernels defaults() { return VECTOR ? VECTOR_KERNELS : SCALAR_KERNELS; }

    /** The plain-Java kernels. */
    public static CpuKernels scalar() { return SCALAR_KERNELS; }

    /** The Vector API kernels; throws when {@link #VECTOR_AVAILABLE} is false. */
    public static CpuKernels vector() {
        if (VECTOR_KERNELS == null)
            throw new IllegalStateException("Vector API kernels unavailable (run with --add-modules jdk.incubator.vector)");
        return VECTOR_KERNELS;
    }

    private static CpuKernels loadVector() {
        // The incubator module must be resolved before the vector classes may be touched;
        // otherwise they fail to link. They are loaded by name so this class links without them.
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            ScanKernel scan = (ScanKernel) Class.forName("dev.mambamixer.engine.backend.cpu.VectorScanKernel")
                .getDeclaredConstructor().newInstance();
            ElementKernels elements = (ElementKernels) Class.forName("dev.mambamixer.engine.backend.cpu.VectorElementKernels")
                .getDeclaredConstructor().newInstance();
            return new CpuKernels(scan, elements);
        } catch (ReflectiveOperationException | LinkageError ex) {
            LOG.warning("Vector API kernels unavailable, using scalar: " + ex);
            return null;
        }
    }
}
