package dev.mambamixer.engine.run;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.teaching.TeachingTask;
import dev.mambamixer.engine.io.Checkpoint;
import dev.mambamixer.engine.io.CheckpointException;
import dev.mambamixer.engine.io.Manifests;
import dev.mambamixer.engine.io.NamedArray;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.io.SafeTensorsException;
import dev.mambamixer.engine.model.MemoryEstimate;
import dev.mambamixer.engine.model.SequenceModel;
import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingCheckpoints;
import dev.mambamixer.engine.train.TrainingListener;
import dev.mambamixer.engine.train.VisionTrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 5: real small checkpoints of every kind (TSM2, ViM2, teaching) are mutated in
 * hundreds of ways and loaded through the resume path of their front ends. A mutation that makes
 * the checkpoint invalid must be refused with one of the project's clear exceptions (a
 * CheckpointException, a SafeTensorsException or an IllegalArgumentException, which the CLI prints as one line) whose
 * message names the file; never an NPE, a Gson exception, an OutOfMemoryError, and never a silent
 * acceptance. Mutations that may legitimately be valid (a different seed, another learning rate)
 * may load, but never with non-finite weights. The manifest's CRCs are recomputed after each
 * mutation, so the checks behind the checksum are what is tested.
 */
class CheckpointMutationTest {
    @TempDir static Path tmp;
    private static CpuBackend be;
    private static Path tsm2Run, vim2Run, teachRun;
    private static ForecastData forecastData;
    private static final Map<String, int[]> COUNTS = new LinkedHashMap<>();   // kind -> {refused, accepted}

    /** Whether a mutation must be refused or may also load. */
    enum Expect { REFUSE, EITHER }

    record Mutation(String description, Expect expect, Mutator apply) {}

    interface Mutator { void apply(Path checkpointDir) throws IOException; }

    interface Loader { void load(Path runDir) throws IOException; }

    @BeforeAll
    static void saveRealCheckpoints() throws Exception {
        be = new CpuBackend();
        // TSM2: one short epoch on the sample data through Tsm2Run (the CLI's run wiring) into a run folder
        Path sample = Files.exists(Path.of("sample-data/synthetic.csv")) ? Path.of("sample-data/synthetic.csv")
                                                                         : Path.of("../sample-data/synthetic.csv");
        forecastData = ForecastData.load(sample, 24, 6);
        Tsm2Config mc = Tsm2Config.builder(24, 6, forecastData.variates()).model(8, 1).patches(8, 4, false).build();
        TrainConfig tc = new TrainConfig(3, 8, 1e-3, 0.01, 1.0, "cosine", 2, 0.01, 2, 1L, 3, 16);
        RunFolder f = RunFolder.create(tmp, "tsm2");
        f.writeConfig(TrainingCheckpoints.configJson(mc, tc));
        Tsm2Run.builder(new Tsm2(be, mc), forecastData, tc.withEpochs(1)).folder(f).build().run();
        tsm2Run = f.dir();
        // ViM2: one epoch on the 8x8 bars of VisionRunTest
        Vim2Config vc = VisionRunTest.config();
        RunFolder vf = RunFolder.create(tmp, "vim2");
        VisionRun.builder(new Vim2(be, vc), new VisionTrainConfig(2, 8, 1e-2, 2, 0.05, 0.05, 1.0, 0.1, 1, 16, 5),
                          VisionRunTest.DATA).folder(vf).build().run(VisionRunTest.bars(16, 1), VisionRunTest.bars(8, 2));
        vim2Run = vf.dir();
        // teaching: a few steps of selective copying with a held-out evaluation
        SequenceModelConfig sc = SequenceModelConfig.defaults(8, 16).withModel(8, 1, 4).withSeed(5).validate();
        RunFolder tf = RunFolder.create(tmp, "teach");
        TeachingRun.builder(new SequenceModel(be, sc), TeachingTask.create("selective-copy", 16, 8, 3),
                            new TeachConfig(6, 4, 3e-3, 1, 0.05, 0.01, 1.0, 3L, 8, 3, 2.0)).folder(tf).build().run();
        teachRun = tf.dir();
    }

    @AfterAll
    static void report() {
        int total = 0;
        for (Map.Entry<String, int[]> e : COUNTS.entrySet()) {
            System.out.printf("mutations %-28s %4d refused, %3d loaded (allowed to)%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
            total += e.getValue()[0] + e.getValue()[1];
        }
        System.out.println("mutations total " + total);
        if (be != null) be.close();
    }

    // ------------------------------------------------------------------ loaders: the resume paths of the front ends

    /** As {@code mambamixer train --resume}: configs, size check, model, trainer, counters, weights, moments. */
    private static void loadTsm2(Path run) throws IOException {
        Path lastDir = run.resolve("checkpoints").resolve("last");
        Checkpoint last = Checkpoint.load(lastDir);
        String where = lastDir.resolve(Checkpoint.CONFIG_FILE).toString();
        Tsm2Config mc = TrainingCheckpoints.modelConfig(last.config(), where);
        TrainConfig tc = TrainingCheckpoints.trainConfig(last.config(), where);
        MemoryEstimate.tsm2(mc, tc.batchSize(), tc.evalBatchSize()).requireFitsHeap(where);
        Tsm2 m = new Tsm2(be, mc);
        Trainer tr = new Trainer(m, tc, new TrainingListener() {});
        TrainingCheckpoints.resume(last, null, m, tr);
        assertFiniteWeights(m.parameters().stream().map(p -> be.toFloats(p.value())).toList());
    }

    /** As {@code mambamixer vision train --resume}. */
    private static void loadVim2(Path run) throws IOException {
        Path lastDir = run.resolve("checkpoints").resolve("last");
        Checkpoint last = Checkpoint.load(lastDir);
        String where = lastDir.resolve(Checkpoint.CONFIG_FILE).toString();
        Vim2Config mc = VisionRun.modelConfig(last.config(), where);
        VisionTrainConfig tc = VisionRun.trainConfig(last.config(), where);
        VisionRun.DataSource ds = VisionRun.dataSource(last.config(), where);
        MemoryEstimate.vim2(mc, tc.batch(), tc.evalBatch()).requireFitsHeap(where);
        Vim2 m = new Vim2(be, mc);
        VisionRun.builder(m, tc, ds).resume(last).build();
        assertFiniteWeights(m.parameters().stream().map(p -> be.toFloats(p.value())).toList());
    }

    /** As {@code mambamixer teach --resume}. */
    private static void loadTeaching(Path run) throws IOException {
        Path lastDir = run.resolve("checkpoints").resolve("last");
        Checkpoint last = Checkpoint.load(lastDir);
        String where = lastDir.resolve(Checkpoint.CONFIG_FILE).toString();
        TeachingTask task = TeachingRun.task(last.config(), where);
        SequenceModelConfig mc = TeachingRun.modelConfig(last.config(), where);
        TeachConfig tc = TeachingRun.teachConfig(last.config(), where);
        MemoryEstimate.sequenceModel(mc, tc.batch(), tc.batch()).requireFitsHeap(where);
        SequenceModel m = new SequenceModel(be, mc);
        TeachingRun.builder(m, task, tc).resume(last).build();
        assertFiniteWeights(m.parameters().stream().map(p -> be.toFloats(p.value())).toList());
    }

    private static void assertFiniteWeights(List<float[]> weights) {
        for (float[] w : weights) for (float x : w) assertTrue(Float.isFinite(x), "a loaded weight is " + x);
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void tsm2CheckpointMutations() throws Exception {
        int n = runAll("TSM2", tsm2Run, CheckpointMutationTest::loadTsm2,
                       Set.of("seed", "best_epoch", "best_step"), Set.of("model.dModel", "model.layers", "model.dState", "model.expand"), Set.of());
        assertTrue(n >= 200, "mutations: " + n);
    }

    @Test
    void vim2CheckpointMutations() throws Exception {
        int n = runAll("ViM2", vim2Run, CheckpointMutationTest::loadVim2, Set.of("seed", "best_accuracy"),
                       Set.of("model.dims[0]", "model.channelLift", "model.dState", "model.expand"), Set.of("step"));
        assertTrue(n >= 100, "mutations: " + n);
    }

    @Test
    void teachingCheckpointMutations() throws Exception {
        int n = runAll("teaching", teachRun, CheckpointMutationTest::loadTeaching, Set.of("seed", "stopAccuracy", "best_accuracy"),
                       Set.of("model.dModel", "model.layers", "model.dState", "model.expand"), Set.of());
        assertTrue(n >= 100, "mutations: " + n);
    }

    /**
     * Runs every mutation of {@code run}'s last checkpoint on a fresh copy. {@code negativeOk}: leaf
     * names whose negative values are valid; {@code sizes}: config paths that must be refused when
     * set to 100000 (by the memory estimate); {@code unbounded}: state counters without a known upper
     * bound at load time (a ViM2 step count depends on the data's size). Returns the number of mutations.
     */
    private int runAll(String kind, Path run, Loader loader, Set<String> negativeOk, Set<String> sizes, Set<String> unbounded)
            throws Exception {
        loader.load(run);   // the unmutated checkpoint loads
        Path last = run.resolve("checkpoints").resolve("last");
        List<Mutation> ms = new ArrayList<>();
        JsonObject config = readJson(last.resolve(Checkpoint.CONFIG_FILE));
        JsonObject state = readJson(last.resolve(Checkpoint.STATE_FILE));
        jsonMutations(Checkpoint.CONFIG_FILE, config, negativeOk, sizes, unbounded, ms);
        jsonMutations(Checkpoint.STATE_FILE, state, negativeOk, Set.of(), unbounded, ms);
        wholeFileMutations(ms);
        Checkpoint original = Checkpoint.load(last);
        tensorMutations(original, ms);
        safetensorsByteMutations(ms);

        int refused = 0, accepted = 0, i = 0;
        for (Mutation m : ms) {
            Path copy = tmp.resolve(kind + "-m" + (i++));
            copyTree(run, copy);
            m.apply().apply(copy.resolve("checkpoints").resolve("last"));
            Throwable thrown = null;
            try {
                loader.load(copy);
            } catch (Throwable t) {
                thrown = t;
            }
            if (thrown == null) {
                assertEquals(Expect.EITHER, m.expect(), kind + ": silently accepted: " + m.description());
                accepted++;
                System.out.println("mutation loaded (allowed): " + kind + " " + m.description());
            } else {
                boolean clear = thrown instanceof CheckpointException || thrown instanceof SafeTensorsException
                                || thrown instanceof IllegalArgumentException;
                if (!clear || thrown.getMessage() == null) {
                    AssertionError e = new AssertionError(kind + ": " + m.description() + " -> not a clear error: " + thrown);
                    e.initCause(thrown);
                    throw e;
                }
                String msg = thrown.getMessage();
                assertTrue(msg.contains(".json") || msg.contains(".safetensors") || msg.contains("checkpoint"),
                           kind + ": " + m.description() + " -> the message names no file: " + msg);
                refused++;
            }
            deleteTree(copy);
        }
        COUNTS.put(kind, new int[] {refused, accepted});
        return ms.size();
    }

    // ------------------------------------------------------------------ mutations of config.json / state.json

    private static void jsonMutations(String file, JsonObject root, Set<String> negativeOk, Set<String> sizes,
                                      Set<String> unbounded, List<Mutation> out) {
        for (String[] leaf : leaves(root, "")) {
            String path = leaf[0], name = leaf[1], kind = leaf[2];
            String where = file + " " + path;
            out.add(new Mutation(where + " removed", removalOk(file, name) ? Expect.EITHER : Expect.REFUSE,
                                 d -> editJson(d.resolve(file), r -> remove(r, path))));
            out.add(new Mutation(where + " = null", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, JsonNull.INSTANCE))));
            out.add(new Mutation(where + " = {}", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, new JsonObject()))));
            out.add(new Mutation(where + " = []", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, new JsonArray()))));
            switch (kind) {
                case "string" -> {
                    out.add(new Mutation(where + " = 7", Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(7)))));
                    // free-text strings may hold anything; enum tokens, schedules and task names may not
                    boolean freeText = name.equals("description") || name.equals("path") || name.startsWith("classes")
                                       || name.equals("kind");
                    out.add(new Mutation(where + " = \"garbage\"", freeText ? Expect.EITHER : Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive("garbage")))));
                }
                case "boolean" -> {
                    out.add(new Mutation(where + " = 1", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(1)))));
                    out.add(new Mutation(where + " = \"true\"", Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive("true")))));
                }
                case "number" -> {
                    boolean integral = leaf[3].equals("int");
                    out.add(new Mutation(where + " = \"12\"", Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive("12")))));
                    out.add(new Mutation(where + " = true", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(true)))));
                    out.add(new Mutation(where + " = -1", negativeOk.contains(name) ? Expect.EITHER : Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(-1)))));
                    out.add(new Mutation(where + " = NaN", Expect.REFUSE,
                                         d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(new LazilyParsedNumber("NaN"))))));
                    if (integral) {
                        out.add(new Mutation(where + " = 1.5", Expect.REFUSE, d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(1.5)))));
                        out.add(new Mutation(where + " = 1e12", name.equals("seed") ? Expect.EITHER : Expect.REFUSE,
                                             d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(1e12)))));
                        out.add(new Mutation(where + " = 1e30", Expect.REFUSE,
                                             d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(new java.math.BigDecimal("1e30"))))));
                    } else {
                        out.add(new Mutation(where + " = 1e400", Expect.REFUSE,
                                             d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(new LazilyParsedNumber("1e400"))))));
                    }
                    if (sizes.contains(path))
                        out.add(new Mutation(where + " = 100000", Expect.REFUSE,
                                             d -> editJson(d.resolve(file), r -> set(r, path, new JsonPrimitive(100000)))));
                }
                default -> { }
            }
        }
        // counters one past their range
        if (file.equals(Checkpoint.STATE_FILE)) {
            for (String counter : List.of("epochs_done", "step", "best_epoch", "best_step", "bad_epochs")) {
                if (!root.has(counter)) continue;
                int v = root.get(counter).getAsInt();
                out.add(new Mutation(file + " " + counter + " = " + (v + 1_000_000), unbounded.contains(counter) ? Expect.EITHER : Expect.REFUSE,
                                     d -> editJson(d.resolve(file), r -> r.addProperty(counter, v + 1_000_000))));
            }
        }
    }

    /** Fields that may be absent: evalEvery, headStart, best_step (added after the first runs; absent = 0 / random / -1); unused state entries. */
    private static boolean removalOk(String file, String name) {
        return name.equals("evalEvery") || name.equals("headStart") || file.equals(Checkpoint.STATE_FILE) && (name.equals("seed") || name.equals("best_step"))
               || name.startsWith("classes[") || name.equals("description");
    }

    /** {path, leaf name, kind, int|real} of every primitive leaf (arrays' elements included). */
    private static List<String[]> leaves(JsonElement e, String path) {
        List<String[]> out = new ArrayList<>();
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> en : e.getAsJsonObject().entrySet())
                out.addAll(leaves(en.getValue(), path.isEmpty() ? en.getKey() : path + "." + en.getKey()));
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) out.addAll(leaves(a.get(i), path + "[" + i + "]"));
        } else if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            String name = path.substring(path.lastIndexOf('.') + 1);
            String kind = p.isBoolean() ? "boolean" : p.isNumber() ? "number" : "string";
            String numKind = p.isNumber() && isIntegral(p) ? "int" : "real";
            out.add(new String[] {path, name, kind, numKind});
        }
        return out;
    }

    /** Integers saved by Gson for int/long fields have no fraction; real fields (lr, dropout) are written with one. */
    private static boolean isIntegral(JsonPrimitive p) {
        String s = p.getAsString();
        return !s.contains(".") && !s.contains("e") && !s.contains("E") && !s.contains("N") && !s.contains("I");
    }

    private static void wholeFileMutations(List<Mutation> out) {
        for (String file : List.of(Checkpoint.CONFIG_FILE, Checkpoint.STATE_FILE)) {
            for (String text : List.of("", "{", "[]", "null", "42", "\"x\"", "{\"a\":1}", "{\"model\": 5, \"training\": []}",
                                       "\u0000\u0001garbage", "{\"model\": {}}"))
                out.add(new Mutation(file + " replaced by " + text.replace("\u0000", "\\0"), Expect.REFUSE,
                                     d -> { Files.writeString(d.resolve(file), text); recomputeManifest(d); }));
        }
    }

    // ------------------------------------------------------------------ mutations of the tensors (saved with valid CRCs)

    private static void tensorMutations(Checkpoint original, List<Mutation> out) {
        for (boolean optimizer : new boolean[] {false, true}) {
            Map<String, NamedArray> tensors = optimizer ? original.optimizer() : original.model();
            String file = optimizer ? Checkpoint.OPTIMIZER_FILE : Checkpoint.MODEL_FILE;
            // at most 24 tensors per file, spread over all of them (the first and the last included), to keep the test short
            List<String> names = new ArrayList<>(tensors.keySet());
            int stride = Math.max(1, (names.size() + 23) / 24);
            List<String> picked = new ArrayList<>();
            for (int k = 0; k < names.size(); k += stride) picked.add(names.get(k));
            if (!picked.contains(names.get(names.size() - 1))) picked.add(names.get(names.size() - 1));
            for (String name : picked) {
                int size = tensors.get(name).data().length;
                out.add(new Mutation(file + " " + name + "[0] = NaN", Expect.REFUSE, d -> resave(d, optimizer, name, 0, Float.NaN)));
                out.add(new Mutation(file + " " + name + "[last] = +Inf", Expect.REFUSE,
                                     d -> resave(d, optimizer, name, size - 1, Float.POSITIVE_INFINITY)));
                if (size > 2 && name.contains("weight") || name.endsWith(Checkpoint.EXP_AVG_SQ_SUFFIX))
                    out.add(new Mutation(file + " " + name + "[mid] = " + (!optimizer ? "-Inf"
                                         : name.endsWith(Checkpoint.EXP_AVG_SQ_SUFFIX) ? "-1 (a negative second moment)"
                                                                                        : "-1 (a first moment may be negative)"),
                                         optimizer && name.endsWith(Checkpoint.EXP_AVG_SQ_SUFFIX) || !optimizer ? Expect.REFUSE : Expect.EITHER,
                                         d -> resave(d, optimizer, name, size / 2, optimizer ? -1f : Float.NEGATIVE_INFINITY)));
            }
        }
        // a tensor dropped or reshaped: names and shapes are checked
        out.add(new Mutation("model.safetensors without its first tensor", Expect.REFUSE, d -> {
            Checkpoint c = Checkpoint.load(d);
            c.model().remove(c.model().keySet().iterator().next());
            c.save(d);
        }));
        out.add(new Mutation("optimizer.safetensors empty", Expect.REFUSE, d -> {
            Checkpoint c = Checkpoint.load(d);
            new Checkpoint(c.config(), c.model(), Map.of(), c.state()).save(d);
        }));
        out.add(new Mutation("model.safetensors with a tensor of another shape", Expect.REFUSE, d -> {
            Checkpoint c = Checkpoint.load(d);
            String first = c.model().keySet().iterator().next();
            float[] v = c.model().get(first).data();
            c.model().put(first, new NamedArray(new int[] {v.length + 1}, java.util.Arrays.copyOf(v, v.length + 1)));
            c.save(d);
        }));
    }

    /** Writes the checkpoint again through Checkpoint.save with one value changed: the CRCs are valid. */
    private static void resave(Path dir, boolean optimizer, String name, int index, float value) throws IOException {
        Checkpoint c = Checkpoint.load(dir);
        Map<String, NamedArray> m = optimizer ? c.optimizer() : c.model();
        NamedArray a = m.get(name);
        float[] data = a.data().clone();
        data[index] = value;
        m.put(name, new NamedArray(a.shape(), data));
        c.save(dir);
    }

    // ------------------------------------------------------------------ byte-level safetensors mutations

    private static void safetensorsByteMutations(List<Mutation> out) {
        for (String file : List.of(Checkpoint.MODEL_FILE, Checkpoint.OPTIMIZER_FILE)) {
            out.add(new Mutation(file + " truncated to half", Expect.REFUSE, d -> bytes(d, file, b -> java.util.Arrays.copyOf(b, b.length / 2))));
            out.add(new Mutation(file + " truncated to 4 bytes", Expect.REFUSE, d -> bytes(d, file, b -> java.util.Arrays.copyOf(b, 4))));
            out.add(new Mutation(file + " empty", Expect.REFUSE, d -> bytes(d, file, b -> new byte[0])));
            out.add(new Mutation(file + " header length 2^62", Expect.REFUSE, d -> bytes(d, file, b -> {
                byte[] c = b.clone();
                c[7] = 0x40;
                return c;
            })));
            out.add(new Mutation(file + " header length beyond the file", Expect.REFUSE, d -> bytes(d, file, b -> {
                byte[] c = b.clone();
                c[3] = 0x7f;
                return c;
            })));
            out.add(new Mutation(file + " header JSON broken", Expect.REFUSE, d -> bytes(d, file, b -> {
                byte[] c = b.clone();
                c[8] = '[';
                return c;
            })));
            out.add(new Mutation(file + " one extra byte of data", Expect.REFUSE, d -> bytes(d, file, b -> java.util.Arrays.copyOf(b, b.length + 1))));
            for (String[] swap : new String[][] {{"\"F32\"", "\"F16\""}, {"\"F32\"", "\"I32\""}, {"\"data_offsets\":[0,", "\"data_offsets\":[4,"},
                                                 {"\"shape\":[", "\"shape\":[3,"}, {"\"shape\":[", "\"shape\":[-1,"}})
                out.add(new Mutation(file + " header " + swap[0] + " -> " + swap[1], Expect.REFUSE, d -> bytes(d, file, b -> headerReplace(b, swap[0], swap[1]))));
        }
        out.add(new Mutation("model.safetensors bytes flipped, manifest not updated", Expect.REFUSE, d -> {
            byte[] b = Files.readAllBytes(d.resolve(Checkpoint.MODEL_FILE));
            b[b.length - 1] ^= 0x55;
            Files.write(d.resolve(Checkpoint.MODEL_FILE), b);
        }));
    }

    /** Replaces the first {@code from} in the safetensors header (JSON after the 8-byte length) and fixes the length. */
    private static byte[] headerReplace(byte[] file, String from, String to) {
        long n = java.nio.ByteBuffer.wrap(file, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains(from), "header holds " + from + ": " + header.substring(0, Math.min(200, header.length())));
        byte[] h = header.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
                         .getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 + h.length + file.length - 8 - (int) n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(file, 8 + (int) n, file.length - 8 - (int) n);
        return out.array();
    }

    interface ByteEdit { byte[] apply(byte[] b); }

    private static void bytes(Path dir, String file, ByteEdit edit) throws IOException {
        Files.write(dir.resolve(file), edit.apply(Files.readAllBytes(dir.resolve(file))));
        recomputeManifest(dir);
    }

    // ------------------------------------------------------------------ helpers

    interface JsonEdit { void apply(JsonObject root); }

    private static void editJson(Path file, JsonEdit edit) throws IOException {
        JsonObject root = readJson(file);
        edit.apply(root);
        Files.writeString(file, root.toString());
        recomputeManifest(file.getParent());
    }

    private static JsonObject readJson(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** Walks a path like {@code model.dims[0]} to the parent container. */
    private static void set(JsonObject root, String path, JsonElement value) {
        String[] parts = path.split("\\.");
        JsonElement cur = root;
        for (int i = 0; i < parts.length - 1; i++) cur = step(cur, parts[i]);
        String lastPart = parts[parts.length - 1];
        int br = lastPart.indexOf('[');
        if (br < 0) {
            cur.getAsJsonObject().add(lastPart, value);
        } else {
            JsonArray a = cur.getAsJsonObject().getAsJsonArray(lastPart.substring(0, br));
            a.set(Integer.parseInt(lastPart.substring(br + 1, lastPart.length() - 1)), value);
        }
    }

    private static void remove(JsonObject root, String path) {
        String[] parts = path.split("\\.");
        JsonElement cur = root;
        for (int i = 0; i < parts.length - 1; i++) cur = step(cur, parts[i]);
        String lastPart = parts[parts.length - 1];
        int br = lastPart.indexOf('[');
        if (br < 0) {
            cur.getAsJsonObject().remove(lastPart);
        } else {
            JsonArray a = cur.getAsJsonObject().getAsJsonArray(lastPart.substring(0, br));
            a.remove(Integer.parseInt(lastPart.substring(br + 1, lastPart.length() - 1)));
        }
    }

    private static JsonElement step(JsonElement cur, String part) {
        int br = part.indexOf('[');
        if (br < 0) return cur.getAsJsonObject().get(part);
        return cur.getAsJsonObject().getAsJsonArray(part.substring(0, br)).get(Integer.parseInt(part.substring(br + 1, part.length() - 1)));
    }

    private static void recomputeManifest(Path dir) throws IOException { Manifests.recompute(dir); }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
