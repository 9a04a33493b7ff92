package dev.mambamixer.workbench.session;

import dev.mambamixer.engine.sweep.SweepPlan.Stage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One planned run of a sweep as the sweep view shows it.
 *
 * @param values      the run's grid values, in the order of {@link SweepSnapshot#options()}, as written
 * @param selected    the run trains its setting's selected configuration (its test metrics count)
 * @param bestValMse  NaN until the run has validated
 * @param testMse     NaN unless selected and finished (test metrics are not read for the others)
 * @param wallSeconds the run's wall time so far (NaN before it started)
 */
public record SweepRow(String id, Stage stage, Status status, String dataset, int seqLen, int horizon, List<String> values,
                       long seed, boolean selected, double bestValMse, double testMse, double testMae, double wallSeconds,
                       Path dir) {
    /** STOPPED: begun, but no coordinator runs the sweep now (killed, or a copy of the folder); {@code sweep resume} continues it. */
    public enum Status {
        PLANNED, RUNNING, STOPPED, FINISHED, FAILED;

        @Override public String toString() { return name().toLowerCase(Locale.ROOT); }
    }

    public SweepRow {
        values = List.copyOf(values);
    }

    /** The run has a folder to read curves from. */
    public boolean started() { return status != Status.PLANNED || !Double.isNaN(wallSeconds); }
}
