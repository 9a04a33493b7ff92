package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.data.vision.ImageSet;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.introspect.Vim2Capture;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.run.VisionRunFolder;
import dev.mambamixer.engine.train.VisionEvaluation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the ViM2 views get, made in one place for a live run and for a run folder opened later:
 * the probe images and their capture, and the held-out results with the most confidently wrong
 * images. Runs on the thread that owns the model (never the FX thread).
 */
public final class VisionViews {
    /** Confidently wrong images handed to the results view. */
    public static final int MISTAKES = 16;

    private VisionViews() {}

    /**
     * {@code k} held-out images spread over the set, one class after another where possible (the
     * first image of class 0, of class 1, ...), so a small probe batch shows different digits.
     */
    public static int[] spreadImages(ImageSet set, int k) {
        List<Integer> picked = new ArrayList<>();
        int classes = Math.max(1, set.classes());
        for (int round = 0; picked.size() < k && round < set.count(); round++) {
            boolean any = false;
            for (int c = 0; c < classes && picked.size() < k; c++) {
                int seen = 0;
                for (int i = 0; i < set.count(); i++) {
                    if (set.label(i) != c) continue;
                    if (seen++ == round) {
                        picked.add(i);
                        any = true;
                        break;
                    }
                }
            }
            if (!any) break;
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Captures the probe images {@code probes} of {@code heldOut} with the model as it is now. */
    public static UiEvents.VisionSnapshot snapshot(Vim2 model, ImageSet heldOut, int[] probes, long step, int epoch) {
        int per = heldOut.imageSize();
        float[] x = new float[probes.length * per];
        int[] labels = new int[probes.length];
        for (int i = 0; i < probes.length; i++) {
            heldOut.copyImage(probes[i], x, i * per);
            labels[i] = heldOut.label(probes[i]);
        }
        Vim2Capture cap = Introspector.capture(model, x, probes.length, step);
        return new UiEvents.VisionSnapshot(epoch, cap, probes.clone(), labels, heldOut.classNames());
    }

    /** The results view's content for an evaluation {@code ev} of {@code heldOut}. */
    public static UiEvents.VisionResults results(VisionEvaluation ev, ImageSet heldOut, long step, int epoch, boolean fin) {
        List<UiEvents.Mistake> mistakes = new ArrayList<>();
        int per = heldOut.imageSize();
        for (int i : ev.confidentMistakes(heldOut, MISTAKES)) {
            float[] px = new float[per];
            heldOut.copyImage(i, px, 0);
            mistakes.add(new UiEvents.Mistake(i, px, heldOut.height(), heldOut.width(), heldOut.channels(), heldOut.label(i),
                                              ev.predicted()[i], ev.confidence()[i]));
        }
        return new UiEvents.VisionResults((int) step, epoch, fin, ev.accuracy(), ev.loss(), ev.count(), ev.confusion(),
                                          ev.perClassAccuracy(), heldOut.classNames(), mistakes);
    }

    /** A finished ViM2 run folder's views: the probe capture and held-out results of the weights it kept. */
    public record Explored(UiEvents.VisionSnapshot snapshot, UiEvents.VisionResults results, String description) {}

    /**
     * Loads the run's kept weights on the CPU, reads its images again and evaluates the held-out
     * split (seconds for the MNIST preset): the views then show the run as it ended.
     */
    public static Explored explore(Path runDir, int probes) throws IOException {
        VisionRunFolder run = VisionRunFolder.open(runDir);
        VisionDatasets.VisionSplits splits = run.splits();
        ImageSet heldOut = splits.heldOut();
        try (CpuBackend be = new CpuBackend()) {
            VisionRunFolder.Kept kept = run.loadKept(be);
            VisionEvaluation ev = VisionEvaluation.of(kept.model(), heldOut, EVAL_BATCH);
            int[] probe = spreadImages(heldOut, Math.min(probes, heldOut.count()));
            return new Explored(snapshot(kept.model(), heldOut, probe, kept.step(), kept.epochs()),
                                results(ev, heldOut, kept.step(), kept.epochs(), true),
                                "ViM2 weights of " + runDir.relativize(kept.checkpoint()) + " (epoch " + kept.epochs() + ", step "
                                + kept.step() + ") on " + splits.description());
        }
    }

    private static final int EVAL_BATCH = 256;
}
