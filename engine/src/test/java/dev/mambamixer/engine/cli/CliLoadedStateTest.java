package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.Manifests;
import dev.mambamixer.engine.io.NamedArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5 through the CLI: checkpoints that pass their checksums but hold NaN weights, Inf
 * moments, impossible counters or broken configs make eval and train --resume exit 2 with one
 * line naming the file and the field or tensor, instead of "MSE NaN", a stack trace or a silent
 * acceptance.
 */
class CliLoadedStateTest {
    @TempDir static Path tmp;
    private static Path run;

    private static Path sample() {
        for (Path p : List.of(Path.of("sample-data/synthetic.csv"), Path.of("../sample-data/synthetic.csv")))
            if (Files.exists(p)) return p;
        throw new IllegalStateException("sample-data/synthetic.csv not found");
    }

    @BeforeAll
    static void trainTinyRun() throws Exception {
        CliRun.Out r = CliRun.run("train", "--data", sample().toString(), "--seq-len", "48", "--horizon", "12", "--d-model", "8",
                                  "--layers", "1", "--epochs", "2", "--max-steps-per-epoch", "3", "--backend", "cpu",
                                  "--snapshot-every", "0", "--runs-dir", tmp.resolve("runs").toString(), "--name", "t");
        assertEquals(0, r.code(), r.err());
        try (Stream<Path> s = Files.list(tmp.resolve("runs"))) {
            run = s.findFirst().orElseThrow();
        }
    }

    /** A copy of the run folder to mutate. */
    private static Path copy(String name) throws Exception {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return to;
    }

    private static String refused(CliRun.Out r) {
        assertEquals(2, r.code(), r.out() + r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertFalse(r.out().contains("MSE NaN"), r.out());
        return errors.get(0);
    }

    private static void editJson(Path file, java.util.function.Consumer<JsonObject> edit) throws Exception {
        JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        edit.accept(o);
        Files.writeString(file, o.toString());
        Manifests.recompute(file.getParent());
    }

    private static CliRun.Out eval(Path runDir) {
        return CliRun.run("eval", "--checkpoint", runDir.toString(), "--data", sample().toString(), "--backend", "cpu");
    }

    private static CliRun.Out resume(Path runDir) {
        return CliRun.run("train", "--resume", runDir.toString(), "--data", sample().toString(), "--backend", "cpu",
                          "--snapshot-every", "0");
    }

    @Test
    void nanWeightsAreRefusedByEval() throws Exception {
        Path r = copy("nan");
        Path best = r.resolve("checkpoints/best");
        Checkpoint c = Checkpoint.load(best);
        String name = "head.proj.weight";
        NamedArray a = c.model().get(name);
        float[] d = a.data().clone();
        d[5] = Float.NaN;
        c.model().put(name, new NamedArray(a.shape(), d));
        c.save(best);   // a valid manifest: only the finite check stands in the way
        String err = refused(eval(r));
        assertTrue(err.contains("model.safetensors: tensor head.proj.weight holds NaN at flat index 5"), err);
    }

    @Test
    void infiniteMomentsAreRefusedOnResume() throws Exception {
        Path r = copy("inf");
        Path last = r.resolve("checkpoints/last");
        Checkpoint c = Checkpoint.load(last);
        String name = c.optimizer().keySet().iterator().next();
        NamedArray a = c.optimizer().get(name);
        float[] d = a.data().clone();
        d[0] = Float.POSITIVE_INFINITY;
        c.optimizer().put(name, new NamedArray(a.shape(), d));
        c.save(last);
        String err = refused(resume(r));
        assertTrue(err.contains("optimizer.safetensors: tensor " + name + " holds Infinity at flat index 0"), err);
    }

    @Test
    void impossibleCountersAreRefusedOnResume() throws Exception {
        Path r = copy("epochs");
        editJson(r.resolve("checkpoints/last/state.json"), o -> o.addProperty("epochs_done", -1));
        assertEquals("error: state.json: \"epochs_done\" is -1, expected 0..2", refused(resume(r)));

        Path s = copy("step");
        editJson(s.resolve("checkpoints/last/state.json"), o -> o.remove("step"));
        assertTrue(refused(resume(s)).contains("state.json: \"step\" expected an integer in 0..9, found nothing (missing)"));
    }

    @Test
    void brokenConfigsNameFileAndField() throws Exception {
        Path r = copy("missing");
        editJson(r.resolve("checkpoints/best/config.json"), o -> o.getAsJsonObject("model").remove("dModel"));
        String err = refused(eval(r));
        assertTrue(err.contains("config.json: model.dModel: expected an integer, found nothing (missing)"), err);

        Path w = copy("wide");
        editJson(w.resolve("checkpoints/best/config.json"), o -> o.getAsJsonObject("model").addProperty("dModel", 100000));
        err = refused(eval(w));
        // eval batch 128 x 7 variates x 5 patches x 200000 inner width: refused as a tensor too large to index
        assertTrue(err.contains("config.json: TSM2 is too large: its time mixer scan"), err);

        Path t = copy("tall");
        editJson(t.resolve("checkpoints/best/config.json"), o -> o.getAsJsonObject("model").addProperty("layers", 100000));
        err = refused(eval(t));
        assertTrue(err.contains("config.json: TSM2 needs about") && err.contains("but the free JVM heap"), err);

        Path n = copy("null");
        editJson(n.resolve("checkpoints/last/config.json"), o -> o.getAsJsonObject("training").add("schedule", com.google.gson.JsonNull.INSTANCE));
        err = refused(resume(n));
        assertTrue(err.contains("config.json: training.schedule: expected a string, found null"), err);

        Path nt = copy("no-training");
        editJson(nt.resolve("checkpoints/last/config.json"), o -> o.remove("training"));
        err = refused(resume(nt));
        assertTrue(err.contains("config.json: missing \"training\" (expected a JSON object)"), err);

        Path e = copy("enum");
        editJson(e.resolve("checkpoints/best/config.json"), o -> o.getAsJsonObject("model").addProperty("design", "I3"));
        err = refused(eval(e));
        assertTrue(err.contains("model.design: unknown value 'I3' (expected I1, I2)"), err);
    }
}
