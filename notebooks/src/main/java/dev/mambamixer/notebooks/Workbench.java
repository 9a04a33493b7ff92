package dev.mambamixer.notebooks;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.Backends;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.SplitRule;
import dev.mambamixer.engine.data.SyntheticSeriesGenerator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.ModelCapture;
import dev.mambamixer.engine.introspect.SequenceCapture;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.Evaluation;
import dev.mambamixer.engine.train.Metrics;
import dev.mambamixer.engine.introspect.SelectionProbe;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The notebooks' entry point: data, models, live training, and pictures of what the model selects.
 *
 * <pre>{@code
 * import dev.mambamixer.notebooks.*;
 * Workbench.useDisplay(o -> display(o), (id, o) -> updateDisplay(id, o));   // once, first cell
 * var data  = Workbench.sampleData(96, 24);            // sample-data/synthetic.csv, T=96, H=24
 * var model = Workbench.tsm2(data, 32, 2);              // d_model 32, 2 blocks
 * var run   = Workbench.trainLive(model, data, Workbench.trainConfig(3, 60));  // live loss + gates
 * Workbench.show(Workbench.forecast(model, data, 0));   // a forecast, as a chart
 * }</pre>
 *
 * Every {@code show}/{@code Pictures} result is a {@link Picture}: a {@code BufferedImage} (every
 * Java kernel displays it as PNG) whose {@code toString()} is a text summary.
 */
public final class Workbench {
    private static volatile Display display = Display.console();
    private static volatile long frameMillis = 1000;
    private static Backend backend;

    private Workbench() {}

    // ---- the kernel's display functions ----------------------------------------------------

    /** Tells the helper how to reach the kernel: {@code useDisplay(o -> display(o), (id, o) -> updateDisplay(id, o))}. */
    public static void useDisplay(Function<Object, String> display, BiConsumer<String, Object> updateDisplay) {
        useDisplay(Display.of(display, updateDisplay));
    }

    public static void useDisplay(Display d) {
        display = java.util.Objects.requireNonNull(d, "display");
    }

    public static Display display() { return display; }

    /** Live widgets refresh at most once per {@code ms} milliseconds (default 1000). */
    public static void frameMillis(long ms) {
        if (ms < 0) throw new IllegalArgumentException("frame interval must be >= 0 ms, got " + ms);
        frameMillis = ms;
    }

    // ---- data -------------------------------------------------------------------------------

    /**
     * The project's sample series (7 variates with a known dependency graph, sample-data/README.md),
     * split 70/10/20, standardised on the training rows, windowed with look-back T and horizon H.
     * Reads {@code sample-data/synthetic.csv} when it is found above the working folder, else
     * generates the identical series.
     */
    public static ForecastData sampleData(int lookback, int horizon) {
        Optional<Path> file = findUp(Path.of("sample-data", "synthetic.csv"));
        if (file.isPresent()) return load(file.get(), lookback, horizon);
        var series = SyntheticSeriesGenerator.generate(SyntheticSeriesGenerator.DEFAULT_ROWS,
                                                       SyntheticSeriesGenerator.DEFAULT_SEED);
        return ForecastData.of(series, lookback, horizon, SplitRule.RATIO);
    }

    /** A benchmark-format CSV (date column, then numeric columns) with the standard split for its name. */
    public static ForecastData load(Path csv, int lookback, int horizon) {
        try {
            return ForecastData.load(csv, lookback, horizon);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv + ": " + e.getMessage(), e);
        }
    }

    /**
     * A file of the shared benchmark data, e.g. {@code "ETT-small/ETTh1.csv"}: looks for
     * {@code shared/data/<relative>} in the working folder and every folder above it (the repository
     * is cloned next to {@code shared/}).
     */
    public static Optional<Path> findSharedData(String relative) {
        return findUp(Path.of("shared", "data").resolve(relative));
    }

    static Optional<Path> findUp(Path relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve(relative);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    // ---- models and training ----------------------------------------------------------------

    /** The CPU backend shared by the models built here. */
    public static synchronized Backend backend() {
        if (backend == null) backend = Backends.create("cpu");
        return backend;
    }

    /** TSM2 for the data's shape with the defaults of MODEL.md §9 (I1 patches 16/8, RevIN, N = 16) and the given size. */
    public static Tsm2 tsm2(ForecastData data, int dModel, int layers) {
        return tsm2(Tsm2Config.defaults(data.train().lookback(), data.train().horizon(), data.variates())
                              .withModel(dModel, layers));
    }

    public static Tsm2 tsm2(Tsm2Config cfg) {
        return new Tsm2(backend(), cfg.validate());
    }

    /**
     * A short training run: {@code epochs} epochs of at most {@code stepsPerEpoch} steps (0 = full
     * epochs), batch 32, AdamW lr 1e-3 with 20 warm-up steps and cosine decay, patience 3.
     */
    public static TrainConfig trainConfig(int epochs, int stepsPerEpoch) {
        return new TrainConfig(epochs, 32, 1e-3, 0.01, 1.0, "cosine", 20, 0.01, 3, 42L, stepsPerEpoch, 128);
    }

    /**
     * Trains in this cell and shows one live display (loss curves + current gates), refreshed at
     * most every {@link #frameMillis} ms. Interrupting the cell stops training after the current
     * step, restores the best weights and shows a final frame.
     */
    public static TrainingRun trainLive(Tsm2 model, ForecastData data, TrainConfig cfg) {
        return new LiveTraining(model, data, cfg, "TSM2 training").run(display, frameMillis, Pictures::trainingFrame);
    }

    /** The token-sequence model for a teaching task (d_state 16, conv 4, expand 2). */
    public static SequenceModel sequenceModel(TeachingTask task, int dModel, int layers, boolean channelMixer) {
        return sequenceModel(task, dModel, layers, channelMixer, 4);
    }

    /**
     * As above with the causal conv width K of the Mamba units: with K = 1, Δ at a position is computed
     * from that token alone, so selection shows exactly at the token (with K &gt; 1 it can happen up to
     * K-1 positions later).
     */
    public static SequenceModel sequenceModel(TeachingTask task, int dModel, int layers, boolean channelMixer,
                                              int convWidth) {
        SequenceModelConfig cfg = SequenceModelConfig.defaults(task.vocab(), task.length())
                                                     .withModel(dModel, layers, 16).withChannelMixer(channelMixer)
                                                     .withConv(convWidth);
        return new SequenceModel(backend(), cfg.validate());
    }

    /**
     * A teaching run: {@code steps} steps of batch 32, lr 3e-3 (warm-up 50, cosine), held-out
     * evaluation every {@code evalEvery} steps on 256 examples, stopping early at {@code stopAccuracy}.
     */
    public static TeachConfig teachConfig(int steps, int evalEvery, double stopAccuracy) {
        return new TeachConfig(steps, 32, 3e-3, Math.min(50, steps / 10), 0.05, 0.01, 1.0, 7L, 256, evalEvery,
                               stopAccuracy);
    }

    /** Trains a teaching task in this cell with a live display (loss, accuracy, the token mixers' Δ). */
    public static TeachingRun teachLive(SequenceModel model, TeachingTask task, TeachConfig cfg) {
        return new LiveTeaching(model, task, cfg, "teaching: " + task.name()).run(display, frameMillis,
                                                                                   Pictures::teachingFrame);
    }

    // ---- looking inside -----------------------------------------------------------------------

    /** MSE / MAE over every window of a split (standardised space, no dropout). */
    public static Metrics evaluate(Tsm2 model, WindowDataset split) {
        return Evaluation.run(model, split, 128, null);
    }

    /** The forecast of one test window, in the data's original units. */
    public static ForecastWindow forecast(Tsm2 model, ForecastData data, int testWindow) {
        return Introspector.forecasts(model, data, data.test(), testWindow).get(0);
    }

    /** A capture of every selection decision on validation windows (Δ, B, C, gates, attention, averaging). */
    public static ModelCapture capture(Tsm2 model, ForecastData data, int... valWindows) {
        return Introspector.capture(model, data.val(), valWindows.length == 0 ? new int[] {0} : valWindows, -1);
    }

    /** The weighted-averaging coefficients of a TSM2 (displays as a matrix). */
    public static AveragingMatrix averaging(Tsm2 model) {
        return Introspector.averaging(model);
    }

    /** Which variates drive which, as the trained model uses them (permutation importance on test windows). */
    public static VariateInfluence influence(Tsm2 model, ForecastData data, int windows) {
        return VariateInfluence.measure(model, data.test(), data.columns(), windows);
    }

    /** A capture of a trained teaching model on the first {@code examples} held-out examples (with their marks). */
    public static SequenceCapture capture(TeachingRun run, int examples) {
        return Introspector.capture(run.model(), run.heldOut().subList(0, Math.min(examples, run.heldOut().size())),
                                    run.result() == null ? -1 : run.result().steps());
    }

    /**
     * Where Δ of block {@code block}'s token mixer selects, pooled by role (data, noise, key, ...)
     * over the first {@code examples} held-out examples; {@code profile.ratio("key", "unmarked")}.
     */
    public static SelectionProbe.Profile selectionProfile(TeachingRun run, int block, int examples) {
        return SelectionProbe.delta(run.model(), run.heldOut().subList(0, Math.min(examples, run.heldOut().size())),
                                    block, 64);
    }

    /** An example as two text rows: the tokens, and the role of each marked position. */
    public static String describe(TeachingTask task, SequenceExample ex) {
        StringBuilder tokens = new StringBuilder("tokens: "), roles = new StringBuilder("roles:  ");
        for (int t = 0; t < ex.length(); t++) {
            String tok = task.tokenName(ex.tokens()[t]);
            String role = ex.roleAt(t);
            String r = role == null ? "" : role.substring(0, Math.min(3, role.length()));
            int w = Math.max(tok.length(), r.length()) + 1;
            tokens.append(String.format(Locale.ROOT, "%-" + w + "s", tok));
            roles.append(String.format(Locale.ROOT, "%-" + w + "s", r));
        }
        return tokens.toString().stripTrailing() + "\n" + roles.toString().stripTrailing();
    }

    /** A picture of any object the helper knows (see {@link Pictures#of}); a text picture otherwise. */
    public static Picture show(Object o) {
        return Pictures.of(o);
    }
}
