package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.introspect.RunHistory;
import dev.mambamixer.engine.io.HistoryFile;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.train.TrainingListener.EpochEvent;
import dev.mambamixer.engine.train.TrainingListener.HeldOutEvent;
import dev.mambamixer.engine.train.TrainingListener.StepEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The curves of a finished run folder: every step and validation from {@code events.jsonl} (runs of
 * the workbench), or, for a folder of the CLI's {@code train} (no event log), the validations of
 * {@code metrics.csv}, whose train loss is the mean over the steps before each validation.
 * Teaching and ViM2 runs have held-out evaluations instead of validations.
 */
public record RunCurves(List<StepEvent> steps, List<EpochEvent> validations, List<HeldOutEvent> heldOut, String source) {

    public static RunCurves read(Path runDir, RunHistory history) throws IOException {
        if (!history.steps().isEmpty()) return new RunCurves(history.steps(), history.validations(), history.heldOut(), "events.jsonl");
        Path metrics = runDir.resolve(RunFolder.METRICS_FILE);
        if (!Files.exists(metrics))
            throw new IOException(runDir + " has neither events.jsonl steps nor metrics.csv: not a run folder");
        List<String> lines = HistoryFile.completeLines(metrics);   // a torn last row (killed mid-write) is left out
        if (lines.isEmpty() || !lines.get(0).strip().equals(RunFolder.METRICS_HEADER))
            throw new IOException(metrics + ": expected the header '" + RunFolder.METRICS_HEADER + "'");
        List<StepEvent> steps = new ArrayList<>();
        List<EpochEvent> vals = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String ln = lines.get(i).strip();
            if (ln.isEmpty()) continue;
            String[] f = ln.split(",", -1);
            if (f.length != 6) throw new IOException(metrics + ":" + (i + 1) + ": expected 6 fields, got " + f.length);
            try {
                int epoch = Integer.parseInt(f[0]), step = (int) Long.parseLong(f[1]);
                double loss = num(f[2]), val = num(f[3]), lr = num(f[4]), wall = num(f[5]);
                steps.add(new StepEvent(epoch, step, 0, 0, loss, lr, Double.NaN, 0, wall));
                vals.add(new EpochEvent(epoch, step, loss, val, Double.NaN, lr, wall, false, true));
            } catch (NumberFormatException e) {
                throw new IOException(metrics + ":" + (i + 1) + ": not a number: " + e.getMessage(), e);
            }
        }
        if (steps.isEmpty()) throw new IOException(metrics + " has no rows yet");
        return new RunCurves(steps, vals, List.of(), "metrics.csv");
    }

    private static double num(String s) { return s.isBlank() ? Double.NaN : Double.parseDouble(s.strip()); }
}
