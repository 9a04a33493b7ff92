package dev.mambamixer.engine.data.vision;

import dev.mambamixer.engine.data.DataFormatException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a user's own images laid out as {@code root/<class>/<image>}: one sub-folder per class
 * (class names = folder names, sorted), PNG/JPEG/GIF/BMP files of any size decoded with
 * {@link ImageIO}, each resized to height × width and given 1 channel (luminance
 * 0.299 R + 0.587 G + 0.114 B) or 3 (RGB), values / 255. This is how someone brings their own
 * image classes to the vision model without a conversion script. Hidden files and folders (name
 * starting with '.') are skipped and files with other extensions are ignored; an empty root, a
 * root without class folders, a class folder without images, or a file that does not decode is a
 * {@link DataFormatException} naming the folder or file and why.
 *
 * <p>Decoding: gray images are read from their raster samples (Java2D would otherwise apply a
 * linear-gray → sRGB conversion and brighten them); colour and indexed images through
 * {@code getRGB} (sRGB). Transparent pixels are composited over black (the background of the
 * digit sets). Resizing is bilinear with pixel centres aligned and edges clamped, done on the
 * float planes here rather than with Graphics2D/AffineTransformOp: drawing a gray image would
 * re-apply the colour conversion above, and Java2D's edge handling and rendering loops are
 * implementation-defined, while this gives the same floats on every JDK (a constant image stays
 * exactly constant at any size).
 * Decoding uses no window system (works with {@code java.awt.headless=true}).
 */
public final class ImageFolderReader {
    /** Extensions read (lower case, without the dot). */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");

    private ImageFolderReader() {}

    public static ImageSet read(Path root, int height, int width, int channels) throws IOException {
        if (height < 1 || width < 1) throw new IllegalArgumentException("height and width must be >= 1, got " + height + "x" + width);
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        String rootName = root.toString();
        if (!Files.exists(root)) throw new dev.mambamixer.engine.io.FileErrors.FileProblem(rootName, "not found", null);
        if (!Files.isDirectory(root)) throw new DataFormatException(rootName, 0, "", "not a folder");
        List<Path> classDirs = new ArrayList<>();
        boolean anyEntry;
        try (Stream<Path> s = Files.list(root)) {
            List<Path> all = s.filter(p -> !hidden(p)).sorted().toList();
            anyEntry = !all.isEmpty();
            for (Path p : all) if (Files.isDirectory(p)) classDirs.add(p);
        }
        if (!anyEntry) throw new DataFormatException(rootName, 0, "", "empty folder; expected one sub-folder per class, each holding its images");
        if (classDirs.isEmpty())
            throw new DataFormatException(rootName, 0, "", "no class folders; put the images of each class in its own sub-folder (root/<class>/<image>.png)");
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int k = 0; k < classDirs.size(); k++) {
            Path dir = classDirs.get(k);
            names.add(dir.getFileName().toString());
            List<Path> images;
            try (Stream<Path> s = Files.list(dir)) {
                images = s.filter(p -> !hidden(p) && Files.isRegularFile(p) && isImageName(p)).sorted().toList();
            }
            if (images.isEmpty())
                throw new DataFormatException(dir.toString(), 0, "", "class folder has no images (" + String.join("/", EXTENSIONS) + ")");
            for (Path p : images) { files.add(p); labels.add(k); }
        }
        int per = height * width * channels;
        float[] px = new float[Math.multiplyExact(files.size(), per)];
        int[] y = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Decoded img = decode(files.get(i), channels);
            resizeBilinear(img.pixels, img.height, img.width, channels, px, i * per, height, width);
            y[i] = labels.get(i);
        }
        return new ImageSet(rootName, px, y, height, width, channels, names);
    }

    /**
     * One image file decoded and resized to (height, width, channels), channels-last floats in
     * [0, 1] (what {@code predict} feeds a model); a bad file gets an error naming it.
     */
    public static float[] readImage(Path file, int height, int width, int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        Decoded d = decode(file, channels);
        float[] out = new float[height * width * channels];
        resizeBilinear(d.pixels(), d.height(), d.width(), channels, out, 0, height, width);
        return out;
    }

    /** A decoded image, (H, W, C) channels-last floats in [0, 1]. */
    record Decoded(float[] pixels, int height, int width) {}

    /** Decodes one file into {@code channels} channels; any failure names the file. */
    static Decoded decode(Path file, int channels) {
        BufferedImage im;
        try {
            im = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file.toString(), 0, "", "cannot decode image: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (im == null)
            throw new DataFormatException(file.toString(), 0, "", "not a readable image (no PNG/JPEG/GIF/BMP decoder accepts its contents)");
        int h = im.getHeight(), w = im.getWidth();
        float[] out = new float[Math.multiplyExact(h * w, channels)];
        ColorModel cm = im.getColorModel();
        Raster r = im.getRaster();
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                       && !(cm instanceof IndexColorModel);
        if (gray) {
            float max = (float) ((1L << cm.getComponentSize(0)) - 1);
            int alphaBand = cm.hasAlpha() ? r.getNumBands() - 1 : -1;
            float alphaMax = cm.hasAlpha() ? (float) ((1L << cm.getComponentSize(cm.getNumComponents() - 1)) - 1) : 1f;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                float v = r.getSample(x, y, 0) / max;
                if (alphaBand >= 0) v *= r.getSample(x, y, alphaBand) / alphaMax; // over black
                v = Math.min(1f, Math.max(0f, v));
                for (int c = 0; c < channels; c++) out[(y * w + x) * channels + c] = v;
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                im.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int argb = row[x];
                    float a = (argb >>> 24) / 255f;
                    float rr = ((argb >> 16) & 0xFF) / 255f * a, gg = ((argb >> 8) & 0xFF) / 255f * a, bb = (argb & 0xFF) / 255f * a;
                    int o = (y * w + x) * channels;
                    if (channels == 1) {
                        out[o] = Math.min(1f, 0.299f * rr + 0.587f * gg + 0.114f * bb);
                    } else {
                        out[o] = rr; out[o + 1] = gg; out[o + 2] = bb;
                    }
                }
            }
        }
        return new Decoded(out, h, w);
    }

    /**
     * Bilinear resize of (sh, sw, c) {@code src} into {@code dst} at {@code dstOff} as (dh, dw, c):
     * destination pixel centre (y + 0.5) maps to source coordinate (y + 0.5) * sh / dh - 0.5,
     * clamped to the image, so constant images stay constant and no edge goes dark.
     */
    static void resizeBilinear(float[] src, int sh, int sw, int c, float[] dst, int dstOff, int dh, int dw) {
        for (int y = 0; y < dh; y++) {
            double fy = Math.min(sh - 1, Math.max(0, (y + 0.5) * sh / dh - 0.5));
            int y0 = (int) fy, y1 = Math.min(sh - 1, y0 + 1);
            float wy = (float) (fy - y0);
            for (int x = 0; x < dw; x++) {
                double fx = Math.min(sw - 1, Math.max(0, (x + 0.5) * sw / dw - 0.5));
                int x0 = (int) fx, x1 = Math.min(sw - 1, x0 + 1);
                float wx = (float) (fx - x0);
                for (int k = 0; k < c; k++) {
                    float a = src[(y0 * sw + x0) * c + k], b = src[(y0 * sw + x1) * c + k];
                    float d = src[(y1 * sw + x0) * c + k], e = src[(y1 * sw + x1) * c + k];
                    float top = a + (b - a) * wx, bottom = d + (e - d) * wx;
                    float v = top + (bottom - top) * wy;
                    dst[dstOff + (y * dw + x) * c + k] = Math.min(1f, Math.max(0f, v));
                }
            }
        }
    }

    static boolean hidden(Path p) {
        Path f = p.getFileName();
        return f != null && f.toString().startsWith(".");
    }

    static boolean isImageName(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
