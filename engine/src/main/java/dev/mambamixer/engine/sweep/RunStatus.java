package dev.mambamixer.engine.sweep;

import com.google.gson.JsonObject;
import dev.mambamixer.engine.sweep.SweepFolder.DiskStatus;
import java.util.Arrays;
import java.util.Locale;

/**
 * A run's status as state.json records it ({@code "status": "planned"} and so on). "running" is
 * what the coordinator last handed out; with no coordinator holding the sweep it means stopped.
 */
public enum RunStatus {
    PLANNED, RUNNING, FINISHED, FAILED;

    /** The word state.json stores. */
    public String json() { return name().toLowerCase(Locale.ROOT); }

    /** Finished or failed: nothing more will happen to the run. */
    public boolean over() { return this == FINISHED || this == FAILED; }

    /** What a run folder on disk says, in state.json's terms: anything not finished or failed is planned (again). */
    public static RunStatus of(DiskStatus disk) {
        return switch (disk) {
            case FINISHED -> FINISHED;
            case FAILED -> FAILED;
            case PARTIAL, NOT_STARTED -> PLANNED;
        };
    }

    /** The status a state.json run entry records. */
    public static RunStatus of(JsonObject entry) {
        String s = entry.get("status").getAsString();
        for (RunStatus r : values()) if (r.json().equals(s)) return r;
        throw new IllegalArgumentException("run status: expected one of "
                                           + Arrays.stream(values()).map(RunStatus::json).toList() + ", found \"" + s + "\"");
    }

    /** Records this status in a state.json run entry. */
    public void writeTo(JsonObject entry) { entry.addProperty("status", json()); }
}
