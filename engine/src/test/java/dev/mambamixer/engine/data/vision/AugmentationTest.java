package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    @Test void shiftMovesAKnownPixelAndZeroFills() {
        int h = 5, w = 6, c = 2;
        float[] src = new float[3 + h * w * c];
        src[3 + (1 * w + 2) * c + 1] = 0.7f; // (y=1, x=2, channel 1), at offset 3
        float[] dst = new float[4 + h * w * c];
        java.util.Arrays.fill(dst, 9f);
        Augmentation.shift(src, 3, h, w, c, 2, -1, dst, 4);
        assertEquals(9f, dst[3], "outside the destination range is untouched");
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int k = 0; k < c; k++) {
            float want = (y == 3 && x == 1 && k == 1) ? 0.7f : 0f;
            assertEquals(want, dst[4 + (y * w + x) * c + k], "y=" + y + " x=" + x + " c=" + k);
        }
    }

    @Test void shiftOutOfFrameIsAllZeroAndZeroShiftIsCopy() {
        float[] src = new float[16];
        for (int i = 0; i < 16; i++) src[i] = i / 16f;
        float[] dst = new float[16];
        Augmentation.shift(src, 0, 4, 4, 1, 0, 0, dst, 0);
        assertArrayEquals(src, dst);
        Augmentation.shift(src, 0, 4, 4, 1, 0, 4, dst, 0);
        assertArrayEquals(new float[16], dst);
        Augmentation.shift(src, 0, 4, 4, 1, -1, 0, dst, 0);
        assertEquals(src[4], dst[0]);
        assertEquals(0f, dst[12]);
    }

    @Test void randomShiftStaysInRangeAndIsSeeded() {
        float[] src = new float[9 * 9];
        src[4 * 9 + 4] = 1f;
        float[] a = new float[81], b = new float[81];
        boolean moved = false;
        for (int t = 0; t < 50; t++) {
            int[] s = Augmentation.randomShift(src, 0, 9, 9, 1, 2, new SplittableRandom(t), a, 0);
            int[] s2 = Augmentation.randomShift(src, 0, 9, 9, 1, 2, new SplittableRandom(t), b, 0);
            assertArrayEquals(s, s2);
            assertArrayEquals(a, b);
            assertTrue(Math.abs(s[0]) <= 2 && Math.abs(s[1]) <= 2);
            assertEquals(1f, a[(4 + s[0]) * 9 + 4 + s[1]]);
            moved |= s[0] != 0 || s[1] != 0;
        }
        assertTrue(moved);
    }
}
