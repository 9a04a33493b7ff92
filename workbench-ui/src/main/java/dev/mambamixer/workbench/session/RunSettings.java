package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.model.SequenceModelConfig;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.run.VisionRun;
import dev.mambamixer.engine.train.VisionTrainConfig;
import dev.mambamixer.engine.train.TeachConfig;
import dev.mambamixer.engine.train.TrainConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a run needs, validated by the config view model. Exactly one of (tsm2, train) and
 * (sequence, teach) is set, by {@link #kind}.
 *
 * @param csv           TSM2 data file (the sample data or a user CSV)
 * @param task          teaching task name (selective-copy, induction)
 * @param copyTokens    selective copying: tokens to copy K
 * @param snapshotEvery capture the model every this many steps (on the training thread)
 * @param probeCount    sequences in a capture (val windows or held-out examples)
 * @param forecastWindows test windows offered by the forecast view's scrubber
 */
public record RunSettings(ModelKind kind, Path csv, int seqLen, int horizon, Tsm2Config tsm2, TrainConfig train,
                          String task, int copyTokens, SequenceModelConfig sequence, TeachConfig teach,
                          int snapshotEvery, int probeCount, int forecastWindows, String backend, Vision vision) {

    public enum ModelKind { TSM2, TEACHING, VISION }

    /**
     * A ViM2 run: the model (its image size and classes are fitted to the data when it is read),
     * the training settings and the image source ({@code VisionRun.splits}).
     */
    public record Vision(Vim2Config model, VisionTrainConfig train, VisionRun.DataSource data) {
        public Vision {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(data, "data");
        }
    }

    /** A TSM2 or teaching run (no vision settings). */
    public RunSettings(ModelKind kind, Path csv, int seqLen, int horizon, Tsm2Config tsm2, TrainConfig train,
                       String task, int copyTokens, SequenceModelConfig sequence, TeachConfig teach,
                       int snapshotEvery, int probeCount, int forecastWindows, String backend) {
        this(kind, csv, seqLen, horizon, tsm2, train, task, copyTokens, sequence, teach, snapshotEvery, probeCount,
             forecastWindows, backend, null);
    }

    /** A ViM2 run; {@code probeCount} images of the held-out set are captured after every epoch. */
    public static RunSettings vision(Vision v, int probeCount, String backend) {
        return new RunSettings(ModelKind.VISION, null, 0, 0, null, null, null, 0, null, null, 1, probeCount, 0, backend, v);
    }

    public RunSettings {
        Objects.requireNonNull(kind, "kind");
        if (kind == ModelKind.TSM2 && (csv == null || train == null))
            throw new IllegalArgumentException("TSM2 needs a CSV and a training config");
        if (kind == ModelKind.TEACHING && (task == null || sequence == null || teach == null))
            throw new IllegalArgumentException("the teaching model needs a task, a model and a teaching config");
        if (kind == ModelKind.VISION && vision == null) throw new IllegalArgumentException("ViM2 needs vision settings");
        if (snapshotEvery <= 0) throw new IllegalArgumentException("snapshotEvery must be positive, got " + snapshotEvery);
        if (probeCount <= 0) throw new IllegalArgumentException("probeCount must be positive, got " + probeCount);
    }

    /** Planned optimiser steps when known without the data (teaching), else 0. */
    public long plannedSteps() { return kind == ModelKind.TEACHING ? teach.steps() : 0; }

    /** A short description of what the run trains on, for run-folder names. */
    public String dataName() {
        return switch (kind) {
            case TSM2 -> csv.getFileName().toString().replaceAll("\\.csv(\\.gz)?$", "");
            case TEACHING -> task;
            case VISION -> "vim2-" + vision.data().kind();
        };
    }
}
