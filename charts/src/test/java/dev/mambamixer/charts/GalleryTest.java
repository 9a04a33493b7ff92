package dev.mambamixer.charts;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** Renders the gallery when -Dgallery.dir=FOLDER is given (a real short training run: minutes). */
class GalleryTest {
    static boolean requested() { return !System.getProperty("gallery.dir", "").isBlank(); }

    @Test
    @EnabledIf("requested")
    void rendersEveryChart() throws Exception {
        Path out = Path.of(System.getProperty("gallery.dir"));
        int steps = Integer.parseInt(System.getProperty("gallery.steps", "60").isBlank() ? "60" : System.getProperty("gallery.steps"));
        List<Path> pngs = Gallery.render(out, Gallery.findSample(), steps);
        assertTrue(pngs.size() >= 20, "charts written: " + pngs.size());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(Gallery.WIDTH, img.getWidth(), p.toString());
            assertTrue(Pixels.nonWhite(img) > 0.02 * img.getWidth() * img.getHeight(), p + " is nearly empty");
        }
    }
}
