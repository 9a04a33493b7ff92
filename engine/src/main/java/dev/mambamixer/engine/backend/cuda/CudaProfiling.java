package dev.mambamixer.engine.backend.cuda;

import dev.mambamixer.engine.backend.Backend;

/**
 * Backend-independent access to the CUDA per-kernel profile, for callers that hold a plain
 * {@link Backend} (the {@code bench} command): empty results for any other backend or when
 * {@code -Dmambamixer.cuda.profile=true} is not set.
 */
public final class CudaProfiling {
    private CudaProfiling() {}

    /** The profile table recorded since the last reset, then resets it; "" when not profiling. */
    public static String reportAndReset(Backend be) {
        if (!(be instanceof CudaBackend c) || !c.profiling()) return "";
        String r = c.profileReport();
        c.profileReset();
        return r;
    }
}
