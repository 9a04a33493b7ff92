package dev.mambamixer.engine.data.vision;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable labelled image collection, the one in-memory form every vision reader produces and
 * every consumer (splits, batches, the cluttered-digits task) takes, so that MNIST, the 8×8 digits
 * and a folder of photos all look the same to the model. Pixels are floats in [0, 1] stored
 * (N, H, W, C) row-major, channels last: image i starts at {@code i * H * W * C}, and pixel (y, x)
 * channel c of it at {@code ((y * W) + x) * C + c}. Labels are class indices into
 * {@link #classNames()}. The constructor validates everything once (sizes, label range, pixel
 * range) so later code can trust the data; {@link #source()} names the file or folder it came from
 * for messages.
 */
public final class ImageSet {
    private final String source;
    private final float[] pixels;
    private final int[] labels;
    private final int height, width, channels;
    private final List<String> classNames;

    /** Takes ownership of {@code pixels} and {@code labels} (callers must not change them afterwards). */
    public ImageSet(String source, float[] pixels, int[] labels, int height, int width, int channels,
                    List<String> classNames) {
        this.source = Objects.requireNonNull(source, "source");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        this.classNames = List.copyOf(classNames);
        if (height < 1 || width < 1 || channels < 1)
            throw new IllegalArgumentException(source + ": image size must be positive, got " + height + "x" + width
                                               + "x" + channels + " (HxWxC)");
        if (this.classNames.isEmpty()) throw new IllegalArgumentException(source + ": no class names");
        long expected = (long) labels.length * height * width * channels;
        if (pixels.length != expected)
            throw new IllegalArgumentException(source + ": " + labels.length + " labels need " + expected
                                               + " pixel values (N*H*W*C = " + labels.length + "*" + height + "*" + width
                                               + "*" + channels + ") but got " + pixels.length);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classNames.size())
                throw new IllegalArgumentException(source + ": image " + i + " has label " + labels[i]
                                                   + ", outside 0.." + (this.classNames.size() - 1));
        }
        int per = height * width * channels;
        for (int k = 0; k < pixels.length; k++) {
            float v = pixels[k];
            if (!(v >= 0f && v <= 1f))
                throw new IllegalArgumentException(source + ": image " + (k / per) + " has pixel value " + v
                                                   + " at offset " + (k % per) + "; pixels must lie in [0, 1]");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    public int count() { return labels.length; }
    public int height() { return height; }
    public int width() { return width; }
    public int channels() { return channels; }
    /** Number of values in one image, H * W * C. */
    public int imageSize() { return height * width * channels; }
    public int classes() { return classNames.size(); }
    public List<String> classNames() { return classNames; }
    /** The file or folder this set came from (with a subset description when it is one), for messages. */
    public String source() { return source; }

    /** The backing (N, H, W, C) array itself, not a copy: read it, never write to it. */
    public float[] pixels() { return pixels; }

    /** Copies image {@code i} (H * W * C values) into {@code dst} at {@code dstOff}. */
    public void copyImage(int i, float[] dst, int dstOff) {
        Objects.checkIndex(i, labels.length);
        int per = imageSize();
        System.arraycopy(pixels, i * per, dst, dstOff, per);
    }

    public int label(int i) { return labels[i]; }

    /** A copy of all labels. */
    public int[] labels() { return labels.clone(); }

    /** The images at {@code indices} (in that order; repeats allowed); the description is appended to the source. */
    public ImageSet subset(int[] indices, String description) {
        int per = imageSize();
        float[] px = new float[Math.multiplyExact(indices.length, per)];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length)
                throw new IndexOutOfBoundsException(source + ": subset index " + i + " at position " + k
                                                    + " is outside 0.." + (labels.length - 1));
            System.arraycopy(pixels, i * per, px, k * per, per);
            lb[k] = labels[i];
        }
        return new ImageSet(source + " [" + description + "]", px, lb, height, width, channels, classNames);
    }

    /** Number of images of each class, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classes()];
        for (int y : labels) counts[y]++;
        return counts;
    }

    @Override public String toString() {
        return "ImageSet[" + source + ": " + count() + " x " + height + "x" + width + "x" + channels + ", "
               + classes() + " classes " + Arrays.toString(classCounts()) + "]";
    }
}
