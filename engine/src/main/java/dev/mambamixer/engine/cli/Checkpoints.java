package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Resolution of checkpoint/run folders and splits for eval and forecast. */
final class Checkpoints {
    private Checkpoints() {}

    /** A checkpoint folder, or a run folder's best (else last) checkpoint: {@link RunFolder#findCheckpoint}. */
    static Path resolve(Path p) throws IOException {
        return RunFolder.findCheckpoint(p);
    }

    /** "auto" (null: from the file name) or a SplitRule by name, any case; an unknown name lists the values. */
    static SplitRule splitRule(String option, String rule) {
        if (rule == null || rule.trim().equalsIgnoreCase("auto")) return null;
        for (SplitRule r : SplitRule.values()) if (r.name().equalsIgnoreCase(rule.trim().replace('-', '_'))) return r;
        StringBuilder allowed = new StringBuilder("auto");
        for (SplitRule r : SplitRule.values()) allowed.append(", ").append(r.name().toLowerCase(Locale.ROOT));
        throw new IllegalArgumentException(option + ": unknown split rule '" + rule + "' (expected " + allowed + ")");
    }

    static ForecastData loadData(Path data, String rule, Tsm2Config cfg) throws IOException {
        return loadData(data, rule, cfg, false);
    }

    static ForecastData loadData(Path data, String rule, Tsm2Config cfg, boolean allowExtremeValues) throws IOException {
        SplitRule r = splitRule("--split-rule", rule);
        ForecastData fd = ForecastData.load(data, cfg.seqLen(), cfg.horizon(), r, allowExtremeValues);
        if (fd.variates() != cfg.variates())
            throw new IllegalArgumentException(data + " has " + fd.variates() + " variates but the checkpoint's model expects "
                                               + cfg.variates());
        return fd;
    }

    static WindowDataset split(ForecastData fd, String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "train" -> fd.train();
            case "val" -> fd.val();
            case "test" -> fd.test();
            default -> throw new IllegalArgumentException("--split: unknown split '" + name + "' (expected train, val or test)");
        };
    }
}
