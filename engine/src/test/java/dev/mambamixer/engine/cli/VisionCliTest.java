package dev.mambamixer.engine.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ViM2 CLI end to end on a tiny image folder: train into a run folder, eval, predict, resume; clear errors. */
class VisionCliTest {
    @TempDir Path tmp;

    private static CliRun.Out run(String... args) { return CliRun.run(args); }

    /** Two classes of 10×10 PNGs: a horizontal or a vertical bright bar on noise, 12 each. */
    private Path imageFolder() throws Exception {
        Path root = tmp.resolve("bars");
        SplittableRandom rng = new SplittableRandom(3);
        for (String cls : new String[] {"horizontal", "vertical"}) {
            Files.createDirectories(root.resolve(cls));
            for (int i = 0; i < 12; i++) {
                BufferedImage im = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) im.getRaster().setSample(x, y, 0, rng.nextInt(60));
                int a = 2 + rng.nextInt(6), b = rng.nextInt(5);
                for (int k = 0; k < 5; k++) {
                    if (cls.equals("horizontal")) im.getRaster().setSample(b + k, a, 0, 255);
                    else im.getRaster().setSample(a, b + k, 0, 255);
                }
                ImageIO.write(im, "png", root.resolve(cls).resolve(i + ".png").toFile());
            }
        }
        return root;
    }

    @Test
    void trainEvalPredictAndResumeOnAnImageFolder() throws Exception {
        Path data = imageFolder(), runs = tmp.resolve("runs");
        CliRun.Out t = run("vision", "train", "--data", "folder", "--data-path", data.toString(), "--image-size", "8",
                    "--dims", "8", "--token-mixers", "2", "--d-state", "4", "--epochs", "2", "--batch", "8",
                    "--runs-dir", runs.toString(), "--name", "bars");
        assertEquals(0, t.code(), t.err() + t.out());
        assertTrue(t.out().contains("held-out (best epoch"), t.out());
        assertTrue(t.out().contains("confusion (rows true, columns predicted):"), t.out());
        Path run;
        try (Stream<Path> s = Files.list(runs)) { run = s.findFirst().orElseThrow(); }
        assertTrue(Files.exists(run.resolve("test-metrics.json")));
        assertTrue(Files.isDirectory(run.resolve("checkpoints/best")));

        CliRun.Out e = run("vision", "eval", run.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("held-out, 5 images: accuracy"), e.out());   // 24 images, stratified 80/20

        Path img = data.resolve("vertical").resolve("0.png");
        CliRun.Out p = run("vision", "predict", run.toString(), img.toString(), "--top", "2");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains(img + ":") && p.out().contains("vertical") && p.out().contains("horizontal"), p.out());

        CliRun.Out more = run("vision", "train", "--resume", run.toString());   // the config says 2 epochs: nothing left to do
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("resumed after epoch 2"), more.out());
    }

    @Test
    void badImagesAndMissingDataAreNamed() throws Exception {
        Path data = imageFolder();
        Path bad = data.resolve("vertical").resolve("broken.png");
        Files.write(bad, new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        CliRun.Out t = run("vision", "train", "--data", "folder", "--data-path", data.toString(), "--image-size", "8",
                    "--epochs", "1", "--runs-dir", tmp.resolve("runs").toString());
        assertEquals(2, t.code(), t.out());
        assertTrue(t.err().contains("broken.png"), t.err());

        CliRun.Out m = run("vision", "train", "--data", "mnist", "--data-path", tmp.resolve("nothing").toString(), "--epochs", "1",
                    "--runs-dir", tmp.resolve("runs").toString());
        assertEquals(2, m.code(), m.out());
        assertTrue(m.err().contains("nothing"), m.err());

        CliRun.Out r = run("vision", "train", "--resume", tmp.resolve("no-such-run").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("no-such-run") && r.err().contains("not a run folder"), r.err());
    }
}
