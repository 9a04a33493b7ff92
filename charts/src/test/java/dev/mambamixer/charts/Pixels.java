package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;

/** Rendering checks shared by the chart tests. */
final class Pixels {
    private Pixels() {}

    /** Pixels that are not (almost) white. */
    static int nonWhite(BufferedImage img) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
                if (r < 240 || g < 240 || b < 240) n++;
            }
        return n;
    }

    /** Pixels of (nearly) this colour. */
    static int count(BufferedImage img, java.awt.Color c, int tolerance) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 0xFF) - c.getRed()) <= tolerance
                    && Math.abs(((rgb >> 8) & 0xFF) - c.getGreen()) <= tolerance
                    && Math.abs((rgb & 0xFF) - c.getBlue()) <= tolerance) n++;
            }
        return n;
    }

    /**
     * Writes the chart as an 800×500 PNG, reads it back and checks its size and that a real share
     * of it is drawn (at least {@code minShare} of the pixels not white). Returns the image.
     */
    static BufferedImage renderAndCheck(JFreeChart chart, Path dir, String name, double minShare) throws Exception {
        String keep = System.getProperty("charts.png.dir", "");
        Path png = (keep.isBlank() ? dir : Path.of(keep)).resolve(name + ".png");
        ChartImages.writePng(chart, 800, 500, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        int drawn = nonWhite(img);
        assertTrue(drawn >= minShare * 800 * 500,
                   name + ": only " + drawn + " non-white pixels of " + 800 * 500 + " (expected >= " + minShare + ")");
        assertTrue(drawn < 0.95 * 800 * 500, name + ": nearly everything is dark (" + drawn + ")");
        return img;
    }
}
