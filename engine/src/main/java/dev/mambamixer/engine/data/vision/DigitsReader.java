package dev.mambamixer.engine.data.vision;

import dev.mambamixer.engine.data.DataFormatException;
import dev.mambamixer.engine.data.GzipData;
import dev.mambamixer.engine.io.FileErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads scikit-learn's {@code digits.csv(.gz)} (the UCI optdigits test set): no header, one image
 * per line, 64 integer pixel counts 0..16 row-major for an 8×8 image, then the label 0..9. It is
 * the small, always-available vision set (1,797 images), useful when MNIST is missing and for fast
 * tests. Pixels are divided by 16. Gzip is detected by magic bytes. Any deviation (wrong number of
 * columns, a value out of range, a non-integer cell, a blank line in the middle) is a
 * {@link DataFormatException} naming the file, the 1-based line and the 1-based column.
 */
public final class DigitsReader {
    public static final int SIDE = 8;
    public static final int PIXELS = SIDE * SIDE;
    public static final int COLUMNS = PIXELS + 1;
    public static final int MAX_VALUE = 16;

    private DigitsReader() {}

    public static ImageSet read(Path csv) throws IOException {
        String name = csv.toString();
        FileErrors.checkReadableFile(csv);
        byte[] b = FileErrors.readAllBytes(csv);
        if (GzipData.isGzip(b)) b = GzipData.gunzip(b, name);   // by magic bytes, as VisionFiles.open
        int n = b.length;
        float[] px = new float[Math.max(16, n / 100) * PIXELS];
        int[] labels = new int[Math.max(16, n / 100)];
        int rows = 0, lineNo = 0, firstBlank = -1, pos = 0;
        int[] cells = new int[COLUMNS];
        while (pos < n) {
            lineNo++;
            int end = pos;
            while (end < n && b[end] != '\n' && b[end] != '\r') end++;
            if (isBlank(b, pos, end)) {
                if (firstBlank < 0) firstBlank = lineNo;
            } else {
                if (firstBlank >= 0)
                    throw new DataFormatException(name, firstBlank, "blank line inside the data (allowed only at the end)");
                parseLine(b, pos, end, name, lineNo, cells);
                if (rows == labels.length) {
                    labels = Arrays.copyOf(labels, rows * 2);
                    px = Arrays.copyOf(px, rows * 2 * PIXELS);
                }
                for (int c = 0; c < PIXELS; c++) px[rows * PIXELS + c] = cells[c] / (float) MAX_VALUE;
                labels[rows++] = cells[PIXELS];
            }
            pos = end + ((end + 1 < n && b[end] == '\r' && b[end + 1] == '\n') ? 2 : 1);
        }
        if (rows == 0) throw new DataFormatException(name, 1, "no data lines; expected 65 integers per line (64 pixels 0..16, then the label 0..9)");
        return new ImageSet(name, Arrays.copyOf(px, rows * PIXELS), Arrays.copyOf(labels, rows),
                SIDE, SIDE, 1, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    private static void parseLine(byte[] b, int s, int e, String name, int lineNo, int[] out) {
        int count = 1;
        for (int i = s; i < e; i++) if (b[i] == ',') count++;
        if (count != COLUMNS)
            throw new DataFormatException(name, lineNo, count + " columns, expected " + COLUMNS
                    + " (64 pixel values, then the label)");
        int col = 0, start = s;
        for (int i = s; i <= e; i++) {
            if (i == e || b[i] == ',') {
                int max = col < PIXELS ? MAX_VALUE : 9;
                out[col] = parseCell(b, start, i, name, lineNo, col + 1, max);
                col++;
                start = i + 1;
            }
        }
    }

    private static int parseCell(byte[] b, int s, int e, String name, int lineNo, int column, int max) {
        while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
        String what = column <= PIXELS ? "pixel" : "label";
        if (s == e) throw new DataFormatException(name, lineNo, "column " + column + ": empty " + what + " cell");
        int v = 0;
        for (int i = s; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || i - s > 6)
                throw new DataFormatException(name, lineNo, "column " + column + ": '"
                        + new String(b, s, e - s, StandardCharsets.UTF_8)
                        + "' is not a non-negative integer (" + what + " values are integers 0.." + max + ")");
            v = v * 10 + d;
        }
        if (v > max)
            throw new DataFormatException(name, lineNo, "column " + column + ": " + what + " value " + v
                    + " is outside 0.." + max);
        return v;
    }

    private static boolean isBlank(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) if (b[i] != ' ' && b[i] != '\t') return false;
        return true;
    }
}
