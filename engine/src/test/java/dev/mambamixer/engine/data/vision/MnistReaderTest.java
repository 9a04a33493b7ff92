package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.data.DataFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistReaderTest {
    static final int[] T10K_COUNTS = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    @TempDir Path tmp;

    static Path images() { return VisionTestData.sharedFile("mnist/t10k-images-idx3-ubyte.gz"); }
    static Path labels() { return VisionTestData.sharedFile("mnist/t10k-labels-idx1-ubyte.gz"); }

    static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) { return in.readAllBytes(); }
    }

    @Test void readsSharedTestSetWithReadmeCounts() throws IOException {
        ImageSet s = MnistReader.read(images(), labels());
        assertEquals(10_000, s.count());
        assertEquals(28, s.height());
        assertEquals(28, s.width());
        assertEquals(1, s.channels());
        assertEquals(10, s.classes());
        assertArrayEquals(T10K_COUNTS, s.classCounts());
        float min = 1, max = 0;
        for (float v : s.pixels()) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals(0f, min);
        assertEquals(1f, max);
        assertEquals(7, s.label(0)); // first t10k label is a 7
    }

    @Test void plainAndGzipGiveIdenticalData() throws IOException {
        Path img = tmp.resolve("t10k-images.idx"), lbl = tmp.resolve("t10k-labels.gz"); // misleading name on purpose
        Files.write(img, gunzip(images()));
        Files.write(lbl, gunzip(labels()));
        ImageSet gz = MnistReader.read(images(), labels());
        ImageSet plain = MnistReader.read(img, lbl);
        assertArrayEquals(gz.pixels(), plain.pixels());
        assertArrayEquals(gz.labels(), plain.labels());
    }

    // ---- corrupted synthetic files ----

    static byte[] idxImages(int magic, int count, int rows, int cols, int dataBytes) {
        byte[] b = new byte[16 + dataBytes];
        putInt(b, 0, magic); putInt(b, 4, count); putInt(b, 8, rows); putInt(b, 12, cols);
        for (int i = 0; i < dataBytes; i++) b[16 + i] = (byte) (i * 7);
        return b;
    }

    static byte[] idxLabels(int count, int... values) {
        byte[] b = new byte[8 + values.length];
        putInt(b, 0, 2049); putInt(b, 4, count);
        for (int i = 0; i < values.length; i++) b[8 + i] = (byte) values[i];
        return b;
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24); b[off + 1] = (byte) (v >>> 16); b[off + 2] = (byte) (v >>> 8); b[off + 3] = (byte) v;
    }

    Path write(String name, byte[] data, boolean gzip) throws IOException {
        Path p = tmp.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) { out.write(data); }
        return p;
    }

    @Test void smallValidFileReads() throws IOException {
        ImageSet s = MnistReader.read(write("i", idxImages(2051, 3, 2, 2, 12), false), write("l", idxLabels(3, 0, 9, 4), true));
        assertEquals(3, s.count());
        assertArrayEquals(new int[] {0, 9, 4}, s.labels());
        assertEquals((7 * 5 & 0xFF) / 255f, s.pixels()[5]);
    }

    @Test void wrongMagicNamesFileAndHeader() throws IOException {
        Path img = write("bad-images.idx", idxImages(2050, 3, 2, 2, 12), false);
        Path lbl = write("l", idxLabels(3, 0, 1, 2), false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MnistReader.read(img, lbl));
        assertTrue(e.getMessage().startsWith(img.toString() + ": header: magic number 2050 at byte 0, expected 2051"), e.getMessage());
        Path good = write("good-images.idx", idxImages(2051, 3, 2, 2, 12), false);
        DataFormatException swapped = assertThrows(DataFormatException.class, () -> MnistReader.read(lbl, good));
        assertEquals(good + ": header: magic number 2051 at byte 0, expected 2049 for an IDX labels file"
                + " (2051 is an images file: are the images and labels paths swapped?)", swapped.getMessage());
    }

    @Test void truncatedImagesSayWhichImageAndHowManyBytes() throws IOException {
        // 10 images of 2x2 = 40 data bytes announced; only 17 present → image 5 of 10 is cut.
        Path img = write("trunc.gz", Arrays.copyOf(idxImages(2051, 10, 2, 2, 40), 16 + 17), true);
        Path lbl = write("l", idxLabels(10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MnistReader.read(img, lbl));
        assertEquals(img + ": image 5 of 10: file ends after 33 of 56 bytes (truncated download?)", e.getMessage());
        assertEquals(5, e.line());
    }

    @Test void truncatedGzipStreamOfRealFileIsReported() throws IOException {
        byte[] gz = Files.readAllBytes(images());
        Path img = write("cut-images.gz", Arrays.copyOf(gz, gz.length / 2), false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MnistReader.read(img, labels()));
        assertTrue(e.getMessage().startsWith(img + ": image "), e.getMessage());
        assertTrue(e.getMessage().contains(" of 10,000: file ends after ") && e.getMessage().endsWith(" of 7,840,016 bytes (truncated download?)"), e.getMessage());
    }

    @Test void countMismatchNamesBothFiles() throws IOException {
        Path img = write("i", idxImages(2051, 3, 2, 2, 12), false);
        Path lbl = write("short-labels", idxLabels(2, 0, 1), false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MnistReader.read(img, lbl));
        assertEquals(img + ": header: 3 images, but " + lbl + " has 2 labels; the two files must come from the same set", e.getMessage());
    }

    @Test void labelAboveNineNamesRecordAndByte() throws IOException {
        Path img = write("i", idxImages(2051, 3, 2, 2, 12), false);
        Path lbl = write("labels12", idxLabels(3, 0, 12, 2), false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> MnistReader.read(img, lbl));
        assertEquals(lbl + ": label 2 of 3: value 12 at byte 9; MNIST labels are 0..9", e.getMessage());
        assertEquals(2, e.line());
    }

    @Test void trailingBytesAndBadDimensionsAreErrors() throws IOException {
        Path lbl = write("l", idxLabels(3, 0, 1, 2), false);
        Path extra = write("extra", idxImages(2051, 3, 2, 2, 15), false);
        assertTrue(assertThrows(DataFormatException.class, () -> MnistReader.read(extra, lbl)).getMessage()
                .contains("3 extra bytes after the 28 bytes"));
        Path zeroRows = write("zero", idxImages(2051, 3, 0, 2, 0), false);
        assertTrue(assertThrows(DataFormatException.class, () -> MnistReader.read(zeroRows, lbl)).getMessage()
                .startsWith(zeroRows + ": header: row count 0 at byte 8"));
    }
}
