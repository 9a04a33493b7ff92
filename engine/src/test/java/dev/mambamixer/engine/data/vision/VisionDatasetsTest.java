package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VisionDatasetsTest {
    @TempDir Path tmp;

    @Test void mnistFallsBackToTheFixedSharedTestSplit() throws IOException {
        Path dir = MnistReaderTest.images().getParent();
        VisionDatasets.VisionSplits s = VisionDatasets.mnist(dir);
        assertEquals(8000, s.train().count());
        assertEquals(2000, s.heldOut().count());
        assertTrue(s.description().startsWith("MNIST t10k only (10,000 images), stratified split 8,000 train / 2,000 held out, seed 20240328"),
                s.description());
        int[] tr = s.train().classCounts(), ho = s.heldOut().classCounts();
        for (int k = 0; k < 10; k++) {
            assertEquals(MnistReaderTest.T10K_COUNTS[k], tr[k] + ho[k]);
            assertTrue(Math.abs(tr[k] - 0.8 * MnistReaderTest.T10K_COUNTS[k]) <= 1);
        }
        VisionDatasets.VisionSplits again = VisionDatasets.mnistSharedTestSplit(dir);
        assertArrayEquals(s.train().labels(), again.train().labels());
        assertArrayEquals(s.heldOut().pixels(), again.heldOut().pixels());
    }

    @Test void mnistUsesOfficialSplitWhenTrainFilesArePresent() throws IOException {
        Path dir = tmp.resolve("mnist");
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte"), MnistReaderTest.idxImages(2051, 5, 2, 2, 20));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), MnistReaderTest.idxLabels(5, 1, 2, 3, 4, 5));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), MnistReaderTest.idxImages(2051, 2, 2, 2, 8));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), MnistReaderTest.idxLabels(2, 7, 8));
        VisionDatasets.VisionSplits s = VisionDatasets.mnist(dir);
        assertEquals(5, s.train().count());
        assertArrayEquals(new int[] {7, 8}, s.heldOut().labels());
        assertEquals("MNIST official split: 5 train / 2 test, from " + dir, s.description());
    }

    @Test void digitsSplit1438And359() throws IOException {
        VisionDatasets.VisionSplits s = VisionDatasets.digits(VisionTestData.sharedFile("digits/digits.csv.gz"));
        assertEquals(1438, s.train().count());
        assertEquals(359, s.heldOut().count());
        assertTrue(s.description().contains("1,438 train / 359 held out, seed " + VisionDatasets.DIGITS_SPLIT_SEED));
    }

    @Test void imageFolderSplit() throws IOException {
        Path root = tmp.resolve("shapes");
        for (int i = 0; i < 5; i++) {
            ImageFolderReaderTest.writeImage(root.resolve("a/" + i + ".png"), 3, 3, BufferedImage.TYPE_INT_RGB, 0xFFFFFF, "png");
            ImageFolderReaderTest.writeImage(root.resolve("b/" + i + ".bmp"), 5, 4, BufferedImage.TYPE_INT_RGB, 0x0000FF, "bmp");
        }
        VisionDatasets.VisionSplits s = VisionDatasets.imageFolder(root, 2, 2, 3, 0.6);
        assertEquals(6, s.train().count());
        assertArrayEquals(new int[] {3, 3}, s.train().classCounts());
        assertArrayEquals(new int[] {2, 2}, s.heldOut().classCounts());
        assertTrue(s.description().contains("10 images, 2 classes, resized to 2x2x3"), s.description());
    }
}
