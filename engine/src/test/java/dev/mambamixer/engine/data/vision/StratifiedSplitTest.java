package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
    static void checkPartition(int[][] s, int n) {
        boolean[] seen = new boolean[n];
        for (int[] part : s) {
            for (int k = 0; k < part.length; k++) {
                if (k > 0) assertTrue(part[k - 1] < part[k], "sorted ascending");
                assertFalse(seen[part[k]], "index " + part[k] + " twice");
                seen[part[k]] = true;
            }
        }
        for (int i = 0; i < n; i++) assertTrue(seen[i], "index " + i + " missing");
    }

    static void checkProportions(int[] labels, int classes, int[] first, double f) {
        int[] all = new int[classes], got = new int[classes];
        for (int y : labels) all[y]++;
        for (int i : first) got[labels[i]]++;
        for (int k = 0; k < classes; k++)
            assertTrue(Math.abs(got[k] - f * all[k]) <= 1.0, "class " + k + ": " + got[k] + " vs exact " + f * all[k]);
    }

    @Test void mnistTestSetGivesExactly8000And2000() throws IOException {
        ImageSet s = MnistReader.read(MnistReaderTest.images(), MnistReaderTest.labels());
        int[] y = s.labels();
        int[][] sp = StratifiedSplit.split(y, 10, 0.8, VisionDatasets.MNIST_SPLIT_SEED);
        assertEquals(8000, sp[0].length);
        assertEquals(2000, sp[1].length);
        checkPartition(sp, 10_000);
        checkProportions(y, 10, sp[0], 0.8);
        int[][] again = StratifiedSplit.split(y, 10, 0.8, VisionDatasets.MNIST_SPLIT_SEED);
        assertArrayEquals(sp[0], again[0]);
        assertArrayEquals(sp[1], again[1]);
        int[][] other = StratifiedSplit.split(y, 10, 0.8, VisionDatasets.MNIST_SPLIT_SEED + 1);
        assertFalse(java.util.Arrays.equals(sp[0], other[0]), "a different seed gives a different split");
    }

    @Test void digitsCountsRoundTo1438And359() {
        int[] counts = DigitsReaderTest.COUNTS;
        int[] y = new int[1797];
        int p = 0;
        for (int k = 0; k < 10; k++) for (int i = 0; i < counts[k]; i++) y[p++] = k;
        // interleave a little so classes are not contiguous
        int[] mixed = new int[y.length];
        for (int i = 0; i < y.length; i++) mixed[i] = y[(i * 7) % y.length];
        int[][] sp = StratifiedSplit.split(mixed, 10, 0.8, 5);
        assertEquals(1438, sp[0].length);
        assertEquals(359, sp[1].length);
        checkPartition(sp, 1797);
        checkProportions(mixed, 10, sp[0], 0.8);
    }

    @Test void smallAwkwardSizesStillExact() {
        int[] y = {0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2}; // 3/3/5, 11 → round(0.5*11)=6
        int[][] sp = StratifiedSplit.split(y, 4, 0.5, 1);
        assertEquals(6, sp[0].length);
        checkPartition(sp, y.length);
        checkProportions(y, 4, sp[0], 0.5);
        assertEquals(0, StratifiedSplit.split(y, 4, 0.0, 1)[0].length);
        assertEquals(11, StratifiedSplit.split(y, 4, 1.0, 1)[0].length);
    }
}
