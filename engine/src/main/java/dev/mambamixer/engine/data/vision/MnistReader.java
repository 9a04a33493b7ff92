package dev.mambamixer.engine.data.vision;

import static dev.mambamixer.engine.data.vision.VisionFiles.n;

import dev.mambamixer.engine.data.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipException;

/**
 * Reads MNIST in its original IDX format (an images file with magic 2051: count, rows, cols, then
 * uint8 pixels; a labels file with magic 2049: count, then uint8 labels 0..9), gzipped or plain,
 * detected by the gzip magic bytes rather than the name. It exists because these files are often
 * damaged in transit (truncated downloads, images/labels from different sets, a swapped pair), and
 * each such case must become one {@link DataFormatException} that names the file and the place
 * (header field, or image/label k of N and how many bytes arrived) instead of an
 * ArrayIndexOutOfBounds deep in training. Pixels are divided by 255; the result has 1 channel and
 * classes "0".."9".
 */
public final class MnistReader {
    public static final int IMAGES_MAGIC = 2051;
    public static final int LABELS_MAGIC = 2049;
    /** Largest side accepted; guards against a garbage header asking for gigabytes. */
    static final int MAX_SIDE = 4096;

    private MnistReader() {}

    /** Reads an images file and its labels file; the counts must agree. */
    public static ImageSet read(Path images, Path labels) throws IOException {
        String imgName = images.toString();
        String lblName = labels.toString();
        byte[] lb = readLabels(labels);
        try (InputStream in = VisionFiles.open(images)) {
            byte[] head = new byte[16];
            int got = read(in, head, imgName);
            if (got < 4) throw new DataFormatException(imgName, 0, "header", "file ends after " + got + " bytes; an IDX images file starts with a 16-byte header");
            int magic = readInt(head, 0);
            if (magic != IMAGES_MAGIC) {
                String hint = magic == LABELS_MAGIC ? " (2049 is a labels file: are the images and labels paths swapped?)" : "";
                throw new DataFormatException(imgName, 0, "header", "magic number " + magic + " at byte 0, expected "
                        + IMAGES_MAGIC + " for an IDX images file" + hint);
            }
            if (got < 16) throw new DataFormatException(imgName, 0, "header", "file ends after " + got + " of the 16 header bytes");
            int count = readInt(head, 4), rows = readInt(head, 8), cols = readInt(head, 12);
            if (count < 0) throw new DataFormatException(imgName, 0, "header", "negative image count " + count + " at byte 4");
            if (rows < 1 || rows > MAX_SIDE) throw new DataFormatException(imgName, 0, "header", "row count " + rows + " at byte 8 is outside 1.." + MAX_SIDE);
            if (cols < 1 || cols > MAX_SIDE) throw new DataFormatException(imgName, 0, "header", "column count " + cols + " at byte 12 is outside 1.." + MAX_SIDE);
            if (count != lb.length)
                throw new DataFormatException(imgName, 0, "header", n(count) + " images, but " + lblName + " has " + n(lb.length)
                        + " labels; the two files must come from the same set");
            int per = rows * cols;
            long total = (long) count * per;
            if (total > Integer.MAX_VALUE - 8)
                throw new DataFormatException(imgName, 0, "header", n(count) + " images of " + rows + "x" + cols + " are too many to hold in one array");
            byte[] data = new byte[(int) total];
            got = read(in, data, imgName);
            if (got < total) {
                long size = 16 + total;
                throw new DataFormatException(imgName, got / per + 1, "image " + n(got / per + 1) + " of " + n(count),
                        "file ends after " + n(16 + got) + " of " + n(size) + " bytes (truncated download?)");
            }
            checkNoTrailing(in, imgName, 16 + total);
            float[] px = new float[data.length];
            for (int i = 0; i < data.length; i++) px[i] = (data[i] & 0xFF) / 255f;
            int[] y = new int[lb.length];
            for (int i = 0; i < y.length; i++) y[i] = lb[i];
            return new ImageSet(imgName, px, y, rows, cols, 1, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        }
    }

    /** Reads and checks a labels file: magic 2049, count, every label 0..9. */
    static byte[] readLabels(Path labels) throws IOException {
        String name = labels.toString();
        try (InputStream in = VisionFiles.open(labels)) {
            byte[] head = new byte[8];
            int got = read(in, head, name);
            if (got < 4) throw new DataFormatException(name, 0, "header", "file ends after " + got + " bytes; an IDX labels file starts with an 8-byte header");
            int magic = readInt(head, 0);
            if (magic != LABELS_MAGIC) {
                String hint = magic == IMAGES_MAGIC ? " (2051 is an images file: are the images and labels paths swapped?)" : "";
                throw new DataFormatException(name, 0, "header", "magic number " + magic + " at byte 0, expected "
                        + LABELS_MAGIC + " for an IDX labels file" + hint);
            }
            if (got < 8) throw new DataFormatException(name, 0, "header", "file ends after " + got + " of the 8 header bytes");
            int count = readInt(head, 4);
            if (count < 0) throw new DataFormatException(name, 0, "header", "negative label count " + count + " at byte 4");
            byte[] lb = new byte[count];
            got = read(in, lb, name);
            if (got < count)
                throw new DataFormatException(name, got + 1, "label " + n(got + 1) + " of " + n(count),
                        "file ends after " + n(8 + got) + " of " + n(8L + count) + " bytes (truncated download?)");
            checkNoTrailing(in, name, 8L + count);
            for (int i = 0; i < count; i++) {
                int v = lb[i] & 0xFF;
                if (v > 9)
                    throw new DataFormatException(name, i + 1, "label " + n(i + 1) + " of " + n(count),
                            "value " + v + " at byte " + n(8L + i) + "; MNIST labels are 0..9");
            }
            return lb;
        }
    }

    private static int read(InputStream in, byte[] buf, String name) throws IOException {
        try {
            return VisionFiles.readUpTo(in, buf, 0, buf.length);
        } catch (ZipException e) {
            throw new DataFormatException(name, 0, "", "corrupt gzip data: " + e.getMessage());
        }
    }

    private static void checkNoTrailing(InputStream in, String name, long expected) throws IOException {
        byte[] extra = new byte[1 << 12];
        long more = 0;
        int r;
        try {
            while ((r = VisionFiles.readUpTo(in, extra, 0, extra.length)) > 0) more += r;
        } catch (ZipException e) {
            throw new DataFormatException(name, 0, "", "corrupt gzip data after " + n(expected) + " bytes: " + e.getMessage());
        }
        if (more > 0)
            throw new DataFormatException(name, 0, "", n(more) + " extra bytes after the " + n(expected)
                    + " bytes the header announces; the header count may be wrong");
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }
}
