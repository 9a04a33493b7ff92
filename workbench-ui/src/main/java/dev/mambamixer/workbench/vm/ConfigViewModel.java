package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.model.Tsm2Defaults;
import dev.mambamixer.engine.data.teaching.InductionHeads;
import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.HeadStart;
import dev.mambamixer.engine.io.ConfigJson;
import dev.mambamixer.workbench.session.RunSettings;
import dev.mambamixer.workbench.session.RunSettings.ModelKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The left panel's state: dataset, model family, every configuration field (with validation and
 * tooltips), presets, and the hot/cold rule: a hot field (learning rate) is pushed to the running
 * model at once; a cold (structural) field changed while a model exists marks
 * {@link #coldChangePendingProperty()} so the view can ask to reset.
 */
public final class ConfigViewModel {

    /** A data source: the embedded sample CSV, a user CSV, or a teaching task (which implies the teaching model). */
    public record DataChoice(Kind kind, String label, Path path) {
        public enum Kind { SAMPLE, CSV, SELECTIVE_COPY, INDUCTION, MNIST, DIGITS, CLUTTERED }

        public ModelKind model() {
            return switch (kind) {
                case SAMPLE, CSV -> ModelKind.TSM2;
                case SELECTIVE_COPY, INDUCTION -> ModelKind.TEACHING;
                case MNIST, DIGITS, CLUTTERED -> ModelKind.VISION;
            };
        }

        /** The image data kind of {@code VisionRun.splits} (mnist, digits, cluttered), or null. */
        public String visionKind() {
            return switch (kind) {
                case MNIST -> "mnist";
                case DIGITS -> "digits";
                case CLUTTERED -> "cluttered";
                default -> null;
            };
        }

        public String task() {
            return switch (kind) {
                case SELECTIVE_COPY -> SelectiveCopying.NAME;
                case INDUCTION -> InductionHeads.NAME;
                default -> null;
            };
        }

        @Override public String toString() { return label; }
    }

    /** Named field values for one model family. */
    public record Preset(String name, ModelKind model, String description, Map<String, String> values) {
        @Override public String toString() { return name; }
    }

    private final ObservableList<DataChoice> dataChoices = FXCollections.observableArrayList();
    private final ObjectProperty<DataChoice> data = new SimpleObjectProperty<>(this, "data");
    private final ReadOnlyObjectWrapper<ModelKind> model = new ReadOnlyObjectWrapper<>(this, "model", ModelKind.TSM2);
    private final Map<String, Field> tsm2 = new LinkedHashMap<>(), teaching = new LinkedHashMap<>(),
            vision = new LinkedHashMap<>();
    private final ObservableList<Field> visibleFields = FXCollections.observableArrayList();
    private final ObservableList<String> errors = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper valid = new ReadOnlyBooleanWrapper(this, "valid", true);
    private final BooleanProperty modelExists = new SimpleBooleanProperty(this, "modelExists");
    private final ObservableList<String> pendingCold = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper coldChangePending = new ReadOnlyBooleanWrapper(this, "coldChangePending");
    private final List<Preset> presets = new ArrayList<>();
    private final String backend;
    private BiConsumer<String, Double> hotApplier = (k, v) -> {};

    public ConfigViewModel(Path sampleData) { this(sampleData, "auto"); }

    public ConfigViewModel(Path sampleData, String backend) { this(sampleData, backend, defaultImageData(sampleData)); }

    /**
     * @param imageData the shared data folder with {@code mnist/} (IDX files) and
     *                  {@code digits/digits.csv.gz}, for the ViM2 choices
     */
    public ConfigViewModel(Path sampleData, String backend, Path imageData) {
        this.backend = backend;
        dataChoices.add(new DataChoice(DataChoice.Kind.SAMPLE, "Sample data (synthetic.csv, 7 variates)", sampleData));
        dataChoices.add(new DataChoice(DataChoice.Kind.SELECTIVE_COPY, "Teaching task: selective copying", null));
        dataChoices.add(new DataChoice(DataChoice.Kind.INDUCTION, "Teaching task: induction heads", null));
        dataChoices.add(new DataChoice(DataChoice.Kind.MNIST, "MNIST (ViM2)", imageData.resolve("mnist")));
        dataChoices.add(new DataChoice(DataChoice.Kind.DIGITS, "digits (ViM2)", imageData.resolve("digits").resolve("digits.csv.gz")));
        dataChoices.add(new DataChoice(DataChoice.Kind.CLUTTERED, "cluttered canvas (ViM2)", imageData.resolve("mnist")));
        buildTsm2Fields();
        buildTeachingFields();
        buildVisionFields();
        buildPresets();
        for (Field f : allFields()) {
            f.textProperty().addListener((o, a, b) -> onFieldChanged(f));
        }
        data.addListener((o, a, b) -> {
            if (b != null) model.set(b.model());
            refreshVisible();
            if (a != null && b != null && modelExists.get() && !a.equals(b)) markCold("dataset");
            revalidate();
        });
        modelExists.addListener((o, a, b) -> { if (!b) pendingCold.clear(); });
        coldChangePending.bind(Bindings.isNotEmpty(pendingCold));
        data.set(dataChoices.get(0));
        revalidate();
    }

    // ------------------------------------------------------------------ fields

    private void buildTsm2Fields() {
        put(tsm2, Field.integer("seqLen", "Look-back T", "Input window length in time steps (the paper uses 512)", 8, 8192, Tsm2Defaults.SEQ_LEN));
        put(tsm2, Field.integer("horizon", "Horizon H", "Steps to forecast (paper: 96, 192, 336, 720)", 1, 2048, Tsm2Defaults.HORIZON));
        put(tsm2, Field.choice("design", "Design", "I1: patch tokens (docs/MODEL.md §9 A2 default); I2: raw time, BiMamba over variates",
                               List.of("I1", "I2"), "I1"));
        put(tsm2, Field.integer("patchLen", "Patch length P", "Time steps per patch token (I1)", 1, 1024, Tsm2Defaults.PATCH_LEN));
        put(tsm2, Field.integer("patchStride", "Patch stride S", "Step between patch starts (I1)", 1, 1024, Tsm2Defaults.PATCH_STRIDE));
        put(tsm2, Field.integer("dModel", "d_model", "Model width D (paper grid: 16-128)", 1, 1024, Tsm2Defaults.D_MODEL));
        put(tsm2, Field.integer("layers", "Layers", "MambaMixer blocks (each: token + channel mixer)", 1, 16, Tsm2Defaults.LAYERS));
        put(tsm2, Field.integer("dState", "d_state N", "SSM state size per channel (Mamba default 16)", 1, 256, Tsm2Defaults.D_STATE));
        put(tsm2, Field.integer("dConv", "Conv width K", "Causal depth-wise convolution width", 1, 16, Tsm2Defaults.D_CONV));
        put(tsm2, Field.integer("expand", "Expand", "Inner width E = expand * d_model", 1, 8, Tsm2Defaults.EXPAND));
        put(tsm2, Field.decimal("dropout", "Dropout", "Dropout probability in [0, 1)", 0, 0.95, Tsm2Defaults.DROPOUT, false));
        put(tsm2, Field.choice("averaging", "Averaging init", "Weighted-averaging initialisation / normalisation (docs/MODEL.md §9 A6)",
                               List.of("identity", "uniform", "softmax"), "identity"));
        put(tsm2, Field.bool("timeBidirectional", "Bidirectional time mixer", "docs/MODEL.md §9 A1 (paper: unidirectional)", false));
        put(tsm2, Field.bool("revin", "RevIN", "Reversible instance normalisation of each window (docs/MODEL.md §9 A4)", true));
        put(tsm2, Field.integer("epochs", "Epochs", "Maximum epochs (early stopping on val MSE)", 1, 10_000, Tsm2Defaults.EPOCHS));
        put(tsm2, Field.integer("batch", "Batch size", "Windows per optimiser step", 1, 4096, Tsm2Defaults.BATCH));
        put(tsm2, Field.decimal("lr", "Learning rate", "Peak learning rate; HOT: a change applies to the running "
                                                       + "schedule at once (warm-up/cosine shape kept)", 1e-6, 1, Tsm2Defaults.LR, true));
        put(tsm2, Field.decimal("weightDecay", "Weight decay", "AdamW decoupled weight decay", 0, 1, Tsm2Defaults.WEIGHT_DECAY, false));
        put(tsm2, Field.decimal("clip", "Gradient clip", "Global gradient-norm clip; 0 = off", 0, 1000, Tsm2Defaults.CLIP, false));
        put(tsm2, Field.integer("warmup", "Warm-up steps", "Linear warm-up before the cosine decay", 0, 1_000_000, Tsm2Defaults.WARMUP));
        put(tsm2, Field.integer("patience", "Patience", "Validations without improvement before early stop", 1, 1000, Tsm2Defaults.PATIENCE));
        put(tsm2, Field.integer("evalEvery", "Validate every", "Also validate every n steps; 0 = at epoch ends only", 0,
                                1_000_000, 50));
        put(tsm2, Field.choice("headStart", "Head start", "random: as initialised; least-squares: mixers silenced and the head "
                                                         + "fitted to the training windows in closed form before the first step "
                                                         + "(docs/MODEL.md §6.5)",
                               java.util.Arrays.stream(HeadStart.values()).map(HeadStart::toString).toList(),
                               HeadStart.RANDOM.toString()));
        put(tsm2, Field.integer("seed", "Seed", "Seed for initialisation, shuffling and dropout", 0, Integer.MAX_VALUE, (int) Tsm2Defaults.SEED));
        put(tsm2, Field.integer("snapshotEvery", "Snapshot every", "Capture what the model selects every n steps "
                                                                   + "(on the training thread, between steps)", 1, 1_000_000, 25));
    }

    private void buildTeachingFields() {
        put(teaching, Field.integer("length", "Sequence length L", "Tokens per example", 8, 1024, 32));
        put(teaching, Field.integer("vocab", "Vocabulary V", "Token ids incl. special tokens", 4, 256, 12));
        put(teaching, Field.integer("copyTokens", "Tokens to copy K", "Selective copying: data tokens to remember", 1, 64, 4));
        put(teaching, Field.integer("dModel", "d_model", "Model width D", 1, 1024, 16));
        put(teaching, Field.integer("layers", "Layers", "Blocks (token mixer + optional channel mixer)", 1, 16, 2));
        put(teaching, Field.integer("dState", "d_state N", "SSM state size per channel", 1, 256, 8));
        put(teaching, Field.integer("dConv", "Conv width K", "Causal convolution width of the Mamba units", 1, 16, 4));
        put(teaching, Field.bool("channelMixer", "Channel mixer", "Selective channel mixer after each token mixer "
                                                                  + "(off: plain Mamba stack, an ablation)", true));
        put(teaching, Field.integer("steps", "Steps", "Optimiser steps (fresh batches every step)", 1, 10_000_000, 1500));
        put(teaching, Field.integer("batch", "Batch size", "Examples per step", 1, 4096, 32));
        put(teaching, Field.decimal("lr", "Learning rate", "Peak learning rate; HOT: applies to the running schedule "
                                                           + "at once", 1e-6, 1, 3e-3, true));
        put(teaching, Field.integer("warmup", "Warm-up steps", "Linear warm-up before the cosine decay", 0, 1_000_000, 100));
        put(teaching, Field.integer("evalEvery", "Evaluate every", "Held-out evaluation interval in steps", 1, 1_000_000, 100));
        put(teaching, Field.integer("evalExamples", "Held-out examples", "Size of the held-out set", 1, 100_000, 256));
        put(teaching, Field.integer("seed", "Seed", "Seed for initialisation and the example streams", 0, Integer.MAX_VALUE, 7));
        put(teaching, Field.integer("snapshotEvery", "Snapshot every", "Capture the mixers every n steps", 1, 1_000_000, 25));
    }

    private void buildVisionFields() {
        VisionTrainConfig d = VisionTrainConfig.defaults(1);
        put(vision, Field.integer("epochs", "Epochs", "Passes over the training images (held-out accuracy, a capture and "
                                                      + "a checkpoint after each)", 1, 10_000, 1));
        put(vision, Field.integer("batch", "Batch size", "Images per optimiser step", 1, 4096, d.batch()));
        put(vision, Field.decimal("lr", "Learning rate", "Peak learning rate (AdamW, warm-up then cosine); HOT: applies to "
                                                          + "the running schedule at once", 1e-6, 1, d.lr(), true));
        put(vision, Field.choice("channelMixer", "Channel mixer", "MODEL.md §7.4 A11: per-token-lift (V-B, default: each "
                                                                  + "token's channels as a sequence), tokens (V-A), none "
                                                                  + "(SS2D token mixers only)",
                                 List.of("per-token-lift", "tokens", "none"), "per-token-lift"));
        put(vision, Field.integer("seed", "Seed", "Seed for initialisation, shuffling and shifts", 0, Integer.MAX_VALUE,
                                  (int) d.seed()));
        put(vision, Field.integer("probeImages", "Probe images", "Held-out images captured after every epoch for the "
                                                                 + "Vision view", 1, 32, 8));
    }

    /** The shared data folder: system property {@code workbench.images}, else {@code ../shared/data} beside the repository. */
    public static Path defaultImageData(Path sampleData) {
        String p = System.getProperty("workbench.images");
        if (p != null) return Path.of(p).toAbsolutePath();
        Path abs = sampleData.toAbsolutePath();
        Path repo = abs.getParent() != null && abs.getParent().getParent() != null ? abs.getParent().getParent() : abs;
        return repo.resolve("..").resolve("shared").resolve("data").normalize();
    }

    private static void put(Map<String, Field> m, Field f) { m.put(f.key(), f); }

    private void buildPresets() {
        presets.add(new Preset("Quick look (CPU, about a minute)", ModelKind.TSM2,
                               "T 96, H 24, d_model 16, 2 layers, batch 16: progress within seconds on 2 cores",
                               Map.ofEntries(Map.entry("seqLen", "96"), Map.entry("horizon", "24"), Map.entry("dModel", "16"),
                                             Map.entry("layers", "2"), Map.entry("dState", "16"), Map.entry("batch", "16"),
                                             Map.entry("lr", "0.001"), Map.entry("epochs", "3"), Map.entry("dropout", "0.1"),
                                             Map.entry("evalEvery", "50"), Map.entry("warmup", "50"),
                                             Map.entry("design", "I1"), Map.entry("patchLen", "16"),
                                             Map.entry("patchStride", "8"))));
        presets.add(new Preset("Paper setting (T 512, H 96, S3 training)", ModelKind.TSM2,
                               "docs/MODEL.md §6.1/§6.5: T 512, H 96, P 16, S 8, d_model 32, 2 layers, N 16, K 4, expand 2, "
                               + "AdamW lr 1e-4, wd 0.01, clip 1, cosine, batch 128, dropout 0.2, 10 epochs",
                               Map.ofEntries(Map.entry("seqLen", "512"), Map.entry("horizon", "96"), Map.entry("dModel", "32"),
                                             Map.entry("layers", "2"), Map.entry("dState", "16"), Map.entry("dConv", "4"),
                                             Map.entry("expand", "2"), Map.entry("batch", "128"), Map.entry("lr", "1.00e-04"),
                                             Map.entry("weightDecay", "0.01"), Map.entry("clip", "1.0"),
                                             Map.entry("epochs", "10"), Map.entry("dropout", "0.2"), Map.entry("evalEvery", "0"),
                                             Map.entry("warmup", "100"), Map.entry("design", "I1"),
                                             Map.entry("patchLen", "16"), Map.entry("patchStride", "8"))));
        for (String h : List.of("192", "336", "720"))
            presets.add(new Preset("Paper setting, H " + h, ModelKind.TSM2, "As the paper setting with horizon " + h,
                                   Map.of("seqLen", "512", "horizon", h, "dModel", "32", "layers", "2", "batch", "128",
                                          "lr", "1.00e-04", "epochs", "10", "dropout", "0.2", "evalEvery", "0")));
        // Token mixers only with conv width 1: Δ at a position then depends on that token alone, and the
        // selecting token mixer (layer 1 for seed 7; which one varies with the seed) takes 13-133x larger
        // steps at the tokens to remember in the typical channel (docs/RESULTS.md).
        presets.add(new Preset("Selective copying (Mamba paper task: watch Δ select)", ModelKind.TEACHING,
                               "L 32, V 12, K 4, d_model 32, 2 token-mixer blocks (no channel mixer), N 16, conv 1, "
                               + "1500 steps, lr 3e-3: 100 % within ~1250 steps; Δ selects in layer 1 (seed 7; other seeds: layer 0 or 1)",
                               Map.ofEntries(Map.entry("length", "32"), Map.entry("vocab", "12"), Map.entry("copyTokens", "4"),
                                             Map.entry("dModel", "32"), Map.entry("layers", "2"), Map.entry("dState", "16"),
                                             Map.entry("dConv", "1"), Map.entry("channelMixer", "false"),
                                             Map.entry("steps", "1500"), Map.entry("lr", "0.003"), Map.entry("batch", "32"),
                                             Map.entry("evalEvery", "250"))));
        presets.add(new Preset("Selective copying, full MambaMixer (token + channel mixers)", ModelKind.TEACHING,
                               "L 32, V 12, K 4, d_model 32, 2 blocks with channel mixers, N 16, conv 4, 1500 steps: the "
                               + "channel mixers solve it, Δ in the token mixers stays flat",
                               Map.ofEntries(Map.entry("length", "32"), Map.entry("vocab", "12"), Map.entry("copyTokens", "4"),
                                             Map.entry("dModel", "32"), Map.entry("layers", "2"), Map.entry("dState", "16"),
                                             Map.entry("dConv", "4"), Map.entry("channelMixer", "true"),
                                             Map.entry("steps", "1500"), Map.entry("lr", "0.003"), Map.entry("batch", "32"))));
        presets.add(new Preset("Induction heads", ModelKind.TEACHING,
                               "L 32, V 12, d_model 32, 2 layers, N 16, 1500 steps, lr 3e-3",
                               Map.ofEntries(Map.entry("length", "32"), Map.entry("vocab", "12"), Map.entry("dModel", "32"),
                                             Map.entry("layers", "2"), Map.entry("dState", "16"), Map.entry("dConv", "4"),
                                             Map.entry("channelMixer", "false"), Map.entry("steps", "1500"),
                                             Map.entry("lr", "0.003"), Map.entry("batch", "32"))));
        // ViM2: the engine's MNIST preset, one epoch (about 2-3 minutes on two cores)
        presets.add(new Preset("ViM2 on MNIST (Vim2Config.mnist, 1 epoch)", ModelKind.VISION,
                               "28x28, patch 4, stages 48/96 with 2 SS2D token mixers and a V-B channel mixer each; "
                               + "AdamW lr 2e-3, batch 64, 1 epoch over the 8,000 training images",
                               Map.of("epochs", "1", "batch", "64", "lr", "0.002", "channelMixer", "per-token-lift")));
    }

    public List<Preset> presets() { return List.copyOf(presets); }

    /** Presets for the current model family. */
    public List<Preset> presetsForModel() {
        return presets.stream().filter(p -> p.model() == model.get()).toList();
    }

    /** Sets every field the preset names (and picks a matching dataset when the family differs). */
    public void applyPreset(Preset p) {
        if (p.model() == ModelKind.VISION) {
            if (model.get() != ModelKind.VISION) data.set(find(DataChoice.Kind.MNIST));
        } else if (p.model() != model.get()) {
            DataChoice d = p.name().startsWith("Induction") ? find(DataChoice.Kind.INDUCTION)
                           : p.model() == ModelKind.TEACHING ? find(DataChoice.Kind.SELECTIVE_COPY) : find(DataChoice.Kind.SAMPLE);
            data.set(d);
        } else if (p.model() == ModelKind.TEACHING) {
            data.set(find(p.name().startsWith("Induction") ? DataChoice.Kind.INDUCTION : DataChoice.Kind.SELECTIVE_COPY));
        }
        Map<String, Field> fs = fieldsOf(p.model());
        p.values().forEach((k, v) -> {
            Field f = fs.get(k);
            if (f == null) throw new IllegalStateException("preset " + p.name() + " names unknown field " + k);
            f.textProperty().set(v);
        });
        revalidate();
    }

    private DataChoice find(DataChoice.Kind k) {
        return dataChoices.stream().filter(d -> d.kind() == k).findFirst().orElseThrow();
    }

    /** Adds a user CSV (already checked readable by the caller) and selects it. */
    public DataChoice addCsv(Path csv) {
        DataChoice c = new DataChoice(DataChoice.Kind.CSV, "CSV: " + csv.getFileName(), csv);
        dataChoices.removeIf(d -> d.kind() == DataChoice.Kind.CSV && Objects.equals(d.path(), csv));
        dataChoices.add(c);
        data.set(c);
        return c;
    }

    // ------------------------------------------------------------------ hot / cold

    private void onFieldChanged(Field f) {
        revalidate();
        if (!fieldsOf(model.get()).containsValue(f)) return;
        if (f.hot()) {
            if (f.valid()) hotApplier.accept(f.key(), f.doubleValue());
        } else if (modelExists.get()) {
            markCold(f.label());
        }
    }

    private void markCold(String what) {
        if (!pendingCold.contains(what)) pendingCold.add(what);
    }

    /** Receives every valid change of a hot field (key, value); the workbench forwards it to the running model. */
    public void setHotApplier(BiConsumer<String, Double> applier) { hotApplier = Objects.requireNonNull(applier); }

    /** The cold changes were applied (a new run or a reset). */
    public void clearPendingCold() { pendingCold.clear(); }

    // ------------------------------------------------------------------ validation and building

    private void revalidate() {
        List<String> errs = new ArrayList<>();
        for (Field f : fieldsOf(model.get()).values()) if (!f.valid()) errs.add(f.errorProperty().get());
        if (data.get() == null) errs.add("pick a dataset");
        if (errs.isEmpty()) {
            try {
                build();
            } catch (IllegalArgumentException e) {
                errs.add(e.getMessage());
            }
        }
        errors.setAll(errs);
        valid.set(errs.isEmpty());
    }

    /** The run settings of the current fields; throws IllegalArgumentException naming every problem. */
    public RunSettings build() {
        List<String> errs = new ArrayList<>();
        for (Field f : fieldsOf(model.get()).values()) if (!f.valid()) errs.add(f.errorProperty().get());
        DataChoice d = data.get();
        if (d == null) errs.add("pick a dataset");
        if (!errs.isEmpty()) throw new IllegalArgumentException(String.join("; ", errs));
        if (d.model() == ModelKind.VISION) return buildVision(d);
        if (d.model() == ModelKind.TSM2) {
            Map<String, Field> f = tsm2;
            int t = i(f, "seqLen"), h = i(f, "horizon");
            // M is known once the file is read; the session fills it in
            Tsm2Config mc = Tsm2Config.builder(t, h, 1).design(Tsm2Config.Design.valueOf(s(f, "design")))
                .patches(i(f, "patchLen"), i(f, "patchStride"), false).model(i(f, "dModel"), i(f, "layers"))
                .dState(i(f, "dState")).dConv(i(f, "dConv")).expand(i(f, "expand")).revin(b(f, "revin"))
                .dropout(x(f, "dropout")).timeMixerBidirectional(b(f, "timeBidirectional"))
                .averaging(WeightedAverage.Mode.parse(s(f, "averaging"))).seed(i(f, "seed")).build().validate();
            TrainConfig tc = new TrainConfig(i(f, "epochs"), i(f, "batch"), x(f, "lr"), x(f, "weightDecay"), x(f, "clip"),
                                             "cosine", i(f, "warmup"), 0.01, i(f, "patience"), i(f, "seed"), 0,
                                             128, i(f, "evalEvery"), ConfigJson.parse(HeadStart.class, s(f, "headStart"), "headStart"))
                .validate();
            if (d.path() == null || !Files.isRegularFile(d.path()))
                throw new IllegalArgumentException("data file not found: " + d.path());
            return new RunSettings(ModelKind.TSM2, d.path(), t, h, mc, tc, null, 0, null, null, i(f, "snapshotEvery"), 4,
                                   24, backend);
        }
        Map<String, Field> f = teaching;
        int l = i(f, "length"), v = i(f, "vocab"), k = i(f, "copyTokens");
        TeachingTask.create(d.task(), l, v, k);   // the task checks L, V and K against each other
        SequenceModelConfig mc = SequenceModelConfig.defaults(v, l).withModel(i(f, "dModel"), i(f, "layers"), i(f, "dState"))
                .withConv(i(f, "dConv")).withChannelMixer(b(f, "channelMixer")).withSeed(i(f, "seed")).validate();
        int steps = i(f, "steps");
        TeachConfig tc = new TeachConfig(steps, i(f, "batch"), x(f, "lr"), i(f, "warmup"), 0.05, 0.01, 1.0, i(f, "seed"),
                                         i(f, "evalExamples"), i(f, "evalEvery"), 2.0).validate();
        return new RunSettings(ModelKind.TEACHING, null, 0, 0, null, null, d.task(), k, mc, tc, i(f, "snapshotEvery"), 4, 0,
                               backend);
    }

    private RunSettings buildVision(DataChoice d) {
        Map<String, Field> f = vision;
        Vim2Config preset = Vim2Config.mnist();
        // the session fits the image size, channels and classes to the data once it is read
        Vim2Config mc = switch (d.kind()) {
            case CLUTTERED -> preset.withImage(48, 48, 1, 10, 4);
            case DIGITS -> preset.withImage(8, 8, 1, 10, 1);
            default -> preset;
        };
        mc = mc.withChannelMixer(Vim2Config.ChannelMixer.parse(s(f, "channelMixer")), preset.channelLift(),
                                 preset.channelState()).withSeed(i(f, "seed")).validate();
        VisionTrainConfig tc = VisionTrainConfig.defaults(i(f, "epochs")).withBatch(i(f, "batch")).withLr(x(f, "lr"))
                .withSeed(i(f, "seed")).validate();
        if (d.path() == null || !Files.exists(d.path()))
            throw new IllegalArgumentException("image data not found: " + d.path()
                                               + " (system property workbench.images names the shared data folder)");
        var source = new dev.mambamixer.engine.run.VisionRun.DataSource(d.visionKind(), d.path().toString(), "", List.of());
        return RunSettings.vision(new RunSettings.Vision(mc, tc, source), i(f, "probeImages"), backend);
    }

    private static int i(Map<String, Field> f, String k) { return f.get(k).intValue(); }
    private static double x(Map<String, Field> f, String k) { return f.get(k).doubleValue(); }
    private static boolean b(Map<String, Field> f, String k) { return f.get(k).boolValue(); }
    private static String s(Map<String, Field> f, String k) { return f.get(k).stringValue(); }

    private Map<String, Field> fieldsOf(ModelKind k) {
        return switch (k) {
            case TSM2 -> tsm2;
            case TEACHING -> teaching;
            case VISION -> vision;
        };
    }

    private List<Field> allFields() {
        List<Field> all = new ArrayList<>(tsm2.values());
        all.addAll(teaching.values());
        all.addAll(vision.values());
        return all;
    }

    /** The current model family's fields, less those the chosen task ignores (induction heads copies no K tokens). */
    private void refreshVisible() {
        List<Field> fs = new ArrayList<>(fieldsOf(model.get()).values());
        DataChoice d = data.get();
        if (d != null && d.kind() == DataChoice.Kind.INDUCTION) fs.remove(teaching.get("copyTokens"));
        if (!visibleFields.equals(fs)) visibleFields.setAll(fs);
    }

    // ------------------------------------------------------------------ accessors

    public ObservableList<DataChoice> dataChoices() { return dataChoices; }
    public ObjectProperty<DataChoice> dataProperty() { return data; }
    public ReadOnlyObjectProperty<ModelKind> modelProperty() { return model.getReadOnlyProperty(); }
    /** The fields of the current model family, in display order. */
    public ObservableList<Field> visibleFields() { return visibleFields; }
    public Field field(String key) {
        Field f = fieldsOf(model.get()).get(key);
        if (f == null) throw new IllegalArgumentException("no field " + key + " for " + model.get());
        return f;
    }
    public ObservableList<String> errors() { return errors; }
    public ReadOnlyBooleanProperty validProperty() { return valid.getReadOnlyProperty(); }
    /** Set by the workbench: true while a model exists (cold changes then need a reset). */
    public BooleanProperty modelExistsProperty() { return modelExists; }
    public ReadOnlyBooleanProperty coldChangePendingProperty() { return coldChangePending.getReadOnlyProperty(); }
    /** Labels of the cold fields changed since the model was built. */
    public ObservableList<String> pendingColdChanges() { return pendingCold; }

    /** For the field map of a family (tests, presets). */
    Set<String> keys(ModelKind k) { return new LinkedHashSet<>(fieldsOf(k).keySet()); }
}
