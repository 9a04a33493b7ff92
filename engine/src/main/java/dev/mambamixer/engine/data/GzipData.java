package dev.mambamixer.engine.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Gunzips a whole file held in memory, turning the inflater's exceptions ("Unexpected end of ZLIB
 * input stream", "Corrupt GZIP trailer", an {@code EOFException} with no message for an empty
 * file) into a {@link DataFormatException} that names the file, the compressed byte where reading
 * stopped and what that means (truncated download, not gzip at all, empty file).
 */
public final class GzipData {
    private GzipData() {}

    /** True when {@code b} starts with the gzip magic bytes 1f 8b. */
    public static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b;
    }

    /** The decompressed bytes of {@code compressed}; {@code name} is the file named in errors. */
    public static byte[] gunzip(byte[] compressed, String name) {
        if (compressed.length == 0)
            throw new DataFormatException(name, 0, "", "empty file (0 bytes); a .gz file must hold gzip data");
        if (!isGzip(compressed))
            throw new DataFormatException(name, 0, "byte 0", "not gzip data: the file does not start with the gzip"
                    + " magic bytes 1f 8b (is it an uncompressed file with a .gz name?)");
        Source src = new Source(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, Math.min(compressed.length, 1 << 27) * 4));
        Inflating gz = null;
        try {
            gz = new Inflating(src);
            gz.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            long at = src.position() - (gz == null ? 0 : gz.unconsumed());
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            boolean truncated = at >= compressed.length || why.toLowerCase(Locale.ROOT).contains("unexpected end");
            throw new DataFormatException(name, 0, "byte " + n(at) + " of " + n(compressed.length),
                    (truncated ? "truncated gzip data: the compressed stream ends early" : "corrupt gzip data")
                    + " after " + n(out.size()) + " decompressed bytes (" + why + "; an interrupted download or copy?)");
        }
    }

    private static String n(long v) { return String.format(Locale.ROOT, "%,d", v); }

    /** A byte-array stream that says how far it has been read. */
    private static final class Source extends ByteArrayInputStream {
        Source(byte[] b) { super(b); }

        long position() { return pos; }
    }

    /** GZIPInputStream that says how many bytes it has read but not yet inflated. */
    private static final class Inflating extends GZIPInputStream {
        Inflating(InputStream in) throws IOException { super(in, 1 << 16); }

        int unconsumed() { return inf.getRemaining(); }
    }
}
