package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ImageBatches}. */
class VisionImageBatchesTest {
    /** Image i has pixel (0,0) = (i+1)/1000 and the rest zero, so a batch row tells which image it is. */
    static ImageSet indexed(int n) {
        int h = 6, w = 6;
        float[] px = new float[n * h * w];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) { px[i * h * w] = (i + 1) / 1000f; y[i] = i % 3; }
        return new ImageSet("indexed", px, y, h, w, 1, List.of("a", "b", "c"));
    }

    static List<Integer> epoch(ImageBatches b, ImageSet s, int e) {
        b.startEpoch(e);
        List<Integer> seen = new ArrayList<>();
        float[] x = new float[8 * 36];
        int[] y = new int[8];
        while (b.hasNext()) {
            int n = b.next(x, y);
            for (int k = 0; k < n; k++) {
                int i = Math.round(x[k * 36] * 1000) - 1;
                assertEquals(s.label(i), y[k]);
                seen.add(i);
            }
        }
        return seen;
    }

    @Test void eachIndexOncePerEpochOrderDiffersAndRepeats() {
        ImageSet s = indexed(53);
        ImageBatches b = new ImageBatches(s, 8, true, 42, 0);
        assertEquals(7, b.batchesPerEpoch());
        List<Integer> e0 = epoch(b, s, 0), e1 = epoch(b, s, 1);
        for (List<Integer> e : List.of(e0, e1)) {
            assertEquals(53, e.size());
            assertEquals(53, e.stream().distinct().count());
        }
        assertNotEquals(e0, e1);
        assertEquals(e0, epoch(new ImageBatches(s, 8, true, 42, 0), s, 0), "same (seed, epoch) → same order");
        assertEquals(e1, epoch(b, s, 1));
        assertNotEquals(e0, epoch(new ImageBatches(s, 8, true, 43, 0), s, 0));
    }

    @Test void noShuffleIsInOrderWithPartialLastBatchOrDropLast() {
        ImageSet s = indexed(10);
        ImageBatches b = new ImageBatches(s, 4, false, 1, 0);
        float[] x = new float[4 * 36];
        int[] y = new int[4];
        assertEquals(4, b.next(x, y));
        assertEquals(4, b.next(x, y));
        assertEquals(2, b.next(x, y));
        assertEquals(9 / 1000f + 1 / 1000f, x[36], 1e-7);
        assertFalse(b.hasNext());
        ImageBatches d = new ImageBatches(s, 4, false, 1, 0, true);
        assertEquals(2, d.batchesPerEpoch());
        d.next(x, y);
        d.next(x, y);
        assertFalse(d.hasNext());
    }

    @Test void augmentationIsReproducibleForSameSeedEpochBatch() {
        ImageSet s = VisionTestData.synthetic(20, 6, 6, 1, 2);
        float[] a = new float[5 * 36], c = new float[5 * 36];
        int[] y = new int[5];
        ImageBatches b1 = new ImageBatches(s, 5, true, 7, 2), b2 = new ImageBatches(s, 5, true, 7, 2);
        b1.startEpoch(3);
        b2.startEpoch(3);
        b1.next(a, y);
        b2.next(c, y);
        assertArrayEquals(a, c);
        b1.next(a, y);
        b1.startEpoch(3);
        b1.next(c, y);
        b2.next(a, y);
        b2.startEpoch(3);
        b2.next(a, y);
        assertArrayEquals(c, a);
        // with shifts some zero-fill appears in an otherwise constant non-zero image
        boolean zeroSeen = false;
        ImageBatches plain = new ImageBatches(s, 5, true, 7, 0);
        ImageBatches aug = new ImageBatches(s, 5, true, 7, 3);
        float[] p = new float[5 * 36];
        while (aug.hasNext()) {
            aug.next(a, y);
            plain.next(p, y);
            for (int k = 0; k < a.length; k++) if (a[k] == 0 && p[k] != 0) zeroSeen = true;
        }
        assertTrue(zeroSeen);
    }
}
