package dev.mambamixer.engine.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How a series is cut into train/val/test (MODEL.md §6.2, shared data README "Standard splits",
 * after {@code data_provider/data_loader.py} in thuml/Autoformer).
 */
public enum SplitRule {
    /** ETTh1/ETTh2: 12/4/4 months of 30 days of hourly rows: [0,8640), [8640,11520), [11520,14400). */
    ETT_HOURLY,
    /** ETTm1/ETTm2: the same months in 15-minute rows (x4): [0,34560), [34560,46080), [46080,57600). */
    ETT_MINUTE,
    /** All other data ({@code Dataset_Custom}): train = int(N*0.7), test = int(N*0.2), val = the rest. */
    RATIO;

    /**
     * Picks the rule from the file name as the benchmark loaders do: names starting with
     * {@code ETTh} use {@link #ETT_HOURLY}, {@code ETTm} use {@link #ETT_MINUTE} (case-insensitive),
     * everything else {@link #RATIO}.
     */
    public static SplitRule detect(String fileName) {
        String name = Path.of(fileName).getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.startsWith("etth")) return ETT_HOURLY;
        if (name.startsWith("ettm")) return ETT_MINUTE;
        return RATIO;
    }

    public static SplitRule detect(Path file) {
        return detect(file.toString());
    }
}
