package dev.mambamixer.engine.data.vision;

import java.io.BufferedInputStream;
import java.io.EOFException;
import dev.mambamixer.engine.io.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Small file helpers shared by the vision readers. Gzip is recognised by its magic bytes
 * (1f 8b), not by the file name, because downloaded MNIST files are often renamed or already
 * decompressed by a browser while keeping ".gz".
 */
final class VisionFiles {
    private VisionFiles() {}

    /** Opens {@code path}, transparently gunzipping when it starts with the gzip magic bytes. */
    static InputStream open(Path path) throws IOException {
        FileErrors.checkReadableFile(path);   // "not found" / "is a directory" / "permission denied", with the path
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        } catch (IOException e) {
            throw FileErrors.reading(path, e);
        }
        try {
            in.mark(2);
            int b0 = in.read(), b1 = in.read();
            in.reset();
            return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Reads up to {@code len} bytes; returns how many arrived before the end of the data. A gzip
     * stream cut short (EOFException from the inflater) counts as the end, so the caller can report
     * where the data stops.
     */
    static int readUpTo(InputStream in, byte[] buf, int off, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int r;
            try {
                r = in.read(buf, off + got, len - got);
            } catch (EOFException e) {
                break;
            }
            if (r < 0) break;
            got += r;
        }
        return got;
    }

    /** 12345 → "12,345", the form used in messages. */
    static String n(long v) { return String.format(Locale.ROOT, "%,d", v); }
}
