package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.tensor.Tensor;

/**
 * ViM2 on a labelled image set, without augmentation: mean cross-entropy (no smoothing), accuracy,
 * the confusion matrix (rows = true class, columns = predicted), and per image the predicted class
 * and its softmax probability, so the most confidently wrong images can be listed.
 */
public record VisionEvaluation(double loss, double accuracy, int count, int[][] confusion, int[] predicted,
                               float[] confidence) {

    public static VisionEvaluation of(Vim2 model, ImageSet set, int batch) {
        Backend be = model.backend();
        int k = model.config().classes(), n = set.count();
        int per = set.height() * set.width() * set.channels();
        int[][] confusion = new int[k][k];
        int[] predicted = new int[n];
        float[] confidence = new float[n];
        double lossSum = 0;
        int correct = 0;
        float[] x = new float[Math.min(batch, n) * per];
        Tensor images = null;
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start);
            if (images == null || images.dim(0) != b) images = be.zeros(b, set.height(), set.width(), set.channels());
            for (int i = 0; i < b; i++) set.copyImage(start + i, x, i * per);
            be.upload(b * per == x.length ? x : java.util.Arrays.copyOf(x, b * per), images);
            float[] logits = be.toFloats(model.forward(images, b));
            for (int i = 0; i < b; i++) {
                int o = i * k, arg = 0;
                for (int j = 1; j < k; j++) if (logits[o + j] > logits[o + arg]) arg = j;
                double sum = 0;
                for (int j = 0; j < k; j++) sum += Math.exp(logits[o + j] - logits[o + arg]);
                int y = set.label(start + i);
                lossSum += Math.log(sum) - (logits[o + y] - logits[o + arg]);
                predicted[start + i] = arg;
                confidence[start + i] = (float) (1 / sum);
                confusion[y][arg]++;
                if (arg == y) correct++;
            }
        }
        return new VisionEvaluation(n == 0 ? 0 : lossSum / n, n == 0 ? Double.NaN : (double) correct / n, n, confusion,
                                    predicted, confidence);
    }

    /** Accuracy per true class (NaN for a class with no images). */
    public double[] perClassAccuracy() {
        double[] a = new double[confusion.length];
        for (int c = 0; c < a.length; c++) {
            int total = 0;
            for (int v : confusion[c]) total += v;
            a[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return a;
    }

    /** Indices of misclassified images, most confident first, at most {@code limit}. */
    public int[] confidentMistakes(ImageSet set, int limit) {
        return java.util.stream.IntStream.range(0, count).boxed()
            .filter(i -> predicted[i] != set.label(i))
            .sorted((a, b) -> Float.compare(confidence[b], confidence[a]))
            .limit(limit).mapToInt(Integer::intValue).toArray();
    }
}
