package dev.mambamixer.engine.run;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ConfigSchema;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.train.SequenceTrainer;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One teaching-task run (the sequence model on selective copying or induction heads), wired once
 * for every front end: trainer, run folder (config.json with model, teaching config and task;
 * events.jsonl with "step" (loss and token accuracy) and "held_out" events; checkpoints {@code best} at every held-out
 * accuracy improvement and {@code last} at every held-out evaluation and at the end) and resume
 * from a run folder's {@code last} checkpoint, which continues the exact steps of the
 * uninterrupted run (the batch stream is replayed to that step).
 */
public final class TeachingRun {
    /** config.json keys. */
    static final String MODEL = "model", TEACHING = "teaching", TASK = "task";

    private final SequenceModel model;
    private final TeachingTask task;
    private final TeachConfig tc;
    private final RunFolder folder;
    private final TrainControl control;
    private final HeldOutRecording recording;
    private final SequenceTrainer trainer;

    private TeachingRun(Builder b) {
        this.model = b.model;
        this.task = b.task;
        this.tc = b.train.validate();
        this.folder = b.folder;
        this.control = b.control;
        this.recording = new HeldOutRecording(folder, b.listener, this::save);
        this.trainer = new SequenceTrainer(model, task, tc, recording, control);
        if (b.resumeFrom != null) resume(b.resumeFrom);
        recording.continueAfter(trainer.step());
    }

    public static Builder builder(SequenceModel model, TeachingTask task, TeachConfig train) {
        return new Builder(model, task, train);
    }

    /** config.json of a teaching run: model config, teaching config, task (name, L, V, copied tokens). */
    public static JsonObject configJson(SequenceModelConfig model, TeachConfig train, TeachingTask task) {
        JsonObject o = new JsonObject();
        o.add(MODEL, TrainingCheckpoints.GSON.toJsonTree(model));
        o.add(TEACHING, TrainingCheckpoints.GSON.toJsonTree(train));
        JsonObject t = new JsonObject();
        t.addProperty("name", task.name());
        t.addProperty("length", task.length());
        t.addProperty("vocab", task.vocab());
        t.addProperty("copy_tokens", task instanceof SelectiveCopying sc ? sc.tokensToCopy() : 0);
        o.add(TASK, t);
        return o;
    }

    /** The model config of a teaching run folder's config.json, checked field by field and validated. */
    public static SequenceModelConfig modelConfig(JsonObject config, String where) {
        SequenceModelConfig c = ConfigSchema.read(config, MODEL, SequenceModelConfig.class, where);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public static TeachConfig teachConfig(JsonObject config, String where) {
        TeachConfig t = ConfigSchema.read(config, TEACHING, TeachConfig.class, where);
        try {
            return t.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** The task of a config.json: {"name", "length", "vocab", "copy_tokens"}. */
    public static TeachingTask task(JsonObject config, String where) {
        JsonElement e = config.get(TASK);
        if (e == null || !e.isJsonObject())
            throw new IllegalArgumentException(where + ": \"" + TASK + "\" expected a JSON object, found " + (e == null ? "nothing (missing)" : e));
        JsonObject t = e.getAsJsonObject();
        JsonElement name = t.get("name");
        if (name == null || !name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString())
            throw new IllegalArgumentException(where + ": task.name expected a string, found " + (name == null ? "nothing (missing)" : name));
        try {
            return TeachingTask.create(name.getAsString(), ConfigSchema.intIn(t, "length", 1, Integer.MAX_VALUE, where + " task"),
                                       ConfigSchema.intIn(t, "vocab", 1, Integer.MAX_VALUE, where + " task"),
                                       ConfigSchema.intIn(t, "copy_tokens", 0, Integer.MAX_VALUE, where + " task"));
        } catch (IllegalArgumentException ex) {
            throw ex.getMessage().startsWith(where) ? ex : new IllegalArgumentException(where + ": task: " + ex.getMessage(), ex);
        }
    }

    public SequenceTrainer trainer() { return trainer; }

    public Path folder() { return folder == null ? null : folder.dir(); }

    /** Trains on the calling thread; the run folder is closed afterwards. */
    public SequenceTrainer.Result run() {
        return recording.run(() -> {
            SequenceTrainer.Result r = trainer.run();
            recording.saveLast();
            if (folder != null && r.heldOut() != null) folder.writeTestMetrics(testMetrics(r));
            recording.finished((r.stoppedEarly() ? "stopped" : "completed") + " after " + r.steps() + " steps", false);
            return r;
        });
    }

    /** test-metrics.json of a teaching run: the final held-out evaluation (token accuracy, exact-match rate, loss). */
    static JsonObject testMetrics(SequenceTrainer.Result r) {
        JsonObject o = new JsonObject();
        o.addProperty("held_out_token_accuracy", r.heldOut().accuracy());
        o.addProperty("held_out_exact_match", r.heldOut().sequenceAccuracy());
        o.addProperty("held_out_loss", r.heldOut().loss());
        o.addProperty("held_out_targets", r.heldOut().targets());
        o.addProperty("held_out_examples", r.heldOut().examples());
        o.addProperty("steps", r.steps());
        o.addProperty("train_wall_s", r.seconds());
        return o;
    }

    private void save(String which) throws IOException {
        JsonObject state = new JsonObject();
        state.addProperty("step", trainer.step());
        state.addProperty("best_accuracy", recording.bestAccuracy());
        state.addProperty("seed", tc.seed());
        Checkpoint c = new Checkpoint(configJson(model.config(), tc, task),
                                      TrainingCheckpoints.weights(model.backend(), model.parameters()),
                                      TrainingCheckpoints.moments(model.backend(), trainer.optimizer()), state);
        Checkpoint.save(folder.checkpointDir(which), c);
    }

    private void resume(Checkpoint last) {
        // counters first: a bad state.json must fail before any weights are overwritten
        int step = ConfigSchema.intIn(last.state(), "step", 0, tc.steps(), Checkpoint.STATE_FILE);
        double best = ConfigSchema.doubleIn(last.state(), "best_accuracy", Double.NEGATIVE_INFINITY, 1, Checkpoint.STATE_FILE);
        if (last.state().has("seed")) ConfigSchema.longField(last.state(), "seed", Checkpoint.STATE_FILE);
        TrainingCheckpoints.loadWeights(model.backend(), model.parameters(), last.model());
        TrainingCheckpoints.loadMoments(model.backend(), trainer.optimizer(), last.optimizer());
        recording.resumeBest(best);
        trainer.resumeAfter(step);
    }

    /** Settings of a teaching run. */
    public static final class Builder {
        private final SequenceModel model;
        private final TeachingTask task;
        private final TeachConfig train;
        private RunFolder folder;
        private TrainingListener listener = new TrainingListener() {};
        private TrainControl control = new TrainControl();
        private Checkpoint resumeFrom;

        private Builder(SequenceModel model, TeachingTask task, TeachConfig train) {
            this.model = Objects.requireNonNull(model, "model");
            this.task = Objects.requireNonNull(task, "task");
            this.train = Objects.requireNonNull(train, "teaching config");
        }

        /** Write config, events and checkpoints here (config.json is written now if absent). */
        public Builder folder(RunFolder f) throws IOException {
            folder = f;
            if (!Files.exists(f.dir().resolve(RunFolder.CONFIG_FILE))) f.writeConfig(configJson(model.config(), train, task));
            return this;
        }

        public Builder listener(TrainingListener l) { listener = Objects.requireNonNull(l); return this; }

        public Builder control(TrainControl c) { control = Objects.requireNonNull(c); return this; }

        /** Continue from a {@code last} checkpoint of this run's folder. */
        public Builder resume(Checkpoint last) { resumeFrom = Objects.requireNonNull(last); return this; }

        public TeachingRun build() { return new TeachingRun(this); }
    }
}
