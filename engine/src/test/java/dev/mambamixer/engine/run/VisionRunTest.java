package dev.mambamixer.engine.run;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.train.TrainControl;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.VisionTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A ViM2 run end to end on a small synthetic image task: it learns, writes its folder, and resumes exactly. */
class VisionRunTest {
    @TempDir Path tmp;

    /** 8×8 grey images with noise: class 0 holds a horizontal bar of 4 pixels, class 1 a vertical one, anywhere. */
    static ImageSet bars(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] px = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            int r0 = rng.nextInt(5), c0 = rng.nextInt(5);
            for (int k = 0; k < 64; k++) px[i * 64 + k] = (float) (0.3 * rng.nextDouble());
            for (int k = 0; k < 4; k++) {
                if (y[i] == 0) px[i * 64 + (r0 + 2) * 8 + c0 + k] = 1f;
                else px[i * 64 + (r0 + k) * 8 + c0 + 2] = 1f;
            }
        }
        return new ImageSet("bars-" + seed, px, y, 8, 8, 1, List.of("top", "bottom"));
    }

    static Vim2Config config() {
        return new Vim2Config(8, 8, 1, 2, 2, List.of(8), List.of(2), 2, Vim2Config.ChannelMixer.PER_TOKEN_LIFT, 4, 4, 4,
                              4, 2, 3, 16, WeightedAverage.Mode.IDENTITY, 3);
    }

    static final VisionRun.DataSource DATA = new VisionRun.DataSource("synthetic", "none", "bars", List.of("top", "bottom"));

    private VisionTrainer.Result train(Path dir, int epochs, Checkpoint resume, Backend be, Vim2 model) throws Exception {
        VisionTrainConfig tc = new VisionTrainConfig(epochs, 8, 1e-2, 10, 0.05, 0.05, 1.0, 0.1, 1, 64, 5);
        RunFolder f = resume == null ? RunFolder.create(dir.getParent(), dir.getFileName().toString()) : RunFolder.open(dir);
        VisionRun.Builder b = VisionRun.builder(model, tc, DATA).folder(f);
        if (resume != null) b.resume(resume);
        return b.build().run(bars(96, 1), bars(48, 2));
    }

    @Test
    void learnsWritesItsFolderAndResumesExactly() throws Exception {
        Backend be = new CpuBackend();
        Vim2 whole = new Vim2(be, config());
        VisionTrainer.Result r = train(tmp.resolve("whole"), 14, null, be, whole);
        assertFalse(r.failed(), r.reason());
        assertTrue(r.heldOut().accuracy() >= 0.9, "held-out accuracy " + r.heldOut().accuracy());
        Path run = Files.list(tmp).filter(p -> p.getFileName().toString().endsWith("-whole")).findFirst().orElseThrow();
        assertTrue(Checkpoint.isComplete(run.resolve("checkpoints/best")));
        assertTrue(Checkpoint.isComplete(run.resolve("checkpoints/last")));
        JsonObject metrics = JsonParser.parseString(Files.readString(run.resolve(RunFolder.TEST_METRICS_FILE))).getAsJsonObject();
        assertEquals(r.heldOut().accuracy(), metrics.get("accuracy").getAsDouble(), 1e-12);
        assertEquals(2, metrics.getAsJsonArray("confusion").size());
        long heldOutEvents = Files.readAllLines(run.resolve("events.jsonl")).stream().filter(l -> l.contains("\"held_out\"")).count();
        assertEquals(14, heldOutEvents);

        // seven epochs (stopped as a crash after the seventh epoch's checkpoint would), then a resumed
        // run for the other seven: the same final weights, bit for bit
        VisionTrainConfig tc = new VisionTrainConfig(14, 8, 1e-2, 10, 0.05, 0.05, 1.0, 0.1, 1, 64, 5);
        RunFolder f = RunFolder.create(tmp, "split");
        Path splitDir = f.dir();
        TrainControl control = new TrainControl();
        int[] heldOut = {0};
        VisionRun.builder(new Vim2(be, config()), tc, DATA).folder(f).control(control).listener(new TrainingListener() {
            @Override public void onHeldOut(HeldOutEvent e) { if (++heldOut[0] == 7) control.requestStop(); }
        }).build().run(bars(96, 1), bars(48, 2));
        Checkpoint last = Checkpoint.load(splitDir.resolve("checkpoints/last"));
        assertEquals(7, last.state().get("epochs_done").getAsInt());
        Vim2 resumed = new Vim2(be, config());
        train(splitDir, 14, last, be, resumed);
        List<Parameter> a = whole.parameters(), b = resumed.parameters();
        for (int i = 0; i < a.size(); i++)
            assertArrayEquals(be.toFloats(a.get(i).value()), be.toFloats(b.get(i).value()), a.get(i).name());
    }
}
