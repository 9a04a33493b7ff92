package dev.mambamixer.engine.data.vision;

/**
 * Derives independent seeds from (seed, epoch, batch ...) with the SplitMix64 finaliser, so that
 * batch order and augmentation depend only on those numbers: a resumed run repeats them exactly.
 */
final class Seeds {
    private Seeds() {}

    static long mix(long seed, long... parts) {
        long h = mix64(seed ^ 0x6A09E667F3BCC909L);
        for (long p : parts) h = mix64(h + 0x9E3779B97F4A7C15L * (p + 1));
        return h;
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
