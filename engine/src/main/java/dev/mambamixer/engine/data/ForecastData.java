package dev.mambamixer.engine.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole data protocol of MODEL.md §6.2 in one call: read the CSV, cut train/val/test with the
 * benchmark rule, fit a {@link StandardScaler} on the train rows only, scale every row, and window
 * each split with look-back T and horizon H.
 *
 * @param raw     the series as read (unscaled)
 * @param splits  the row ranges used
 * @param scaler  fitted on {@code splits.train()} rows
 * @param train   scaled train windows
 * @param val     scaled val windows (their look-back reaches T rows into train)
 * @param test    scaled test windows (their look-back reaches T rows into val)
 */
public record ForecastData(Series raw, Splits splits, StandardScaler scaler,
                           WindowDataset train, WindowDataset val, WindowDataset test) {

    /** Loads with the split rule detected from the file name ({@link SplitRule#detect(Path)}). */
    public static ForecastData load(Path path, int lookback, int horizon) throws IOException {
        return load(path, lookback, horizon, null);
    }

    /** Loads with an explicit split rule; {@code null} means detect from the file name. */
    public static ForecastData load(Path path, int lookback, int horizon, SplitRule rule) throws IOException {
        return load(path, lookback, horizon, rule, false);
    }

    /**
     * As {@link #load(Path, int, int, SplitRule)}; {@code allowExtremeValues} accepts cells beyond
     * {@link CsvSeriesReader#MAX_ABS_VALUE} (still finite).
     */
    public static ForecastData load(Path path, int lookback, int horizon, SplitRule rule, boolean allowExtremeValues)
            throws IOException {
        Series s = CsvSeriesReader.read(path, allowExtremeValues);
        return of(s, lookback, horizon, rule != null ? rule : SplitRule.detect(path));
    }

    /** Builds the datasets from an already-read series. */
    public static ForecastData of(Series s, int lookback, int horizon, SplitRule rule) {
        Splits splits;
        try {
            splits = Splits.compute(s.rows(), lookback, rule);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(s.source() + ": " + e.getMessage(), e);
        }
        StandardScaler scaler = StandardScaler.fit(s, splits.train().start(), splits.train().end());
        Series scaled = s.withValues(scaler.transform(s.values()));
        return new ForecastData(s, splits, scaler,
                WindowDataset.of(scaled, splits.train(), lookback, horizon),
                WindowDataset.of(scaled, splits.val(), lookback, horizon),
                WindowDataset.of(scaled, splits.test(), lookback, horizon));
    }

    /** Variate names in file order (M of them; the last is usually the target OT). */
    public List<String> columns() { return raw.columns(); }

    public int variates() { return raw.cols(); }

    /** One line for logs: file, rule, row ranges and window counts per split. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(raw.source()).append(": ").append(raw.rows()).append(" rows x ").append(raw.cols())
                .append(" variates, rule ").append(splits.rule())
                .append(", T=").append(train.lookback()).append(", H=").append(train.horizon());
        for (WindowDataset w : new WindowDataset[] {train, val, test}) {
            Splits.Range r = w.split().equals("train") ? splits.train() : w.split().equals("val") ? splits.val() : splits.test();
            sb.append("; ").append(w.split()).append(" rows [").append(r.start()).append(", ").append(r.end())
                    .append(") -> ").append(w.size()).append(" windows");
        }
        return sb.toString();
    }
}
