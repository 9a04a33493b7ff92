package dev.mambamixer.engine.data.vision;

import static dev.mambamixer.engine.data.vision.VisionFiles.n;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The named train/held-out datasets of the vision model, each built the same way every time so
 * that results from different runs and machines are comparable: the description says exactly
 * which files and which split were used, and every random split has a fixed, documented seed.
 * The shared data bundle has only the 10,000-image MNIST test set, so {@link #mnist} uses the
 * official 60,000/10,000 split when the training files are present and otherwise falls back to
 * {@link #mnistSharedTestSplit}, a stratified 8,000/2,000 split of the test set.
 */
public final class VisionDatasets {
    /** Seed of the stratified 8,000/2,000 split of MNIST t10k (fixed: changing it changes published numbers). */
    public static final long MNIST_SPLIT_SEED = 20240328L;
    /** Seed of the stratified 80/20 split of digits.csv (1,438 train / 359 held out). */
    public static final long DIGITS_SPLIT_SEED = 20240329L;
    /** Seed of the stratified split of an image folder. */
    public static final long IMAGE_FOLDER_SPLIT_SEED = 20240330L;
    /** Train fraction of the fixed splits of MNIST t10k and digits. */
    public static final double TRAIN_FRACTION = 0.8;

    /** A training set, a held-out set, and a one-line account of where they came from. */
    public record VisionSplits(ImageSet train, ImageSet heldOut, String description) {}

    private VisionDatasets() {}

    /**
     * The fixed stratified split of {@code mnistDir}/t10k-images-idx3-ubyte(.gz) and
     * t10k-labels-idx1-ubyte(.gz): 8,000 train and 2,000 held out, seed {@link #MNIST_SPLIT_SEED}.
     */
    public static VisionSplits mnistSharedTestSplit(Path mnistDir) throws IOException {
        ImageSet all = MnistReader.read(idx(mnistDir, "t10k-images-idx3-ubyte"), idx(mnistDir, "t10k-labels-idx1-ubyte"));
        VisionSplits s = split(all, TRAIN_FRACTION, MNIST_SPLIT_SEED);
        return new VisionSplits(s.train, s.heldOut, "MNIST t10k only (" + n(all.count()) + " images), stratified split "
                + n(s.train.count()) + " train / " + n(s.heldOut.count()) + " held out, seed " + MNIST_SPLIT_SEED
                + "; the official training set is not in " + mnistDir);
    }

    /**
     * The official 60,000 train / 10,000 test MNIST split when {@code dir} also holds
     * train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz); otherwise
     * {@link #mnistSharedTestSplit}. The description says which.
     */
    public static VisionSplits mnist(Path dir) throws IOException {
        Path ti = find(dir, "train-images-idx3-ubyte"), tl = find(dir, "train-labels-idx1-ubyte");
        if (ti == null || tl == null) return mnistSharedTestSplit(dir);
        ImageSet train = MnistReader.read(ti, tl);
        ImageSet test = MnistReader.read(idx(dir, "t10k-images-idx3-ubyte"), idx(dir, "t10k-labels-idx1-ubyte"));
        return new VisionSplits(train, test, "MNIST official split: " + n(train.count()) + " train / " + n(test.count())
                + " test, from " + dir);
    }

    /** digits.csv(.gz), stratified 80/20 with {@link #DIGITS_SPLIT_SEED} (1,438 / 359 for the full file). */
    public static VisionSplits digits(Path csv) throws IOException {
        ImageSet all = DigitsReader.read(csv);
        VisionSplits s = split(all, TRAIN_FRACTION, DIGITS_SPLIT_SEED);
        return new VisionSplits(s.train, s.heldOut, "digits 8x8 (" + n(all.count()) + " images from " + csv
                + "), stratified split " + n(s.train.count()) + " train / " + n(s.heldOut.count()) + " held out, seed "
                + DIGITS_SPLIT_SEED);
    }

    /** An image folder ({@link ImageFolderReader}) split stratified with {@link #IMAGE_FOLDER_SPLIT_SEED}. */
    public static VisionSplits imageFolder(Path root, int height, int width, int channels, double trainFraction)
            throws IOException {
        ImageSet all = ImageFolderReader.read(root, height, width, channels);
        VisionSplits s = split(all, trainFraction, IMAGE_FOLDER_SPLIT_SEED);
        return new VisionSplits(s.train, s.heldOut, "image folder " + root + " (" + n(all.count()) + " images, "
                + all.classes() + " classes, resized to " + height + "x" + width + "x" + channels + "), stratified split "
                + n(s.train.count()) + " train / " + n(s.heldOut.count()) + " held out, seed " + IMAGE_FOLDER_SPLIT_SEED);
    }

    /** Seeds of the cluttered-canvas streams: training canvases and held-out canvases. */
    public static final long CANVAS_TRAIN_SEED = 20240331L, CANVAS_HELD_OUT_SEED = 20240401L;

    /**
     * The vision teaching task on MNIST ({@link ClutteredDigits}): training canvases are made only
     * from the digits of {@link #mnist}'s training split, held-out canvases only from its held-out
     * digits (so no digit is seen in both), {@code trainCount} and {@code heldOutCount} of them,
     * canvas side {@code canvas}, default clutter; fixed seeds.
     */
    public static VisionSplits clutteredMnist(Path mnistDir, int canvas, int trainCount, int heldOutCount) throws IOException {
        VisionSplits digits = mnist(mnistDir);
        ClutteredDigits train = new ClutteredDigits(digits.train, canvas, ClutteredDigits.DEFAULT_FRAGMENTS,
                                                    ClutteredDigits.defaultFragmentSize(digits.train));
        ClutteredDigits held = new ClutteredDigits(digits.heldOut, canvas, ClutteredDigits.DEFAULT_FRAGMENTS,
                                                   ClutteredDigits.defaultFragmentSize(digits.heldOut));
        return new VisionSplits(train.generate(CANVAS_TRAIN_SEED, trainCount, "cluttered canvases, train"),
                                held.generate(CANVAS_HELD_OUT_SEED, heldOutCount, "cluttered canvases, held out"),
                                "cluttered MNIST canvases " + canvas + "x" + canvas + " (" + ClutteredDigits.DEFAULT_FRAGMENTS
                                + " fragments): " + n(trainCount) + " train from the training digits, " + n(heldOutCount)
                                + " held out from the held-out digits, seeds " + CANVAS_TRAIN_SEED + "/" + CANVAS_HELD_OUT_SEED
                                + "; digits: " + digits.description);
    }

    private static VisionSplits split(ImageSet all, double fraction, long seed) {
        int[][] idx = StratifiedSplit.split(all.labels(), all.classes(), fraction, seed);
        return new VisionSplits(all.subset(idx[0], "train, seed " + seed), all.subset(idx[1], "held out, seed " + seed), "");
    }

    /** {@code base} or {@code base.gz} in {@code dir}, or null. */
    static Path find(Path dir, String base) {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static Path idx(Path dir, String base) throws IOException {
        Path p = find(dir, base);
        if (p == null) throw new java.nio.file.NoSuchFileException(dir.resolve(base) + "(.gz)", null, "MNIST file not found");
        return p;
    }
}
