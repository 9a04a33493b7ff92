package dev.mambamixer.notebooks;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A rendered chart with a text fallback. It is a {@link BufferedImage}, so every Java kernel shows
 * it as a PNG by itself (returned from a cell or passed to {@code display}); {@link #toString()} is
 * the text summary shown where images are not (a terminal, a text-only front end, a log).
 */
public final class Picture extends BufferedImage {
    private final String text;

    /** An empty (white) picture of the given size; draw into it with {@link #createGraphics()}. */
    public Picture(int width, int height, String text) {
        super(width, height, BufferedImage.TYPE_INT_RGB);
        this.text = text == null ? "" : text;
        Graphics2D g = createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.dispose();
    }

    /** A copy of {@code image} with the given text. */
    public static Picture of(BufferedImage image, String text) {
        Picture p = new Picture(image.getWidth(), image.getHeight(), text);
        Graphics2D g = p.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return p;
    }

    /** A graphics context with anti-aliasing on (text and shapes). */
    public Graphics2D graphics() {
        Graphics2D g = createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }

    public String text() { return text; }

    /** The PNG encoding (what a kernel sends as image/png). */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(this, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the PNG to {@code file} (parent folders are created). */
    public Path save(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Files.write(file, png());
        return file;
    }

    @Override public String toString() { return text; }
}
