package dev.mambamixer.engine.train;

import dev.mambamixer.engine.io.ConfigJson;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ConfigSchema;
import dev.mambamixer.engine.io.FiniteTensors;
import dev.mambamixer.engine.io.NamedArray;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Model/trainer <-> {@link Checkpoint} folders. config.json = {"model": Tsm2Config, "training":
 * TrainConfig}; model.safetensors uses the parameter names of the model (e.g.
 * {@code blocks.0.time.mamba.in_proj.weight}); optimizer.safetensors the AdamW moments; state.json
 * the counters a resumed run needs to continue the same loss curve.
 */
public final class TrainingCheckpoints {
    public static final Gson GSON = ConfigJson.GSON;

    private TrainingCheckpoints() {}

    public static JsonObject configJson(Tsm2Config model, TrainConfig training) {
        JsonObject o = new JsonObject();
        o.add("model", GSON.toJsonTree(model));
        if (training != null) o.add("training", GSON.toJsonTree(training));
        return o;
    }

    /** The model config of a config.json, checked field by field ({@link ConfigSchema}) and validated. */
    public static Tsm2Config modelConfig(JsonObject config, String where) {
        Tsm2Config c = ConfigSchema.read(config, "model", Tsm2Config.class, where);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The training config of a config.json, or null when it has none (a model-only checkpoint). */
    public static TrainConfig trainConfig(JsonObject config) {
        return config.has("training") ? trainConfig(config, Checkpoint.CONFIG_FILE) : null;
    }

    /** The training config of a config.json, required, checked field by field and validated. */
    public static TrainConfig trainConfig(JsonObject config, String where) {
        // evalEvery and headStart came after the first saved runs; absent means 0 (validate at epoch ends
        // only) and the head as initialised
        TrainConfig t = ConfigSchema.read(config, "training", TrainConfig.class, where, Set.of("evalEvery", "headStart"));
        if (t.headStart() == null) t = t.withHeadStart(HeadStart.RANDOM);
        try {
            return t.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * The counters of a TSM2 state.json, each checked against the training config: epochs_done in
     * 0..epochs, step >= 0, best_val_mse >= 0 (infinite only before the first validation), best_epoch in
     * -1..epochs_done, best_step in -1..step (absent = -1), bad_epochs in 0..patience; with maxStepsPerEpoch, step <= (epochs_done + 1) * it.
     */
    public record ResumeCounters(int epochsDone, int step, double bestValMse, int bestEpoch, int bestStep, int badEpochs) {
        public static ResumeCounters of(JsonObject state, TrainConfig tc, String where) {
            int epochs = ConfigSchema.intIn(state, "epochs_done", 0, tc.epochs(), where);
            // with capped epochs the step count is bounded too (the epoch in progress at most)
            int maxStep = tc.maxStepsPerEpoch() > 0 ? (int) Math.min(Integer.MAX_VALUE, (long) (epochs + 1) * tc.maxStepsPerEpoch())
                                                    : Integer.MAX_VALUE;
            int step = ConfigSchema.intIn(state, "step", 0, maxStep, where);
            int bestEpoch = ConfigSchema.intIn(state, "best_epoch", -1, epochs, where);
            // infinite only before the first validation (best_epoch -1)
            double best = ConfigSchema.doubleIn(state, "best_val_mse", 0, bestEpoch < 0 ? Double.POSITIVE_INFINITY : Double.MAX_VALUE,
                                                where);
            if (state.has("seed")) ConfigSchema.longField(state, "seed", where);
            int bad = ConfigSchema.intIn(state, "bad_epochs", 0, tc.patience(), where);
            // best_step came after the first saved runs: absent = -1 (unknown)
            int bestStep = state.has("best_step") ? ConfigSchema.intIn(state, "best_step", -1, step, where) : -1;
            return new ResumeCounters(epochs, step, best, bestEpoch, bestStep, bad);
        }
    }

    public static LinkedHashMap<String, NamedArray> weights(Backend be, List<Parameter> params) {
        LinkedHashMap<String, NamedArray> m = new LinkedHashMap<>();
        for (Parameter p : params) m.put(p.name(), new NamedArray(p.shape(), be.toFloats(p.value())));
        return m;
    }

    /** The AdamW moments by parameter name ({@code name.exp_avg}, {@code name.exp_avg_sq}). */
    public static LinkedHashMap<String, NamedArray> moments(Backend be, AdamW opt) {
        LinkedHashMap<String, NamedArray> moments = new LinkedHashMap<>();
        List<Parameter> ps = opt.parameters();
        for (int i = 0; i < ps.size(); i++) {
            Parameter p = ps.get(i);
            moments.put(Checkpoint.expAvgName(p.name()), new NamedArray(p.shape(), be.toFloats(opt.firstMoment(i))));
            moments.put(Checkpoint.expAvgSqName(p.name()), new NamedArray(p.shape(), be.toFloats(opt.secondMoment(i))));
        }
        return moments;
    }

    /** Loads AdamW moments saved by {@link #moments} (names and shapes must match; all mismatches reported). */
    public static void loadMoments(Backend be, AdamW opt, Map<String, NamedArray> saved) {
        List<Parameter> ps = opt.parameters();
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter p : ps) {
            expected.put(Checkpoint.expAvgName(p.name()), p.shape());
            expected.put(Checkpoint.expAvgSqName(p.name()), p.shape());
        }
        Checkpoint.checkCompatible(expected, saved);
        for (Parameter p : ps) {
            String sq = Checkpoint.expAvgSqName(p.name());
            FiniteTensors.requireNonNegative(Checkpoint.OPTIMIZER_FILE, sq, saved.get(sq).data());
        }
        for (int i = 0; i < ps.size(); i++) {
            be.upload(saved.get(Checkpoint.expAvgName(ps.get(i).name())).data(), opt.firstMoment(i));
            be.upload(saved.get(Checkpoint.expAvgSqName(ps.get(i).name())).data(), opt.secondMoment(i));
        }
    }

    /** Loads weights into parameters whose names and shapes must match exactly (all mismatches reported). */
    public static void loadWeights(Backend be, List<Parameter> params, Map<String, NamedArray> weights) {
        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter p : params) expected.put(p.name(), p.shape());
        Checkpoint.checkCompatible(expected, weights);
        for (Parameter p : params) be.upload(weights.get(p.name()).data(), p.value());
    }

    /** Everything needed to resume: weights, AdamW moments and the trainer's counters. */
    public static Checkpoint capture(Tsm2 model, Trainer tr, TrainConfig tc, int epochsDone) {
        Backend be = model.backend();
        LinkedHashMap<String, NamedArray> moments = moments(be, tr.optimizer());
        JsonObject state = new JsonObject();
        state.addProperty("epochs_done", epochsDone);
        state.addProperty("step", tr.step());
        state.addProperty("best_val_mse", tr.bestValMse());
        state.addProperty("best_epoch", tr.bestEpoch());
        state.addProperty("best_step", tr.bestStep());   // test-metrics.json reports it, also after a resume
        state.addProperty("bad_epochs", tr.badEpochs());
        state.addProperty("seed", tc.seed());
        return new Checkpoint(configJson(model.config(), tc), weights(be, model.parameters()), moments, state);
    }

    /** Loads weights into a model whose names and shapes must match exactly (all mismatches reported). */
    public static void loadWeights(Tsm2 model, Map<String, NamedArray> weights) {
        loadWeights(model.backend(), model.parameters(), weights);
    }

    /** A model built from a checkpoint folder's config, with its weights. */
    public static Tsm2 loadModel(Path dir, Backend be) throws IOException { return loadModel(dir, be, 1); }

    /** Same, refusing (before building the model) a config whose weights and forward buffers of {@code batch} do not fit. */
    public static Tsm2 loadModel(Path dir, Backend be, int batch) throws IOException {
        Checkpoint c = Checkpoint.load(dir);
        String where = dir.resolve(Checkpoint.CONFIG_FILE).toString();
        Tsm2Config mc = modelConfig(c.config(), where);
        MemoryEstimate.tsm2Inference(mc, batch).requireFitsOn(be, where);
        Tsm2 model = new Tsm2(be, mc);
        loadWeights(model, c.model());
        return model;
    }

    /** Restores weights, moments and counters from {@code last}, and the best weights from {@code best}. */
    public static void resume(Checkpoint last, Checkpoint best, Tsm2 model, Trainer tr) {
        // counters first: a bad state.json must fail before any weights are overwritten
        ResumeCounters s = ResumeCounters.of(last.state(), tr.config(), Checkpoint.STATE_FILE);
        loadWeights(model, last.model());
        loadMoments(model.backend(), tr.optimizer(), last.optimizer());
        List<float[]> bestWeights = null;
        if (best != null) {
            Map<String, int[]> expected = new LinkedHashMap<>();
            for (Parameter p : model.parameters()) expected.put(p.name(), p.shape());
            Checkpoint.checkCompatible(expected, best.model());
            bestWeights = new ArrayList<>();
            for (Parameter p : model.parameters()) bestWeights.add(best.model().get(p.name()).data());
        }
        tr.resume(s.epochsDone(), s.step(), s.bestValMse(), s.bestEpoch(), s.bestStep(), s.badEpochs(), bestWeights);
    }
}
