package dev.mambamixer.engine.train;

import java.util.Locale;

/** Learning-rate schedule: linear warm-up, then constant or cosine decay to minRatio·base. */
public record LrSchedule(String kind, double base, int warmupSteps, int totalSteps, double minRatio) {
    public LrSchedule {
        String k = kind.toLowerCase(Locale.ROOT);
        if (!k.equals("constant") && !k.equals("cosine"))
            throw new IllegalArgumentException("schedule: unknown value '" + kind + "' (expected constant or cosine)");
        if (!(base > 0)) throw new IllegalArgumentException("lr: must be positive, got " + base);
        if (warmupSteps < 0) throw new IllegalArgumentException("warmup: must be >= 0, got " + warmupSteps);
    }

    /** lr for a 0-based step. */
    public double at(int step) {
        if (step < warmupSteps) return base * (step + 1) / warmupSteps;
        if (kind.equalsIgnoreCase("constant")) return base;
        int span = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / span);
        return base * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
