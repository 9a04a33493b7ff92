package dev.mambamixer.engine.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ConfigSchema;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.VisionEvaluation;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One ViM2 training run, wired once for every front end: {@link VisionTrainer}, run folder
 * (config.json with model, training and data; events.jsonl with "step" and "held_out" events;
 * checkpoints {@code best} at every held-out accuracy improvement and {@code last} after every
 * epoch; test-metrics.json with the kept weights' held-out accuracy, per-class accuracy and
 * confusion matrix) and resume from a folder's {@code last} checkpoint, which continues with the
 * next epoch exactly as the uninterrupted run would have.
 */
public final class VisionRun {
    /** config.json keys. */
    static final String MODEL = "model", TRAINING = "vision_training", DATA = "data";
    /** Canvases of the "cluttered" data kind: training and held out. */
    public static final int CANVAS_TRAIN = 8000, CANVAS_HELD_OUT = 2000;

    /**
     * Where the images came from: dataset kind ("mnist", "digits", "folder", "cluttered"), path, the split used
     * and the class names (index = the model's class id).
     */
    public record DataSource(String kind, String path, String description, List<String> classes) {
        public DataSource { classes = classes == null ? List.of() : List.copyOf(classes); }
    }

    private final Vim2 model;
    private final VisionTrainConfig tc;
    private final DataSource data;
    private final RunFolder folder;
    private final HeldOutRecording recording;
    private final VisionTrainer trainer;

    private VisionRun(Builder b) {
        int classes = b.model.config().classes();
        // fewer names than classes is legal (a one-class folder trains a two-class model); more is not
        if (b.data.classes().size() > classes)
            throw new IllegalArgumentException("config.json: data.classes names " + b.data.classes().size()
                                               + " classes but the model has " + classes);
        this.model = b.model;
        this.tc = b.train.validate();
        this.data = b.data;
        this.folder = b.folder;
        this.recording = new HeldOutRecording(folder, b.listener, this::save);
        this.trainer = new VisionTrainer(model, tc, recording, b.control);
        if (b.resumeFrom != null) resume(b.resumeFrom);
        recording.continueAfter(trainer.step());
    }

    public static Builder builder(Vim2 model, VisionTrainConfig train, DataSource data) { return new Builder(model, train, data); }

    public static JsonObject configJson(Vim2Config model, VisionTrainConfig train, DataSource data) {
        JsonObject o = new JsonObject();
        o.add(MODEL, TrainingCheckpoints.GSON.toJsonTree(model));
        o.add(TRAINING, TrainingCheckpoints.GSON.toJsonTree(train));
        o.add(DATA, TrainingCheckpoints.GSON.toJsonTree(data));
        return o;
    }

    /** Whether a run folder's config.json is a ViM2 run's. */
    public static boolean isVisionConfig(JsonObject config) { return config.has(TRAINING); }

    public static Vim2Config modelConfig(JsonObject config, String where) {
        Vim2Config c = read(config, MODEL, Vim2Config.class, where);
        try {
            return c.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": invalid ViM2 config: " + e.getMessage(), e);
        }
    }

    public static VisionTrainConfig trainConfig(JsonObject config, String where) {
        VisionTrainConfig t = read(config, TRAINING, VisionTrainConfig.class, where);
        try {
            return t.validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    public static DataSource dataSource(JsonObject config, String where) { return read(config, DATA, DataSource.class, where); }

    private static <T extends Record> T read(JsonObject config, String key, Class<T> type, String where) {
        T t = ConfigSchema.read(config, key, type, where);
        return t;
    }

    /**
     * The train/held-out images a data source names (the same split every time): "mnist" (an IDX
     * folder), "digits" (digits.csv(.gz)), "folder" (one sub-folder per class, resized to the
     * model's image size and channels) or "cluttered" (the teaching canvases made from an MNIST
     * folder, canvas side = the model's image height; {@value #CANVAS_TRAIN} / {@value #CANVAS_HELD_OUT}).
     */
    public static VisionDatasets.VisionSplits splits(DataSource ds, int height, int width, int channels) throws IOException {
        Path p = Path.of(ds.path());
        return switch (ds.kind()) {
            case "mnist" -> VisionDatasets.mnist(p);
            case "digits" -> VisionDatasets.digits(p);
            case "folder" -> VisionDatasets.imageFolder(p, height, width, channels, VisionDatasets.TRAIN_FRACTION);
            case "cluttered" -> VisionDatasets.clutteredMnist(p, height, CANVAS_TRAIN, CANVAS_HELD_OUT);
            default -> throw new IllegalArgumentException("unknown image data kind '" + ds.kind()
                                                          + "' (expected mnist, digits, folder or cluttered)");
        };
    }

    public VisionTrainer trainer() { return trainer; }

    public Path folder() { return folder == null ? null : folder.dir(); }

    /** Trains on the calling thread, writes the held-out metrics; the run folder is closed afterwards. */
    public VisionTrainer.Result run(ImageSet train, ImageSet heldOut) {
        return recording.run(() -> {
            VisionTrainer.Result r = trainer.fit(train, heldOut);
            if (folder != null && !r.failed()) folder.writeTestMetrics(testMetrics(r.heldOut(), heldOut));
            recording.finished(r.reason(), r.failed());
            return r;
        });
    }

    /** test-metrics.json: held-out accuracy, loss, per-class accuracy and confusion of the kept weights. */
    public static JsonObject testMetrics(VisionEvaluation ev, ImageSet heldOut) {
        JsonObject o = new JsonObject();
        o.addProperty("held_out_images", ev.count());
        o.addProperty("accuracy", ev.accuracy());
        o.addProperty("loss", ev.loss());
        JsonArray names = new JsonArray(), per = new JsonArray(), conf = new JsonArray();
        for (String n : heldOut.classNames()) names.add(n);
        for (double a : ev.perClassAccuracy()) per.add(a);
        for (int[] row : ev.confusion()) {
            JsonArray r = new JsonArray();
            for (int v : row) r.add(v);
            conf.add(r);
        }
        o.add("classes", names);
        o.add("per_class_accuracy", per);
        o.add("confusion", conf);
        return o;
    }

    private void save(String which) throws IOException {
        JsonObject state = new JsonObject();
        state.addProperty("epochs_done", trainer.epoch());
        state.addProperty("step", trainer.step());
        state.addProperty("best_accuracy", trainer.bestAccuracy());
        state.addProperty("best_epoch", trainer.bestEpoch());
        Checkpoint c = new Checkpoint(configJson(model.config(), tc, data),
                                      TrainingCheckpoints.weights(model.backend(), model.parameters()),
                                      TrainingCheckpoints.moments(model.backend(), trainer.optimizer()), state);
        Checkpoint.save(folder.checkpointDir(which), c);
    }

    private void resume(Checkpoint last) {
        // counters first: a bad state.json must fail before any weights are overwritten
        JsonObject st = last.state();
        String where = Checkpoint.STATE_FILE;
        int epochs = ConfigSchema.intIn(st, "epochs_done", 0, tc.epochs(), where);
        int step = ConfigSchema.intIn(st, "step", 0, Integer.MAX_VALUE, where);
        int bestEpoch = ConfigSchema.intIn(st, "best_epoch", 0, epochs, where);
        double bestAcc = ConfigSchema.doubleIn(st, "best_accuracy", -1, 1, where);
        TrainingCheckpoints.loadWeights(model.backend(), model.parameters(), last.model());
        TrainingCheckpoints.loadMoments(model.backend(), trainer.optimizer(), last.optimizer());
        List<float[]> best = null;
        Path bestDir = folder == null ? null : folder.checkpointDir("best");
        if (bestDir != null && Checkpoint.exists(bestDir)) {
            try {
                Checkpoint b = Checkpoint.load(bestDir);
                best = new ArrayList<>();
                for (var p : model.parameters()) best.add(b.model().get(p.name()).data());
            } catch (IOException | RuntimeException e) {
                best = null;   // the best weights are re-established by the next improvement
            }
        }
        if (best == null) {
            best = new ArrayList<>();
            for (var p : model.parameters()) best.add(model.backend().toFloats(p.value()));
        }
        trainer.resume(epochs, step, bestAcc, bestEpoch, best);
        recording.resumeBest(bestAcc);
    }

    /** Settings of a ViM2 run. */
    public static final class Builder {
        private final Vim2 model;
        private final VisionTrainConfig train;
        private final DataSource data;
        private RunFolder folder;
        private TrainingListener listener = new TrainingListener() {};
        private TrainControl control = new TrainControl();
        private Checkpoint resumeFrom;

        private Builder(Vim2 model, VisionTrainConfig train, DataSource data) {
            this.model = Objects.requireNonNull(model, "model");
            this.train = Objects.requireNonNull(train, "training config");
            this.data = Objects.requireNonNull(data, "data source");
        }

        /** Write config, events and checkpoints here (config.json is written now if absent). */
        public Builder folder(RunFolder f) throws IOException {
            folder = f;
            if (!Files.exists(f.dir().resolve(RunFolder.CONFIG_FILE))) f.writeConfig(configJson(model.config(), train, data));
            return this;
        }

        public Builder listener(TrainingListener l) { listener = Objects.requireNonNull(l); return this; }

        public Builder control(TrainControl c) { control = Objects.requireNonNull(c); return this; }

        /** Continue from a {@code last} checkpoint of this run's folder. */
        public Builder resume(Checkpoint last) { resumeFrom = Objects.requireNonNull(last); return this; }

        public VisionRun build() { return new VisionRun(this); }
    }
}
