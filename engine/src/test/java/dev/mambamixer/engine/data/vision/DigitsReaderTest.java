package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mambamixer.engine.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsReaderTest {
    static final int[] COUNTS = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};

    @TempDir Path tmp;

    @Test void readsSharedDigitsWithReadmeCounts() throws IOException {
        ImageSet s = DigitsReader.read(VisionTestData.sharedFile("digits/digits.csv.gz"));
        assertEquals(1797, s.count());
        assertEquals(8, s.height());
        assertEquals(8, s.width());
        assertEquals(1, s.channels());
        assertArrayEquals(COUNTS, s.classCounts());
        assertEquals(0, s.label(0));
        assertEquals(5 / 16f, s.pixels()[2]); // first row: 0,0,5,13,...
        assertEquals(13 / 16f, s.pixels()[3]);
        float max = 0;
        for (float v : s.pixels()) max = Math.max(max, v);
        assertEquals(1f, max);
    }

    static String row(int label, int... overrides) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++) sb.append(i < overrides.length ? overrides[i] : i % 17).append(',');
        return sb.append(label).toString();
    }

    Path write(String text) throws IOException {
        Path p = tmp.resolve("d.csv");
        Files.writeString(p, text);
        return p;
    }

    @Test void plainFileWithCrlfReads() throws IOException {
        ImageSet s = DigitsReader.read(write(row(3) + "\r\n" + row(9) + "\r\n\r\n"));
        assertArrayEquals(new int[] {3, 9}, s.labels());
        assertEquals(16 / 16f, s.pixels()[16]);
    }

    @Test void wrongColumnCountNamesLine() throws IOException {
        Path p = write(row(1) + "\n" + row(2) + ",5\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsReader.read(p));
        assertEquals(p + ": line 2: 66 columns, expected 65 (64 pixel values, then the label)", e.getMessage());
    }

    @Test void valueSeventeenNamesLineAndColumn() throws IOException {
        Path p = write(row(1) + "\n" + row(2) + "\n" + row(4, 0, 0, 17) + "\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DigitsReader.read(p));
        assertEquals(p + ": line 3: column 3: pixel value 17 is outside 0..16", e.getMessage());
        assertEquals(3, e.line());
    }

    @Test void nonIntegerAndBadLabelNamesColumn() throws IOException {
        Path p = write(row(1).replaceFirst("^0,", "0.5,"));
        assertEquals(p + ": line 1: column 1: '0.5' is not a non-negative integer (pixel values are integers 0..16)",
                assertThrows(DataFormatException.class, () -> DigitsReader.read(p)).getMessage());
        Path q = write(row(10));
        assertEquals(q + ": line 1: column 65: label value 10 is outside 0..9",
                assertThrows(DataFormatException.class, () -> DigitsReader.read(q)).getMessage());
        Path r = write(row(1) + "\n\n" + row(2) + "\n");
        assertEquals(r + ": line 2: blank line inside the data (allowed only at the end)",
                assertThrows(DataFormatException.class, () -> DigitsReader.read(r)).getMessage());
    }
}
