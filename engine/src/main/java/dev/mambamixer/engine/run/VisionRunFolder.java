package dev.mambamixer.engine.run;

import com.google.gson.JsonObject;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.ConfigSchema;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.VisionTrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A ViM2 run folder read back to look at it again (the workbench's Open run folder): the model,
 * training and data settings of its config.json, the weights the run kept, and the images it was
 * trained and evaluated on.
 */
public record VisionRunFolder(Path dir, Vim2Config model, VisionTrainConfig training, VisionRun.DataSource data) {

    /** Whether {@code runDir}'s config.json describes a ViM2 run (false when there is none or it is unreadable). */
    public static boolean isVisionRun(Path runDir) {
        try {
            return VisionRun.isVisionConfig(RunFolder.readConfig(runDir));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    public static VisionRunFolder open(Path runDir) throws IOException {
        JsonObject c = RunFolder.readConfig(runDir);
        String where = runDir.resolve(RunFolder.CONFIG_FILE).toString();
        if (!VisionRun.isVisionConfig(c)) throw new IOException(where + ": not a ViM2 run (no \"vision_training\" object)");
        return new VisionRunFolder(runDir, VisionRun.modelConfig(c, where), VisionRun.trainConfig(c, where),
                                   VisionRun.dataSource(c, where));
    }


    /** The checkpoint of the weights the run kept: {@code best}, else {@code last} (found by {@link RunFolder#findCheckpoint}). */
    public Path keptCheckpoint() throws IOException { return RunFolder.findCheckpoint(dir); }

    /** The kept weights in a model, when the run had them (after {@code epochs} epochs, {@code step} steps), and its data. */
    public record Kept(Vim2 model, Path checkpoint, int epochs, int step, VisionRun.DataSource data) {}

    /** A model with the kept weights on {@code be}. */
    public Kept loadKept(Backend be) throws IOException { return load(keptCheckpoint(), be); }

    /**
     * A ViM2 checkpoint folder loaded on {@code be}: the model its config.json describes with its
     * weights, its counters and the data source it was trained on. One loader for eval, predict,
     * selection and the workbench.
     */
    public static Kept load(Path checkpointDir, Backend be) throws IOException {
        Checkpoint c = Checkpoint.load(checkpointDir);
        String where = checkpointDir.resolve(Checkpoint.CONFIG_FILE).toString();
        if (!VisionRun.isVisionConfig(c.config())) throw new IllegalArgumentException(where + ": not a ViM2 checkpoint");
        Vim2Config mc = VisionRun.modelConfig(c.config(), where);
        MemoryEstimate.vim2Inference(mc, 1).requireFitsOn(be, where);   // before anything is allocated
        Vim2 m = new Vim2(be, mc);
        TrainingCheckpoints.loadWeights(be, m.parameters(), c.model());
        JsonObject st = c.state();
        int epochs = st != null && st.has("epochs_done") ? ConfigSchema.intIn(st, "epochs_done", 0, Integer.MAX_VALUE, Checkpoint.STATE_FILE) : 0;
        int step = st != null && st.has("step") ? ConfigSchema.intIn(st, "step", 0, Integer.MAX_VALUE, Checkpoint.STATE_FILE) : 0;
        return new Kept(m, checkpointDir, epochs, step, VisionRun.dataSource(c.config(), where));
    }

    /**
     * The run's train and held-out images, read again from where the run read them; a relative
     * path is tried against the working directory, then against the run folder's parent.
     */
    public VisionDatasets.VisionSplits splits() throws IOException {
        Path p = Path.of(data.path());
        if (!p.isAbsolute() && !Files.exists(p) && dir.toAbsolutePath().getParent() != null) {
            Path beside = dir.toAbsolutePath().getParent().resolve(p).normalize();
            if (Files.exists(beside)) p = beside;
        }
        if (!Files.exists(p))
            throw new IOException(dir.resolve(RunFolder.CONFIG_FILE) + ": the run's " + data.kind() + " images at '" + data.path()
                                  + "' are not there any more (looked in the working directory and beside the run folder)");
        VisionRun.DataSource ds = new VisionRun.DataSource(data.kind(), p.toString(), data.description(), data.classes());
        return VisionRun.splits(ds, model.height(), model.width(), model.channels());
    }
}
