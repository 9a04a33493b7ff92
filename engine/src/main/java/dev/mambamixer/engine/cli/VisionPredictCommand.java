package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.vision.ImageFolderReader;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mambamixer vision predict CHECKPOINT IMAGE...}: the class probabilities of image files. */
@Command(name = "predict", mixinStandardHelpOptions = true,
         description = "Classify PNG/JPEG images with a ViM2 checkpoint (resized to the model's input size).")
final class VisionPredictCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "run folder or checkpoint folder") Path path;
    @Parameters(index = "1..*", arity = "1..*", description = "image files") List<Path> images;
    @Option(names = "--top", defaultValue = "3", description = "classes shown per image (default ${DEFAULT-VALUE})") int top;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;

    @Override public Integer call() throws java.io.IOException {
        Ranges.positive("--top", top);
        VisionEvalCommand.Loaded l = VisionEvalCommand.load(path, backend);
        try (Backend be = l.model().backend()) {
            Vim2Config mc = l.model().config();
            int k = mc.classes();
            for (Path img : images) {
                float[] px = ImageFolderReader.readImage(img, mc.height(), mc.width(), mc.channels());
                Tensor x = be.fromFloats(px, 1, mc.height(), mc.width(), mc.channels());
                float[] logits = be.toFloats(l.model().forward(x, 1));
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float v : logits) max = Math.max(max, v);
                double[] p = new double[k];
                for (int j = 0; j < k; j++) sum += p[j] = Math.exp(logits[j] - max);
                Integer[] order = new Integer[k];
                for (int j = 0; j < k; j++) order[j] = j;
                java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
                StringBuilder sb = new StringBuilder(img.toString()).append(':');
                for (int j = 0; j < Math.min(top, k); j++)
                    sb.append(String.format(Locale.ROOT, "  %s %.3f", name(l.data().classes(), order[j]), p[order[j]] / sum));
                System.out.println(sb);
            }
            return 0;
        }
    }

    private static String name(List<String> classes, int c) { return c < classes.size() ? classes.get(c) : "class " + c; }
}
