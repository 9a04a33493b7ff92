package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @TempDir Path tmp;

    private static float[] ramp(int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (i - n / 2f) * scale;
        return a;
    }

    private static Checkpoint make(float scale, long step) {
        LinkedHashMap<String, NamedArray> model = new LinkedHashMap<>();
        model.put("encoder.weight", new NamedArray(new int[] {4, 3}, ramp(12, scale)));
        model.put("encoder.bias", new NamedArray(new int[] {4}, ramp(4, scale * 2)));
        model.put("dwa.alpha", new NamedArray(new int[] {}, new float[] {scale}));
        LinkedHashMap<String, NamedArray> opt = new LinkedHashMap<>();
        for (Map.Entry<String, NamedArray> e : model.entrySet()) {
            int n = e.getValue().size();
            opt.put(Checkpoint.expAvgName(e.getKey()), new NamedArray(e.getValue().shape(), ramp(n, 0.01f * scale)));
            opt.put(Checkpoint.expAvgSqName(e.getKey()), new NamedArray(e.getValue().shape(), ramp(n, 1e-4f * scale)));
        }
        JsonObject config = JsonParser.parseString(
                "{\"model\":\"TSM2\",\"dModel\":32,\"layers\":2,\"norm\":{\"mode\":\"LN\",\"eps\":1e-5}}").getAsJsonObject();
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("epoch", 3);
        state.addProperty("bestVal", 0.4123);
        JsonObject rng = new JsonObject();
        rng.addProperty("seed", 42);
        rng.addProperty("state", "9e3779b97f4a7c15");
        state.add("rng", rng);
        return new Checkpoint(config, model, opt, state);
    }

    private static void assertSame(Checkpoint want, Checkpoint got) {
        assertEquals(want.config(), got.config());
        assertEquals(want.state(), got.state());
        assertEquals(want.model(), got.model());
        assertEquals(want.optimizer(), got.optimizer());
    }

    private List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTrip() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint c = make(0.5f, 1234);
        c.save(dir);
        assertEquals(List.of("checkpoint.json", "config.json", "model.safetensors", "optimizer.safetensors", "state.json"),
                listing(dir));
        assertEquals(List.of("ckpt"), listing(tmp), "no temp siblings left");
        assertTrue(Checkpoint.isComplete(dir));
        Checkpoint back = Checkpoint.load(dir);
        assertSame(c, back);
        assertEquals(1234, back.state().get("step").getAsLong());
        assertEquals(32, back.config().get("dModel").getAsInt());
        assertArrayEquals(new int[] {4, 3}, back.optimizer().get("encoder.weight.exp_avg_sq").shape());
        // the weights file is a plain safetensors file other tools can read
        assertEquals(c.model(), SafeTensors.read(dir.resolve(Checkpoint.MODEL_FILE)).tensors());
    }

    @Test
    void configAsStringAndEmptyOptimizer() throws IOException {
        Path dir = tmp.resolve("s");
        Checkpoint c = new Checkpoint("{\"a\": [1, 2]}", Map.of("w", new NamedArray(new int[] {1}, new float[] {2f})), null, null);
        c.save(dir);
        Checkpoint back = Checkpoint.load(dir);
        assertEquals("[1,2]", back.config().get("a").toString());
        assertTrue(back.optimizer().isEmpty());
        assertEquals(new JsonObject(), back.state());
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("[1]", Map.of(), null, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("{oops", Map.of(), null, null));
    }

    @Test
    void overwriteReplacesAndCleansUp() throws IOException {
        Path dir = tmp.resolve("best");
        make(1f, 10).save(dir);
        Checkpoint second = make(2f, 20);
        second.save(dir);
        assertSame(second, Checkpoint.load(dir));
        assertEquals(List.of("best"), listing(tmp));
    }

    @Test
    void failedSaveLeavesPreviousCheckpointIntact() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint first = make(1f, 10);
        first.save(dir);
        LinkedHashMap<String, NamedArray> bad = new LinkedHashMap<>(make(3f, 30).model());
        bad.put("__metadata__", new NamedArray(new int[] {1}, new float[1])); // writer rejects mid-save
        Checkpoint broken = new Checkpoint(first.config(), bad, null, null);
        assertThrows(IllegalArgumentException.class, () -> broken.save(dir));
        assertSame(first, Checkpoint.load(dir));
        assertEquals(List.of("ckpt"), listing(tmp), "temp folder removed");
    }

    @Test
    void crashBetweenRenamesRecoversNewestCompleteSibling() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint a = make(1f, 10);
        Checkpoint b = make(2f, 20);
        // State after "renamed ckpt -> .old" and before ".tmp -> ckpt": no ckpt/, two complete siblings.
        a.save(tmp.resolve("x"));
        Files.move(tmp.resolve("x"), tmp.resolve(".ckpt.old-1"));
        b.save(tmp.resolve("y"));
        Path newer = tmp.resolve(".ckpt.tmp-2");
        Files.move(tmp.resolve("y"), newer);
        // make b's save time strictly later regardless of clock granularity
        Path mf = newer.resolve(Checkpoint.MANIFEST_FILE);
        JsonObject m = JsonParser.parseString(Files.readString(mf)).getAsJsonObject();
        m.addProperty("savedAtMillis", m.get("savedAtMillis").getAsLong() + 1000);
        Files.writeString(mf, m.toString());

        assertFalse(Files.exists(dir));
        assertSame(b, Checkpoint.load(dir));

        // Next save commits normally and removes the leftovers.
        Checkpoint c = make(3f, 30);
        c.save(dir);
        assertSame(c, Checkpoint.load(dir));
        assertEquals(List.of("ckpt"), listing(tmp));
    }

    @Test
    void crashWhileWritingTempKeepsLastGood() throws IOException {
        Path dir = tmp.resolve("ckpt");
        Checkpoint a = make(1f, 10);
        a.save(dir);
        // interrupted save: temp folder with some files but no manifest
        Path partial = tmp.resolve(".ckpt.tmp-3");
        Files.createDirectory(partial);
        Files.writeString(partial.resolve(Checkpoint.CONFIG_FILE), "{}");
        assertSame(a, Checkpoint.load(dir));

        // crash after ckpt -> .old rename while temp was still incomplete is impossible by
        // construction (temp is completed first), but an incomplete dir alone must be detected:
        Path half = tmp.resolve("half");
        Files.createDirectory(half);
        Files.writeString(half.resolve(Checkpoint.CONFIG_FILE), "{}");
        assertFalse(Checkpoint.isComplete(half));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(half));
        assertTrue(e.getMessage().contains("incomplete") && e.getMessage().contains("half"), e.getMessage());
    }

    @Test
    void corruptionIsDetectedByChecksum() throws IOException {
        Path dir = tmp.resolve("ckpt");
        make(1f, 10).save(dir);
        Path model = dir.resolve(Checkpoint.MODEL_FILE);
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 0x40; // flip a bit inside the last float
        Files.write(model, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains(model.toString()) && e.getMessage().contains("CRC32"), e.getMessage());

        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length - 8)); // truncated
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("bytes, manifest says"), e.getMessage());
    }

    @Test
    void checkCompatibleListsEveryMismatch() {
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("a", new int[] {2, 3});
        expected.put("b", new int[] {4});
        expected.put("c", new int[] {5});
        expected.put("d", new int[] {1, 2});
        Map<String, NamedArray> loaded = new LinkedHashMap<>();
        loaded.put("a", new NamedArray(new int[] {2, 3}, new float[6]));
        loaded.put("d", new NamedArray(new int[] {2, 1}, new float[2]));
        loaded.put("e", new NamedArray(new int[] {3}, new float[3]));
        CheckpointMismatchException ex = assertThrows(CheckpointMismatchException.class,
                () -> Checkpoint.checkCompatible(expected, loaded));
        assertEquals("checkpoint does not match the model: 2 missing, 1 unexpected, 1 shape mismatch"
                + "\n  missing: b"
                + "\n  missing: c"
                + "\n  unexpected: e"
                + "\n  shape mismatch: d: expected [1, 2] found [2, 1]", ex.getMessage());
        assertEquals(List.of("b", "c"), ex.missing());
        assertEquals(List.of("e"), ex.unexpected());
        assertEquals(List.of("d: expected [1, 2] found [2, 1]"), ex.shapeMismatches());

        // a scalar vs a 1-element vector is a mismatch too
        assertThrows(CheckpointMismatchException.class, () -> Checkpoint.checkCompatible(
                Map.of("s", new int[] {}), Map.of("s", new NamedArray(new int[] {1}, new float[1]))));
        // exact match passes
        Checkpoint.checkCompatible(Map.of("a", new int[] {2, 3}), Map.of("a", new NamedArray(new int[] {2, 3}, new float[6])));
    }
}
