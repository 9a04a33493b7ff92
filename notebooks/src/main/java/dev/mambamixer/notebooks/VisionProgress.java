package dev.mambamixer.notebooks;

import dev.mambamixer.engine.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A plain progress line for a ViM2 run ({@code VisionRun.builder(...).listener(...)}): every
 * {@code every} optimiser steps (and at the last step of an epoch) the epoch, step, batch loss and
 * accuracy, seconds per step and elapsed time; after each epoch the held-out accuracy. Text only,
 * so it reads the same in a notebook, a log and an executed copy.
 */
public final class VisionProgress implements TrainingListener {
    private final String label;
    private final int every;
    private final PrintStream out;
    private int lastStep;
    private double lastSeconds;

    public VisionProgress(String label, int every) { this(label, every, System.out); }

    public VisionProgress(String label, int every, PrintStream out) {
        if (every < 1) throw new IllegalArgumentException("every must be >= 1, got " + every);
        this.label = label;
        this.every = every;
        this.out = out;
    }

    @Override public void onStep(StepEvent e) {
        if (e.step() % every != 0 && e.stepInEpoch() != e.stepsPerEpoch()) return;
        double perStep = (e.wallSeconds() - lastSeconds) / Math.max(1, e.step() - lastStep);
        lastStep = e.step();
        lastSeconds = e.wallSeconds();
        out.println(String.format(Locale.ROOT, "%s  epoch %d  step %d/%d  loss %.3f  batch acc %.2f  %.2f s/step  %.0f s",
                                  label, e.epoch(), e.stepInEpoch(), e.stepsPerEpoch(), e.loss(), e.accuracy(), perStep,
                                  e.wallSeconds()));
        out.flush();
    }

    @Override public void onHeldOut(HeldOutEvent e) {
        out.println(String.format(Locale.ROOT, "%s  held out after step %d: accuracy %.3f, loss %.3f (%d images)  %.0f s",
                                  label, e.step(), e.accuracy(), e.loss(), e.examples(), e.wallSeconds()));
        out.flush();
    }
}
