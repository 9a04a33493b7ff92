package dev.mambamixer.engine.data.vision;

import dev.mambamixer.engine.data.teaching.Mark;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The vision teaching task: one digit from a source {@link ImageSet} pasted at a random position on
 * a larger empty canvas (default 56×56), plus K clutter fragments (default 6): random f×f crops of
 * other random digits pasted at random positions and combined by pixel-wise maximum. The label is
 * the digit's; the example records the digit's box so introspection can ask whether the model's
 * selection (which patch tokens it keeps in its state) finds the digit among digit-like
 * distractors, the 2-D counterpart of selective copying. The default fragment size is 9 px for
 * 28-px digits, scaled with the digit size (3 px for 8×8 digits; use {@link #upscale} to make those
 * larger). Rule for clutter: a fragment placement that overlaps the digit box by more than
 * {@link #MAX_FRAGMENT_OVERLAP} (25 %) of the fragment's area is rejected and redrawn, up to
 * {@link #PLACEMENT_TRIES} times, after which that fragment is left out; so clutter may touch the
 * digit but never hides much of it. Everything is drawn from the given {@link SplittableRandom}
 * in a fixed order, so a seed fixes the whole data set.
 */
public final class ClutteredDigits {
    public static final int DEFAULT_CANVAS = 56;
    public static final int DEFAULT_FRAGMENTS = 6;
    public static final double MAX_FRAGMENT_OVERLAP = 0.25;
    public static final int PLACEMENT_TRIES = 100;
    /** The mark role of the token-grid cells covered by the digit. */
    public static final String DIGIT_ROLE = "digit";

    private final ImageSet source;
    private final int canvas, fragments, fragmentSize;

    /**
     * One canvas: (canvas, canvas, channels) pixels channels-last, the digit's label, and the
     * digit's box (top, left, height, width) in canvas pixels.
     */
    public record CanvasExample(float[] pixels, int canvas, int channels, int label, int top, int left, int height, int width) {
        public CanvasExample {
            if (pixels.length != canvas * canvas * channels)
                throw new IllegalArgumentException(pixels.length + " pixels for a " + canvas + "x" + canvas + "x" + channels + " canvas");
            pixels = pixels.clone();
        }

        @Override public float[] pixels() { return pixels.clone(); }

        /**
         * Which cells of a gridH × gridW token grid (the canvas cut into equal patches, row-major)
         * the digit box covers by at least half of the cell's area.
         */
        public boolean[] boxMask(int gridH, int gridW) {
            if (gridH < 1 || gridW < 1) throw new IllegalArgumentException("grid must be at least 1x1, got " + gridH + "x" + gridW);
            boolean[] mask = new boolean[gridH * gridW];
            double ch = (double) canvas / gridH, cw = (double) canvas / gridW;
            for (int r = 0; r < gridH; r++) {
                double oy = Math.min((r + 1) * ch, top + height) - Math.max(r * ch, top);
                if (oy <= 0) continue;
                for (int c = 0; c < gridW; c++) {
                    double ox = Math.min((c + 1) * cw, left + width) - Math.max(c * cw, left);
                    if (ox > 0 && oy * ox >= 0.5 * ch * cw - 1e-9) mask[r * gridW + c] = true;
                }
            }
            return mask;
        }

        /** The {@link #boxMask} cells as a {@link Mark} with role "digit" (row-major cell indices). */
        public Mark digitMark(int gridH, int gridW) {
            boolean[] m = boxMask(gridH, gridW);
            int n = 0;
            for (boolean b : m) if (b) n++;
            int[] cells = new int[n];
            for (int i = 0, k = 0; i < m.length; i++) if (m[i]) cells[k++] = i;
            return new Mark(DIGIT_ROLE, cells);
        }
    }

    /** Defaults: 56×56 canvas, 6 fragments, fragment size scaled from 9 px per 28 px of digit. */
    public ClutteredDigits(ImageSet source) {
        this(source, Math.max(DEFAULT_CANVAS, Math.max(source.height(), source.width())), DEFAULT_FRAGMENTS,
             defaultFragmentSize(source));
    }

    public ClutteredDigits(ImageSet source, int canvas, int fragments, int fragmentSize) {
        if (source.count() < 1) throw new IllegalArgumentException(source.source() + ": no images to draw digits from");
        if (canvas < source.height() || canvas < source.width())
            throw new IllegalArgumentException("canvas " + canvas + " is smaller than the " + source.height() + "x"
                                               + source.width() + " digits of " + source.source());
        if (fragments < 0) throw new IllegalArgumentException("fragments must be >= 0, got " + fragments);
        if (fragments > 0 && (fragmentSize < 1 || fragmentSize > Math.min(source.height(), source.width())))
            throw new IllegalArgumentException("fragmentSize must be in 1.." + Math.min(source.height(), source.width())
                                               + ", got " + fragmentSize);
        this.source = source;
        this.canvas = canvas;
        this.fragments = fragments;
        this.fragmentSize = fragmentSize;
    }

    /** 9 px for 28-px digits, proportionally for other sizes, at least 1. */
    public static int defaultFragmentSize(ImageSet source) {
        int side = Math.min(source.height(), source.width());
        return Math.max(1, Math.min(side, (int) Math.round(9.0 * side / 28)));
    }

    public int canvas() { return canvas; }
    public int fragments() { return fragments; }
    public int fragmentSize() { return fragmentSize; }

    /** One canvas; draws, in order: digit index, top, left, then per fragment: source, crop y, x, placements. */
    public CanvasExample sample(SplittableRandom rng) {
        int n = source.count(), h = source.height(), w = source.width(), c = source.channels();
        float[] px = new float[canvas * canvas * c];
        float[] src = source.pixels();
        int per = source.imageSize();
        int digit = rng.nextInt(n);
        int top = rng.nextInt(canvas - h + 1), left = rng.nextInt(canvas - w + 1);
        paste(src, digit * per, w, c, 0, 0, h, w, px, top, left);
        int f = fragmentSize;
        for (int k = 0; k < fragments; k++) {
            int other = n == 1 ? digit : (digit + 1 + rng.nextInt(n - 1)) % n;
            int cy = rng.nextInt(h - f + 1), cx = rng.nextInt(w - f + 1);
            for (int t = 0; t < PLACEMENT_TRIES; t++) {
                int py = rng.nextInt(canvas - f + 1), px0 = rng.nextInt(canvas - f + 1);
                int oy = Math.max(0, Math.min(py + f, top + h) - Math.max(py, top));
                int ox = Math.max(0, Math.min(px0 + f, left + w) - Math.max(px0, left));
                if (oy * ox <= MAX_FRAGMENT_OVERLAP * f * f) {
                    paste(src, other * per, w, c, cy, cx, f, f, px, py, px0);
                    break;
                }
            }
        }
        return new CanvasExample(px, canvas, c, source.label(digit), top, left, h, w);
    }

    /** Max-combines the (ph, pw) window at (sy, sx) of a (?, sw, c) source image into the canvas at (ty, tx). */
    private void paste(float[] src, int off, int sw, int c, int sy, int sx, int ph, int pw, float[] dst, int ty, int tx) {
        for (int y = 0; y < ph; y++) {
            int s = off + ((sy + y) * sw + sx) * c;
            int d = ((ty + y) * canvas + tx) * c;
            for (int k = 0; k < pw * c; k++) dst[d + k] = Math.max(dst[d + k], src[s + k]);
        }
    }

    /** {@code n} examples from {@code new SplittableRandom(seed)}. */
    public List<CanvasExample> examples(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<CanvasExample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(sample(rng));
        return out;
    }

    /** The same canvases as {@link #examples}{@code (seed, n)} as an ImageSet with the source's classes. */
    public ImageSet generate(long seed, int n, String description) {
        SplittableRandom rng = new SplittableRandom(seed);
        int per = canvas * canvas * source.channels();
        float[] px = new float[Math.multiplyExact(n, per)];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            CanvasExample e = sample(rng);
            System.arraycopy(e.pixels, 0, px, i * per, per);
            y[i] = e.label();
        }
        return new ImageSet(description + " (cluttered " + canvas + "x" + canvas + ", " + fragments + " fragments of "
                            + fragmentSize + "px, seed " + seed + ", digits from " + source.source() + ")",
                            px, y, canvas, canvas, source.channels(), source.classNames());
    }

    /** Nearest-neighbour integer upscaling (e.g. 8×8 digits ×3 → 24×24) so small digits can be used. */
    public static ImageSet upscale(ImageSet s, int factor) {
        if (factor < 1) throw new IllegalArgumentException("factor must be >= 1, got " + factor);
        int h = s.height(), w = s.width(), c = s.channels(), H = h * factor, W = w * factor;
        float[] src = s.pixels();
        float[] out = new float[Math.multiplyExact(s.count(), H * W * c)];
        for (int i = 0; i < s.count(); i++) {
            for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) for (int k = 0; k < c; k++)
                out[((i * H + y) * W + x) * c + k] = src[((i * h + y / factor) * w + x / factor) * c + k];
        }
        return new ImageSet(s.source() + " [x" + factor + "]", out, s.labels(), H, W, c, s.classNames());
    }
}
