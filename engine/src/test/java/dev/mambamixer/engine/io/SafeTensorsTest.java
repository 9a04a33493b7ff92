package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir Path tmp;

    private static LinkedHashMap<String, NamedArray> sample() {
        float[] big = new float[24];
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f - 3f;
        LinkedHashMap<String, NamedArray> m = new LinkedHashMap<>();
        // deliberately not in name order
        m.put("layer.b", new NamedArray(new int[] {2, 3, 4}, big));
        m.put("layer.a", new NamedArray(new int[] {3}, new float[] {1f, Float.NaN, -0.0f}));
        m.put("scalar", new NamedArray(new int[] {}, new float[] {3.25f}));
        m.put("empty", new NamedArray(new int[] {0}, new float[0]));
        m.put("zz", new NamedArray(new int[] {2, 1}, new float[] {Float.POSITIVE_INFINITY, Float.MIN_VALUE}));
        return m;
    }

    @Test
    void roundTripPreservesValuesShapesAndMetadata() throws IOException {
        Path f = tmp.resolve("w.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("note", "h\u00e9llo \"quoted\" <tag>");
        SafeTensors.write(f, sample(), meta);

        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(meta, c.metadata());
        // written and read back in sorted-name order
        assertEquals(List.of("empty", "layer.a", "layer.b", "scalar", "zz"), List.copyOf(c.tensors().keySet()));
        for (Map.Entry<String, NamedArray> e : sample().entrySet()) {
            NamedArray got = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), got.data(), e.getKey()); // bitwise incl. NaN, -0.0
        }
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(c.tensors().get("layer.a").data()[2]));
        assertEquals(3.25f, c.tensors().get("scalar").data()[0]);
        assertArrayEquals(new int[0], c.tensors().get("scalar").shape());
    }

    @Test
    void headerByteLayout() throws IOException {
        Path f = tmp.resolve("layout.safetensors");
        LinkedHashMap<String, NamedArray> m = new LinkedHashMap<>();
        m.put("b", new NamedArray(new int[] {2, 3, 4}, new float[24]));
        m.put("a", new NamedArray(new int[] {3}, new float[] {1.5f, -2f, 7f}));
        SafeTensors.write(f, m, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, n % 8, "header length multiple of 8");
        assertEquals(8 + n + 3 * 4 + 24 * 4, bytes.length, "file = 8 + header + data");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"));
        String json = header.stripTrailing();
        for (int i = json.length(); i < header.length(); i++) assertEquals(' ', header.charAt(i), "space padding");
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        assertEquals("v", o.getAsJsonObject("__metadata__").get("k").getAsString());
        JsonObject a = o.getAsJsonObject("a");
        assertEquals("F32", a.get("dtype").getAsString());
        assertEquals("[3]", a.get("shape").toString());
        assertEquals("[0,12]", a.get("data_offsets").toString());
        assertEquals("[2,3,4]", o.getAsJsonObject("b").get("shape").toString());
        assertEquals("[12,108]", o.getAsJsonObject("b").get("data_offsets").toString());
        // 'a' sorts first, so its floats start the data buffer
        assertEquals(1.5f, bb.getFloat((int) (8 + n)));
        assertEquals(-2f, bb.getFloat((int) (8 + n + 4)));
        assertEquals(7f, bb.getFloat((int) (8 + n + 8)));
    }

    /** Builds a safetensors file byte by byte: u64 LE header length, header text, raw data. */
    private Path handBuilt(String name, String headerJson, ByteBuffer data) throws IOException {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        data.flip();
        ByteBuffer all = ByteBuffer.allocate(8 + h.length + data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        all.putLong(h.length).put(h).put(data);
        Path f = tmp.resolve(name);
        Files.write(f, all.array());
        return f;
    }

    private static ByteBuffer le(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    @Test
    void readsHandBuiltFileWithKnownFloats() throws IOException {
        // header order (y before x) differs from offset order; no padding (the reader must not require it)
        String hdr = "{\"y\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]},"
                + "\"__metadata__\":{\"format\":\"pt\"},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        ByteBuffer d = le(20).putFloat(1.5f).putFloat(-2.25f).putFloat(1e-3f).putFloat(65504f).putFloat(42f);
        Path f = handBuilt("hand.safetensors", hdr, d);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("y", "x"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("x").shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, 1e-3f, 65504f}, c.tensors().get("x").data());
        assertArrayEquals(new float[] {42f}, c.tensors().get("y").data());
        assertEquals(Map.of("format", "pt"), c.metadata());
        SafeTensors.Header h = SafeTensors.readHeader(f);
        assertEquals(8 + hdr.getBytes(StandardCharsets.UTF_8).length, h.dataStart());
        assertArrayEquals(new int[] {2, 2}, h.shapes().get("x"));
    }

    @Test
    void readsF64F16AndBf16Converted() throws IOException {
        String hdr = "{\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]}}";
        ByteBuffer d = le(36).putDouble(0.1).putDouble(-1e10).putDouble(3.5)
                .putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 0x0001)
                .putShort((short) 0x3F80).putShort((short) 0x4049);
        SafeTensors.Contents c = SafeTensors.read(handBuilt("mixed.safetensors", hdr, d));
        assertArrayEquals(new float[] {(float) 0.1, -1e10f, 3.5f}, c.tensors().get("d").data());
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, c.tensors().get("h").data());
        assertArrayEquals(new float[] {1f, 3.140625f}, c.tensors().get("b").data());
    }

    @Test
    void halfConversionSpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(SafeTensors.halfToFloat((short) 0x7E00)));
        assertEquals(0x1p-14f, SafeTensors.halfToFloat((short) 0x0400)); // smallest normal
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(SafeTensors.halfToFloat((short) 0x8000)));
    }

    private Path validFile(String name) throws IOException {
        Path f = tmp.resolve(name);
        SafeTensors.write(f, sample(), Map.of());
        return f;
    }

    private SafeTensorsException assertBad(Path f, String... fragments) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertEquals(f, e.file());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void truncatedFileIsRejectedNamingFileAndTensor() throws IOException {
        Path f = validFile("trunc.safetensors");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(b, b.length - 4)); // cuts into the last tensor 'zz'
        assertBad(f, "tensor 'zz'", "exceed", "truncated");

        Path g = tmp.resolve("tiny.safetensors");
        Files.write(g, new byte[] {1, 2, 3});
        assertBad(g, "too short");

        Path h = tmp.resolve("headercut.safetensors");
        Files.write(h, Arrays.copyOf(b, 20)); // header length says more than what follows
        assertBad(h, "header length", "exceeds");
    }

    @Test
    void badHeaderLengthIsRejected() throws IOException {
        Path f = validFile("badlen.safetensors");
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0x7fff_ffff_ffffL);
        Files.write(f, b);
        assertBad(f, "header length", "not plausible");

        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // u64 max
        Files.write(f, b);
        assertBad(f, "18446744073709551615");

        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5); // cuts the JSON
        Files.write(f, b);
        assertBad(f, "not valid JSON");
    }

    @Test
    void badOffsetsAreRejected() throws IOException {
        ByteBuffer d = le(16).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        assertBad(handBuilt("overlap.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", d.duplicate().position(16)),
                "tensor 'b'", "overlap tensor 'a'");
        assertBad(handBuilt("range.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,20]}}", d.duplicate().position(16)),
                "tensor 'a'", "exceed the data buffer of 16 bytes");
        assertBad(handBuilt("shape.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", d.duplicate().position(16)),
                "tensor 'a'", "needs 12 bytes", "span 16");
        assertBad(handBuilt("reversed.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}", d.duplicate().position(16)),
                "tensor 'a'", "end 0 < begin 16");
        assertBad(handBuilt("gap.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", d.duplicate().position(16)),
                "tensor 'a'", "gap");
        assertBad(handBuilt("trailing.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", d.duplicate().position(16)),
                "trailing bytes");
        assertBad(handBuilt("negative.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", d.duplicate().position(16)),
                "tensor 'a'", "non-negative integer");
    }

    @Test
    void badDtypesAndJsonAreRejected() throws IOException {
        ByteBuffer d = le(16).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
        assertBad(handBuilt("unknown.safetensors",
                "{\"w\":{\"dtype\":\"F99\",\"shape\":[4],\"data_offsets\":[0,16]}}", d.duplicate()),
                "tensor 'w'", "unknown dtype \"F99\"");
        assertBad(handBuilt("unsupported.safetensors",
                "{\"w\":{\"dtype\":\"I32\",\"shape\":[4],\"data_offsets\":[0,16]}}", d.duplicate()),
                "tensor 'w'", "unsupported dtype \"I32\"");
        assertBad(handBuilt("json.safetensors", "{\"w\":{\"dtype\":\"F32\",", d.duplicate()), "not valid JSON");
        assertBad(handBuilt("dup.safetensors",
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", d.duplicate()),
                "duplicate header entry 'w'");
    }

    @Test
    void namedArrayValidatesShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NamedArray(new int[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NamedArray(new int[] {-1}, new float[0]));
        assertEquals(new NamedArray(new int[] {1}, new float[] {Float.NaN}), new NamedArray(new int[] {1}, new float[] {Float.NaN}));
    }

    @Test
    void largeTensorCrossesChunkBoundaries() throws IOException {
        // 600k floats = 2.4 MB > 1 MiB transfer chunk
        float[] data = new float[600_001];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(i * 0.001) * i;
        Path f = tmp.resolve("big.safetensors");
        SafeTensors.write(f, Map.of("w", new NamedArray(new int[] {data.length}, data),
                "a", new NamedArray(new int[] {1}, new float[] {9f})), Map.of());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(data, c.tensors().get("w").data());
        assertArrayEquals(new float[] {9f}, c.tensors().get("a").data());
    }
}
