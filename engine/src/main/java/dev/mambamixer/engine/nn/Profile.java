package dev.mambamixer.engine.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock time per named model section, summed over calls (for the bench command's per-layer
 * profile). Meaningful for synchronous backends (CPU); device backends would need a sync first.
 */
public final class Profile {
    private final Map<String, long[]> nanos = new LinkedHashMap<>();

    public void add(String section, long ns) {
        nanos.computeIfAbsent(section, k -> new long[1])[0] += ns;
    }

    public Map<String, Double> millis() {
        Map<String, Double> m = new LinkedHashMap<>();
        nanos.forEach((k, v) -> m.put(k, v[0] / 1e6));
        return m;
    }

    public void reset() { nanos.clear(); }
}
