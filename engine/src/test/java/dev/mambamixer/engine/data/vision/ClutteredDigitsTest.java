package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.data.vision.ClutteredDigits.CanvasExample;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClutteredDigitsTest {
    /** 30 distinct 12x10 "digits", every pixel in (0, 1], label i % 10. */
    static ImageSet source() {
        int n = 30, h = 12, w = 10;
        float[] px = new float[n * h * w];
        SplittableRandom r = new SplittableRandom(3);
        for (int k = 0; k < px.length; k++) px[k] = 0.05f + 0.95f * (float) r.nextDouble();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = i % 10;
        return new ImageSet("test-digits", px, y, h, w, 1, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    /** Index of the source image whose pixels are all <= the canvas box (exactly equal when exact). */
    static int matchAtBox(ImageSet s, CanvasExample e, boolean exact) {
        float[] c = e.pixels();
        int found = -1;
        for (int i = 0; i < s.count(); i++) {
            boolean ok = true;
            for (int y = 0; y < e.height() && ok; y++) for (int x = 0; x < e.width() && ok; x++) {
                float src = s.pixels()[i * s.imageSize() + y * s.width() + x];
                float got = c[(e.top() + y) * e.canvas() + e.left() + x];
                ok = exact ? got == src : got >= src;
            }
            if (ok) { assertEquals(-1, found, "ambiguous match"); found = i; }
        }
        return found;
    }

    @Test void withoutClutterTheDigitSitsExactlyInItsBox() {
        ImageSet s = source();
        ClutteredDigits task = new ClutteredDigits(s, 40, 0, 4);
        SplittableRandom rng = new SplittableRandom(11);
        for (int t = 0; t < 20; t++) {
            CanvasExample e = task.sample(rng);
            assertEquals(12, e.height());
            assertEquals(10, e.width());
            int i = matchAtBox(s, e, true);
            assertTrue(i >= 0, "digit pixels found at the box");
            assertEquals(s.label(i), e.label());
            float[] c = e.pixels();
            for (int y = 0; y < 40; y++) for (int x = 0; x < 40; x++) {
                boolean in = y >= e.top() && y < e.top() + 12 && x >= e.left() && x < e.left() + 10;
                if (!in) assertEquals(0f, c[y * 40 + x]);
            }
        }
    }

    @Test void clutterAddsFragmentsOutsideButKeepsTheDigit() {
        ImageSet s = source();
        ClutteredDigits task = new ClutteredDigits(s, 48, 6, 4);
        SplittableRandom rng = new SplittableRandom(5);
        for (int t = 0; t < 20; t++) {
            CanvasExample e = task.sample(rng);
            int i = matchAtBox(s, e, false);
            assertTrue(i >= 0);
            assertEquals(s.label(i), e.label());
            int outside = 0;
            float[] c = e.pixels();
            for (int y = 0; y < 48; y++) for (int x = 0; x < 48; x++) {
                boolean in = y >= e.top() && y < e.top() + 12 && x >= e.left() && x < e.left() + 10;
                if (!in && c[y * 48 + x] > 0) outside++;
            }
            // at most 25 % of each 4x4 fragment may lie on the box, so at least 12 of its pixels are outside
            assertTrue(outside >= 12, "clutter outside the box: " + outside);
            assertTrue(outside <= 6 * 16);
        }
    }

    @Test void boxMaskCoversCellsAtLeastHalfCovered() {
        CanvasExample centred = new CanvasExample(new float[56 * 56], 56, 1, 3, 14, 14, 28, 28);
        boolean[] m = centred.boxMask(4, 4);
        boolean[] want = new boolean[16];
        for (int cell : new int[] {5, 6, 9, 10}) want[cell] = true;
        assertArrayEquals(want, m);
        CanvasExample shifted = new CanvasExample(new float[56 * 56], 56, 1, 3, 7, 14, 28, 28);
        want = new boolean[16];
        for (int cell : new int[] {1, 2, 5, 6, 9, 10}) want[cell] = true; // rows 0 and 2 are exactly half covered
        assertArrayEquals(want, shifted.boxMask(4, 4));
        CanvasExample corner = new CanvasExample(new float[56 * 56], 56, 1, 3, 0, 50, 28, 6);
        boolean[] m7 = corner.boxMask(7, 7); // cells of 8 px: columns 48..55 overlap by 6 px ≥ 4
        for (int r = 0; r < 7; r++) for (int c = 0; c < 7; c++)
            assertEquals(c == 6 && r <= 2, m7[r * 7 + c], "r=" + r + " c=" + c); // row 3: 4x6 = 24 of 64 px < half
        assertArrayEquals(new int[] {5, 6, 9, 10}, centred.digitMark(4, 4).positions());
        assertEquals(ClutteredDigits.DIGIT_ROLE, centred.digitMark(4, 4).role());
    }

    @Test void deterministicInTheSeed() {
        ClutteredDigits task = new ClutteredDigits(source(), 40, 6, 3);
        List<CanvasExample> a = task.examples(99, 8), b = task.examples(99, 8), c = task.examples(100, 8);
        ImageSet g = task.generate(99, 8, "demo");
        boolean differs = false;
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(a.get(i).pixels(), b.get(i).pixels());
            assertEquals(a.get(i).label(), g.label(i));
            float[] gi = new float[40 * 40];
            g.copyImage(i, gi, 0);
            assertArrayEquals(a.get(i).pixels(), gi);
            differs |= !java.util.Arrays.equals(a.get(i).pixels(), c.get(i).pixels());
        }
        assertTrue(differs);
        assertEquals(40, g.height());
        assertTrue(g.source().startsWith("demo (cluttered 40x40, 6 fragments of 3px, seed 99"), g.source());
    }

    @Test void defaultsAndValidation() {
        assertEquals(3, ClutteredDigits.defaultFragmentSize(source())); // min side 10: round(9 * 10 / 28) = 3
        assertEquals(3, ClutteredDigits.defaultFragmentSize(VisionTestData.synthetic(2, 8, 8, 1, 2))); // 2.57 → 3
        assertEquals(18, ClutteredDigits.defaultFragmentSize(VisionTestData.synthetic(2, 56, 56, 1, 2)));
        ClutteredDigits d = new ClutteredDigits(VisionTestData.synthetic(2, 8, 8, 1, 2));
        assertEquals(56, d.canvas());
        assertThrows(IllegalArgumentException.class, () -> new ClutteredDigits(source(), 40, 6, 11));
        assertThrows(IllegalArgumentException.class, () -> new ClutteredDigits(source(), 40, -1, 3));
    }

    @Test void realMnistCanvasesKeepTheDigit() throws IOException {
        ImageSet mnist = MnistReader.read(MnistReaderTest.images(), MnistReaderTest.labels()).subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "first ten");
        ClutteredDigits task = new ClutteredDigits(mnist);
        assertEquals(56, task.canvas());
        assertEquals(6, task.fragments());
        assertEquals(9, task.fragmentSize());
        for (CanvasExample e : task.examples(1, 10)) {
            int i = matchAtBox(mnist, e, false);
            assertTrue(i >= 0);
            assertEquals(mnist.label(i), e.label());
        }
        ImageSet digits8 = ClutteredDigits.upscale(source().subset(new int[] {0, 1}, "two"), 3);
        assertEquals(36, digits8.height());
        assertEquals(30, digits8.width());
        assertEquals(source().pixels()[0], digits8.pixels()[2 * 30 + 2]);
        assertThrows(IllegalArgumentException.class, () -> new ClutteredDigits(source(), 11, 6, 3));
        assertFalse(new ClutteredDigits(source(), 12, 0, 3).examples(1, 1).isEmpty());
    }
}
