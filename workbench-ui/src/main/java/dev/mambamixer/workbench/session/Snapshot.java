package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.AveragingMatrix;
import dev.mambamixer.engine.introspect.ForecastWindow;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.Stats;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One look inside the model after optimiser step {@code step}, model-neutral so every selection
 * view works for TSM2 and the teaching model alike.
 *
 * @param mixers       every mixer's capture in stack order (blocks.0.time, blocks.0.variate, ...)
 * @param averaging    weighted-averaging coefficients (target × source)
 * @param examples     the teaching task's probe examples (their marks: positions to remember, triggers); empty for TSM2
 * @param sequenceNames name of each probe item (e.g. "val window 120", "example 0")
 * @param variateNames TSM2 variate names (M); empty for the teaching model
 * @param forecastSplit where the forecast windows come from ("test", "val", "probe"), for their labels
 * @param forecasts    forecast windows (TSM2) for the forecast view; empty for the teaching model
 * @param deltaStats   Δ statistics per "mixer/direction" (e.g. "blocks.0.time/forward")
 * @param probeSeries  TSM2: the probe windows' input (B, T, M) in standardised units, what the token mixers
 *                     select from; empty when not known (teaching, older captures)
 * @param predictions  teaching: the model's predicted token at every position of each example; empty otherwise
 */
public record Snapshot(long step, String model, List<MixerCapture> mixers, AveragingMatrix averaging,
                       List<SequenceExample> examples, List<String> sequenceNames, List<String> variateNames,
                       String forecastSplit, List<ForecastWindow> forecasts, Map<String, Stats> deltaStats,
                       float[] probeSeries, List<int[]> predictions) {

    public Snapshot {
        mixers = List.copyOf(mixers);
        examples = List.copyOf(examples);
        sequenceNames = List.copyOf(sequenceNames);
        variateNames = List.copyOf(variateNames);
        forecasts = List.copyOf(forecasts);
        deltaStats = Collections.unmodifiableMap(new LinkedHashMap<>(deltaStats));
        probeSeries = probeSeries == null ? new float[0] : probeSeries.clone();
        predictions = predictions == null ? List.of() : List.copyOf(predictions);
    }

    /** The same snapshot with the probe windows' input (B, T, M). */
    public Snapshot withProbeSeries(float[] input) {
        return new Snapshot(step, model, mixers, averaging, examples, sequenceNames, variateNames, forecastSplit, forecasts,
                            deltaStats, input, predictions);
    }

    /** The same snapshot with the teaching model's predicted tokens per example. */
    public Snapshot withPredictions(List<int[]> predicted) {
        return new Snapshot(step, model, mixers, averaging, examples, sequenceNames, variateNames, forecastSplit, forecasts,
                            deltaStats, probeSeries, predicted);
    }

    /** Input of probe window {@code b}, variate {@code v} (T values), or null when the snapshot has none. */
    public float[] probeSeries(int b, int v) {
        int m = variateNames.size(), bs = sequenceNames.size();
        if (probeSeries.length == 0 || m == 0 || bs == 0 || probeSeries.length % (bs * m) != 0 || b >= bs || v >= m) return null;
        int t = probeSeries.length / (bs * m);
        float[] out = new float[t];
        for (int i = 0; i < t; i++) out[i] = probeSeries[(b * t + i) * m + v];
        return out;
    }

    /** As {@link #of(long, String, List, AveragingMatrix, List, List, List, String, List)} with test-split forecasts. */
    public static Snapshot of(long step, String model, List<MixerCapture> mixers, AveragingMatrix averaging,
                              List<SequenceExample> examples, List<String> sequenceNames, List<String> variateNames,
                              List<ForecastWindow> forecasts) {
        return of(step, model, mixers, averaging, examples, sequenceNames, variateNames, "test", forecasts);
    }

    /**
     * Builds a snapshot and computes the Δ statistics per (mixer, direction) here, off the FX
     * thread (percentiles sort every Δ value).
     */
    public static Snapshot of(long step, String model, List<MixerCapture> mixers, AveragingMatrix averaging,
                              List<SequenceExample> examples, List<String> sequenceNames, List<String> variateNames,
                              String forecastSplit, List<ForecastWindow> forecasts) {
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (MixerCapture m : mixers)
            for (ScanCapture d : m.directions()) stats.put(m.name() + "/" + d.direction(), d.deltaStats());
        return new Snapshot(step, model, mixers, averaging, examples, sequenceNames, variateNames, forecastSplit, forecasts,
                            stats, null, null);
    }

    /** The mixer with this name. */
    public MixerCapture mixer(String name) {
        for (MixerCapture m : mixers) if (m.name().equals(name)) return m;
        throw new IllegalArgumentException("no mixer " + name);
    }
}
