package dev.mambamixer.engine.cli;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.vision.ClutteredDigits;
import dev.mambamixer.engine.data.vision.VisionDatasets;
import dev.mambamixer.engine.introspect.CanvasSelection;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mambamixer vision selection RUN}: for a ViM2 trained on the cluttered canvases, where its
 * token mixers select (introspect.CanvasSelection) on held-out canvases, for the trained weights and
 * for the same model at initialisation (same config, same seed), side by side.
 */
@Command(name = "selection", mixinStandardHelpOptions = true,
         description = "Cluttered-canvas run: Δ ratio and attention ratio digit box / clutter per token mixer, trained vs initial weights.")
final class VisionSelectionCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "run folder or checkpoint folder of a '--data cluttered' run") Path path;
    @Option(names = "--canvases", defaultValue = "64", description = "held-out canvases measured (default ${DEFAULT-VALUE})") int canvases;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu, reference or cuda (default ${DEFAULT-VALUE})") String backend;

    @Override public Integer call() throws java.io.IOException {
        Ranges.positive("--canvases", canvases);
        VisionEvalCommand.Loaded l = VisionEvalCommand.load(path, backend);
        try (Backend be = l.model().backend()) {
            if (!"cluttered".equals(l.data().kind()))
                throw new IllegalArgumentException(l.dir() + ": not a cluttered-canvas run (data kind '" + l.data().kind() + "')");
            Vim2Config mc = l.model().config();
            VisionDatasets.VisionSplits digits = VisionDatasets.mnist(Path.of(l.data().path()));
            ClutteredDigits held = new ClutteredDigits(digits.heldOut(), mc.height(), ClutteredDigits.DEFAULT_FRAGMENTS,
                                                       ClutteredDigits.defaultFragmentSize(digits.heldOut()));
            List<ClutteredDigits.CanvasExample> probe = held.examples(VisionDatasets.CANVAS_HELD_OUT_SEED, canvases);
            List<CanvasSelection.MixerSelection> trained = CanvasSelection.measure(l.model(), probe, 16);
            List<CanvasSelection.MixerSelection> initial = CanvasSelection.measure(new Vim2(be, mc), probe, 16);
            System.out.println("checkpoint: " + l.dir() + "; " + canvases + " held-out canvases (the first of the held-out stream)");
            System.out.printf(Locale.ROOT, "%-22s %-26s %-26s%n", "token mixer", "Δ ratio box/clutter", "attention ratio box/clutter");
            System.out.printf(Locale.ROOT, "%-22s %-12s %-13s %-12s %-13s%n", "", "initial", "trained", "initial", "trained");
            for (int i = 0; i < trained.size(); i++) {
                CanvasSelection.MixerSelection t = trained.get(i), s = initial.get(i);
                System.out.printf(Locale.ROOT, "%-22s %-12.4f %-13.4f %-12.4f %-13.4f%n", t.mixer(), s.deltaRatio(), t.deltaRatio(),
                                  s.attentionRatio(), t.attentionRatio());
            }
            return 0;
        }
    }
}
