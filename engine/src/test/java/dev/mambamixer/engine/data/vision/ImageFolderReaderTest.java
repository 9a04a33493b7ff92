package dev.mambamixer.engine.data.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.data.DataFormatException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir Path tmp;

    @BeforeAll static void headless() { System.setProperty("java.awt.headless", "true"); }

    static void writeImage(Path file, int w, int h, int type, int rgb, String format) throws IOException {
        BufferedImage im = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, rgb);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(im, format, file.toFile()), "no writer for " + format);
    }

    static void writeGray(Path file, int w, int h, int value) throws IOException {
        BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.getRaster().setSample(x, y, 0, value);
        Files.createDirectories(file.getParent());
        ImageIO.write(im, "png", file.toFile());
    }

    /** cat: white 10x10 PNG, red 6x9 PNG; dog: gray-128 7x7 PNG, black 20x15 JPEG; plus files to ignore. */
    Path twoClasses() throws IOException {
        Path root = tmp.resolve("pets");
        writeImage(root.resolve("cat/a-white.png"), 10, 10, BufferedImage.TYPE_INT_RGB, 0xFFFFFF, "png");
        writeImage(root.resolve("cat/b-red.PNG"), 6, 9, BufferedImage.TYPE_INT_RGB, 0xFF0000, "png");
        writeGray(root.resolve("dog/a-gray.png"), 7, 7, 128);
        writeImage(root.resolve("dog/b-black.jpg"), 20, 15, BufferedImage.TYPE_INT_RGB, 0x000000, "jpg");
        Files.writeString(root.resolve("dog/notes.txt"), "not an image");
        Files.writeString(root.resolve("cat/.hidden.png"), "hidden, never read");
        Files.writeString(root.resolve("README.md"), "loose file at the root is ignored");
        Files.createDirectories(root.resolve(".thumbnails"));
        return root;
    }

    @Test void readsTwoClassesResizedAndSorted() throws IOException {
        ImageSet s = ImageFolderReader.read(twoClasses(), 4, 4, 1);
        assertEquals(List.of("cat", "dog"), s.classNames());
        assertEquals(4, s.count());
        assertArrayEquals(new int[] {0, 0, 1, 1}, s.labels());
        float[] px = s.pixels();
        for (int k = 0; k < 16; k++) {
            assertEquals(1f, px[k], 1e-6, "white");
            assertEquals(0.299f, px[16 + k], 1e-5, "red luminance");
            assertEquals(128 / 255f, px[32 + k], 1e-6, "gray read from raster, no gamma change");
            assertEquals(0f, px[48 + k], 0.03, "black JPEG");
        }
    }

    @Test void threeChannelsKeepColour() throws IOException {
        ImageSet s = ImageFolderReader.read(twoClasses(), 3, 5, 3);
        assertEquals(3, s.channels());
        float[] img = new float[3 * 5 * 3];
        s.copyImage(1, img, 0); // red
        for (int p = 0; p < 15; p++) assertArrayEquals(new float[] {1f, 0f, 0f}, new float[] {img[3 * p], img[3 * p + 1], img[3 * p + 2]});
        s.copyImage(2, img, 0); // gray replicated
        for (float v : img) assertEquals(128 / 255f, v, 1e-6);
    }

    @Test void transparencyIsCompositedOverBlack() throws IOException {
        Path root = tmp.resolve("alpha");
        writeImage(root.resolve("one/half.png"), 5, 5, BufferedImage.TYPE_INT_ARGB, 0x80FFFFFF, "png");
        ImageSet s = ImageFolderReader.read(root, 2, 2, 1);
        for (float v : s.pixels()) assertEquals(128 / 255f, v, 1e-5);
    }

    @Test void bilinearResizeOfARamp() {
        float[] ramp = {0f, 1 / 3f, 2 / 3f, 1f}; // 1x4
        float[] out = new float[2];
        ImageFolderReader.resizeBilinear(ramp, 1, 4, 1, out, 0, 1, 2);
        assertEquals(1 / 6f, out[0], 1e-6);
        assertEquals(5 / 6f, out[1], 1e-6);
        float[] up = new float[8];
        ImageFolderReader.resizeBilinear(new float[] {0f, 1f}, 1, 2, 1, up, 0, 1, 8);
        assertEquals(0f, up[0]);   // clamped edge, not darkened or extrapolated
        assertEquals(1f, up[7]);
        for (int i = 1; i < 8; i++) assertTrue(up[i] >= up[i - 1]);
    }

    @Test void corruptPngNamesTheFile() throws IOException {
        Path root = twoClasses();
        Path bad = root.resolve("dog/c-broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H'});
        DataFormatException e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(root, 4, 4, 1));
        assertTrue(e.getMessage().startsWith(bad + ": cannot decode image: "), e.getMessage());
        Files.writeString(bad, "plain text with a .png name");
        e = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(root, 4, 4, 1));
        assertEquals(bad + ": not a readable image (no PNG/JPEG/GIF/BMP decoder accepts its contents)", e.getMessage());
    }

    @Test void layoutErrorsNameTheFolder() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(DataFormatException.class, () -> ImageFolderReader.read(empty, 4, 4, 1)).getMessage()
                .startsWith(empty + ": empty folder"));
        Path flat = tmp.resolve("flat");
        writeImage(flat.resolve("x.png"), 2, 2, BufferedImage.TYPE_INT_RGB, 0, "png");
        assertTrue(assertThrows(DataFormatException.class, () -> ImageFolderReader.read(flat, 4, 4, 1)).getMessage()
                .startsWith(flat + ": no class folders"));
        Path root = twoClasses();
        Path birds = Files.createDirectories(root.resolve("bird"));
        Files.writeString(birds.resolve("list.txt"), "no images here");
        assertTrue(assertThrows(DataFormatException.class, () -> ImageFolderReader.read(root, 4, 4, 1)).getMessage()
                .startsWith(birds + ": class folder has no images"));
    }
}
