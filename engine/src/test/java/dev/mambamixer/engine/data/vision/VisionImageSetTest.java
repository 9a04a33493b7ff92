package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tests for {@link ImageSet}. */
class VisionImageSetTest {
    @Test void subsetCopiesImagesAndLabels() {
        ImageSet s = VisionTestData.synthetic(12, 2, 3, 2, 4);
        ImageSet sub = s.subset(new int[] {5, 1}, "two");
        assertEquals(2, sub.count());
        assertArrayEquals(new int[] {1, 1}, sub.labels());
        assertEquals(0.5f, sub.pixels()[0]);
        assertEquals(0.1f, sub.pixels()[12]);
        assertEquals("synthetic [two]", sub.source());
        assertArrayEquals(new int[] {3, 3, 3, 3}, s.classCounts());
        float[] dst = new float[14];
        s.copyImage(3, dst, 2);
        assertEquals(0.3f, dst[2]);
        assertEquals(0f, dst[1]);
    }

    @Test void constructorRejectsBadInput() {
        List<String> names = List.of("a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("f", new float[8], new int[] {0, 2}, 2, 2, 1, names));
        assertEquals("f: image 1 has label 2, outside 0..1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ImageSet("f", new float[7], new int[] {0, 1}, 2, 2, 1, names));
        assertTrue(e.getMessage().startsWith("f: 2 labels need 8 pixel values"), e.getMessage());
        float[] px = new float[8];
        px[5] = 1.5f;
        e = assertThrows(IllegalArgumentException.class, () -> new ImageSet("f", px, new int[] {0, 1}, 2, 2, 1, names));
        assertEquals("f: image 1 has pixel value 1.5 at offset 1; pixels must lie in [0, 1]", e.getMessage());
    }
}
