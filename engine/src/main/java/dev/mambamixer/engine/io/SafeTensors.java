package dev.mambamixer.engine.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reader and writer for the safetensors format (https://huggingface.co/docs/safetensors):
 *
 * <pre>
 *   u64 little-endian N | N bytes UTF-8 JSON header (space padded, N % 8 == 0) | data buffer
 *   header = {"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
 * </pre>
 *
 * Offsets are relative to the start of the data buffer; data is little-endian, row-major.
 * Writing produces F32 only, tensors laid out contiguously in name order (what the reference
 * implementation does when every tensor has the same dtype). Reading accepts F32 and converts
 * F64, F16 and BF16 to float32 (F64 values outside the float range become +-Infinity).
 *
 * <p>Reading is as strict as the reference: the header must be valid UTF-8 JSON, every tensor's
 * byte range must match dtype x shape, and the ranges must tile the data buffer exactly
 * (no overlap, no gap, no trailing bytes). Every error names the file and, where relevant, the tensor.
 */
public final class SafeTensors {

    public static final String METADATA_KEY = "__metadata__";
    /** Same cap as the reference implementation, guards against allocating from a corrupt length. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Transfer chunk: big enough for throughput, small enough not to double peak memory. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** All dtypes the format defines, with their element size in bytes (for validating unsupported ones). */
    private static final Map<String, Integer> KNOWN_DTYPES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1),
            Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1),
            Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
            Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8));
    private static final Set<String> READABLE_DTYPES = Set.of("F32", "F64", "F16", "BF16");

    private static final TypeAdapter<JsonElement> ELEMENT_ADAPTER = new Gson().getAdapter(JsonElement.class);

    private SafeTensors() {}

    /** One header entry. {@code begin}/{@code end} are byte offsets into the data buffer. */
    public record TensorInfo(String name, String dtype, int[] shape, long begin, long end) {
        public long elementCount() { return NamedArray.elementCount(shape); }
    }

    /** Parsed header: entries in header order, metadata, and the absolute file offset of the data buffer. */
    public record Header(List<TensorInfo> tensors, LinkedHashMap<String, String> metadata, long dataStart) {
        /** Shapes by name, e.g. for {@link Checkpoint#checkCompatible} without loading any data. */
        public LinkedHashMap<String, int[]> shapes() {
            LinkedHashMap<String, int[]> m = new LinkedHashMap<>();
            for (TensorInfo t : tensors) m.put(t.name(), t.shape().clone());
            return m;
        }
    }

    /** A whole file: tensors in header order (name order for files written here) plus metadata. */
    public record Contents(LinkedHashMap<String, NamedArray> tensors, LinkedHashMap<String, String> metadata) {}

    // ------------------------------------------------------------------ writing

    /** Writes {@code tensors} as F32 to {@code file}, atomically (see {@link AtomicFiles}). */
    public static void write(Path file, Map<String, NamedArray> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, ch -> writeTo(ch, tensors, metadata));
    }

    public static void write(Path file, Map<String, NamedArray> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /** Streams the safetensors encoding to {@code ch}; metadata may be empty (then no "__metadata__" key). */
    public static void writeTo(WritableByteChannel ch, Map<String, NamedArray> tensors, Map<String, String> metadata)
            throws IOException {
        List<String> names = new ArrayList<>(tensors.keySet());
        for (String name : names) {
            Objects.requireNonNull(name, "tensor name");
            Objects.requireNonNull(tensors.get(name), () -> "tensor '" + name + "' is null");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved, not a tensor name");
        }
        Collections.sort(names); // reference layout: sorted by name within a dtype
        byte[] header = encodeHeader(names, tensors, metadata == null ? Map.of() : metadata);

        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length).flip();
        writeFully(ch, buf);
        writeFully(ch, ByteBuffer.wrap(header));
        int chunkFloats = CHUNK_BYTES / Float.BYTES;
        for (String name : names) {
            float[] data = tensors.get(name).data();
            for (int off = 0; off < data.length; off += chunkFloats) {
                int n = Math.min(chunkFloats, data.length - off);
                buf.clear();
                buf.asFloatBuffer().put(data, off, n); // view shares buf's little-endian order
                buf.position(0).limit(n * Float.BYTES);
                writeFully(ch, buf);
            }
        }
    }

    private static byte[] encodeHeader(List<String> names, Map<String, NamedArray> tensors, Map<String, String> metadata)
            throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.setHtmlSafe(false);
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    w.name(Objects.requireNonNull(e.getKey(), "metadata key"))
                     .value(Objects.requireNonNull(e.getValue(), () -> "metadata value for '" + e.getKey() + "'"));
                }
                w.endObject();
            }
            long offset = 0;
            for (String name : names) {
                NamedArray a = tensors.get(name);
                long end = offset + (long) a.data().length * Float.BYTES;
                w.name(name).beginObject();
                w.name("dtype").value("F32");
                w.name("shape").beginArray();
                for (int d : a.shape()) w.value(d);
                w.endArray();
                w.name("data_offsets").beginArray().value(offset).value(end).endArray();
                w.endObject();
                offset = end;
            }
            w.endObject();
        }
        byte[] json = sw.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7; // 8-byte alignment of the data buffer, padded with spaces
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    // ------------------------------------------------------------------ reading

    /** Reads every tensor (converted to float32) and the metadata. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            LinkedHashMap<String, NamedArray> out = new LinkedHashMap<>();
            ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (TensorInfo t : h.tensors()) {
                float[] data = new float[(int) t.elementCount()];
                readData(file, ch, h.dataStart(), t, data, buf);
                out.put(t.name(), new NamedArray(t.shape(), data));
            }
            return new Contents(out, h.metadata());
        }
    }

    /** Parses and validates only the header (no tensor data is read). */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new SafeTensorsException(file, "file is " + fileSize + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, "header length " + Long.toUnsignedString(n)
                    + " is not plausible (max " + MAX_HEADER_BYTES + "); not a safetensors file or corrupted");
        }
        if (n > fileSize - 8) {
            throw new SafeTensorsException(file, "header length " + n + " exceeds the " + (fileSize - 8)
                    + " bytes after the length field (file truncated?)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(file, ch, hb, 8);
        hb.flip();
        String json;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb);
            json = cb.toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header is not valid UTF-8", e);
        }
        long dataStart = 8 + n;
        long dataLen = fileSize - dataStart;
        ParsedHeader p = parseHeader(file, json);
        validateLayout(file, p.tensors, dataLen);
        return new Header(Collections.unmodifiableList(p.tensors), p.metadata, dataStart);
    }

    private record ParsedHeader(List<TensorInfo> tensors, LinkedHashMap<String, String> metadata) {}

    private static ParsedHeader parseHeader(Path file, String json) throws SafeTensorsException {
        List<TensorInfo> tensors = new ArrayList<>();
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        TypeAdapter<JsonElement> elements = ELEMENT_ADAPTER;
        Set<String> seen = new HashSet<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw new SafeTensorsException(file, "header is not a JSON object");
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (!seen.add(name)) throw new SafeTensorsException(file, "duplicate header entry '" + name + "'");
                JsonElement value = elements.read(r);
                if (name.equals(METADATA_KEY)) {
                    parseMetadata(file, value, metadata);
                } else {
                    tensors.add(parseTensor(file, name, value));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) throw new SafeTensorsException(file, "trailing content after the header JSON");
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new SafeTensorsException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        return new ParsedHeader(tensors, metadata);
    }

    private static void parseMetadata(Path file, JsonElement value, Map<String, String> out) throws SafeTensorsException {
        if (value.isJsonNull()) return;
        if (!value.isJsonObject()) throw new SafeTensorsException(file, "'" + METADATA_KEY + "' is not a JSON object");
        for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new SafeTensorsException(file, "metadata value for '" + e.getKey() + "' is not a string: " + v);
            }
            out.put(e.getKey(), v.getAsString());
        }
    }

    private static TensorInfo parseTensor(Path file, String name, JsonElement value) throws SafeTensorsException {
        String where = "tensor '" + name + "': ";
        if (!value.isJsonObject()) throw new SafeTensorsException(file, where + "header entry is not a JSON object");
        JsonObject o = value.getAsJsonObject();

        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new SafeTensorsException(file, where + "missing or non-string \"dtype\"");
        }
        String dtype = dt.getAsString();
        Integer elemBytes = KNOWN_DTYPES.get(dtype);
        if (elemBytes == null) throw new SafeTensorsException(file, where + "unknown dtype \"" + dtype + "\"");
        if (!READABLE_DTYPES.contains(dtype)) {
            throw new SafeTensorsException(file, where + "unsupported dtype \"" + dtype + "\" (readable: F32, F64, F16, BF16)");
        }

        JsonElement sh = o.get("shape");
        if (sh == null || !sh.isJsonArray()) throw new SafeTensorsException(file, where + "missing or non-array \"shape\"");
        JsonArray sa = sh.getAsJsonArray();
        int[] shape = new int[sa.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = nonNegativeInteger(file, where + "shape[" + i + "]", sa.get(i));
            if (d > Integer.MAX_VALUE) throw new SafeTensorsException(file, where + "dimension " + d + " too large");
            shape[i] = (int) d;
        }
        long count;
        try {
            count = NamedArray.elementCount(shape);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, where + e.getMessage());
        }

        JsonElement off = o.get("data_offsets");
        if (off == null || !off.isJsonArray() || off.getAsJsonArray().size() != 2) {
            throw new SafeTensorsException(file, where + "\"data_offsets\" must be an array [begin, end]");
        }
        long begin = nonNegativeInteger(file, where + "data_offsets[0]", off.getAsJsonArray().get(0));
        long end = nonNegativeInteger(file, where + "data_offsets[1]", off.getAsJsonArray().get(1));
        if (end < begin) throw new SafeTensorsException(file, where + "data_offsets end " + end + " < begin " + begin);
        long expectBytes = count * elemBytes;
        if (end - begin != expectBytes) {
            throw new SafeTensorsException(file, where + "shape " + Arrays.toString(shape) + " x " + dtype + " needs "
                    + expectBytes + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long nonNegativeInteger(Path file, String what, JsonElement e) throws SafeTensorsException {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                BigDecimal v = ((JsonPrimitive) e).getAsBigDecimal();
                if (v.signum() >= 0) return v.longValueExact();
            } catch (ArithmeticException | NumberFormatException ignored) {
                // not an integer / out of range: fall through
            }
        }
        throw new SafeTensorsException(file, what + " must be a non-negative integer, got " + e);
    }

    /** Byte ranges must lie inside the data buffer and tile it exactly, as in the reference validator. */
    private static void validateLayout(Path file, List<TensorInfo> tensors, long dataLen) throws SafeTensorsException {
        for (TensorInfo t : tensors) {
            if (t.end() > dataLen) {
                throw new SafeTensorsException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] exceed the data buffer of " + dataLen + " bytes (file truncated?)");
            }
        }
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long cursor = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < cursor) {
                throw new SafeTensorsException(file, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + "]");
            }
            if (t.begin() > cursor) {
                throw new SafeTensorsException(file, "tensor '" + t.name() + "': data_offsets begin " + t.begin()
                        + " leaves a gap after byte " + cursor + " of the data buffer");
            }
            cursor = t.end();
            prev = t;
        }
        if (cursor != dataLen) {
            throw new SafeTensorsException(file, "data buffer is " + dataLen + " bytes but tensors cover only " + cursor
                    + " (trailing bytes or wrong offsets)");
        }
    }

    private static void readData(Path file, FileChannel ch, long dataStart, TensorInfo t, float[] out, ByteBuffer buf)
            throws IOException {
        int elemBytes = KNOWN_DTYPES.get(t.dtype());
        int chunkElems = buf.capacity() / elemBytes;
        long pos = dataStart + t.begin();
        for (int off = 0; off < out.length; off += chunkElems) {
            int n = Math.min(chunkElems, out.length - off);
            buf.clear().limit(n * elemBytes);
            readFully(file, ch, buf, pos);
            pos += (long) n * elemBytes;
            buf.flip();
            switch (t.dtype()) {
                case "F32" -> buf.asFloatBuffer().get(out, off, n);
                case "F64" -> {
                    for (int i = 0; i < n; i++) out[off + i] = (float) buf.getDouble(i * 8);
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) out[off + i] = halfToFloat(buf.getShort(i * 2));
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) out[off + i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xffff) << 16);
                }
                default -> throw new SafeTensorsException(file, "tensor '" + t.name() + "': unsupported dtype " + t.dtype());
            }
        }
    }

    /** IEEE 754 binary16 to float32 (exact: every half value is representable). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // Inf / NaN
        if (exp == 0) { // zero or subnormal: mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13)); // rebias 15 -> 127
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new SafeTensorsException(file, "unexpected end of file at byte " + pos);
            pos += r;
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }
}
