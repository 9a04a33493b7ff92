package dev.mambamixer.engine.backend.cpu;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.logging.Logger;

/**
 * Sets the native BLAS to one thread, so that {@link Gemm} can split GEMMs over the engine's own
 * workers without two thread pools fighting for the cores. netlib's JNI binding loads the system
 * libblas.so.3; asking the dynamic loader for that library again gives the same loaded copy, and
 * OpenBLAS exports {@code openblas_set_num_threads}. Any other BLAS (or none found) leaves things
 * as they are and GEMMs are not split. {@code -Dmambamixer.blas.split=false} turns it off.
 */
final class BlasThreads {
    private static final Logger LOG = Logger.getLogger(BlasThreads.class.getName());
    private static final String[] NAMES = {"blas", "libblas.so.3", "openblas", "libopenblas.so.0"};

    private BlasThreads() {}

    /** Whether the BLAS now runs one thread per call (tried once per process, after the BLAS is loaded). */
    static boolean singleThreaded() {
        if (!Boolean.parseBoolean(System.getProperty("mambamixer.blas.split", "true"))) return false;
        if (!Gemm.implementation().equals("JNIBLAS")) return false;   // a Java BLAS: no native threads
        for (String name : NAMES) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(name);
                Function set = lib.getFunction("openblas_set_num_threads");
                set.invokeVoid(new Object[] {1});
                int now = lib.getFunction("openblas_get_num_threads").invokeInt(new Object[0]);
                if (now == 1) return true;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // not this name, or not OpenBLAS
            }
        }
        LOG.fine("BLAS threads: no OpenBLAS found to set to one thread; GEMMs are not split");
        return false;
    }
}
