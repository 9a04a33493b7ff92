package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.mambamixer.engine.sweep.SweepFolder.DiskStatus;
import org.junit.jupiter.api.Test;

/** state.json's status words, and what a run folder on disk means in them. */
class RunStatusTest {
    @Test void wordsRoundTripAndAnUnknownOneIsNamed() {
        for (RunStatus s : RunStatus.values()) {
            JsonObject e = new JsonObject();
            s.writeTo(e);
            assertEquals(s.name().toLowerCase(), e.get("status").getAsString(), "the words state.json has always had");
            assertEquals(s, RunStatus.of(e));
        }
        JsonObject bad = new JsonObject();
        bad.addProperty("status", "done");
        var ex = assertThrows(IllegalArgumentException.class, () -> RunStatus.of(bad));
        assertEquals("run status: expected one of [planned, running, finished, failed], found \"done\"", ex.getMessage());
    }

    @Test void onlyFinishedAndFailedAreOverAndTheDiskDecidesThem() {
        assertTrue(RunStatus.FINISHED.over() && RunStatus.FAILED.over());
        assertFalse(RunStatus.PLANNED.over() || RunStatus.RUNNING.over());
        assertEquals(RunStatus.FINISHED, RunStatus.of(DiskStatus.FINISHED));
        assertEquals(RunStatus.FAILED, RunStatus.of(DiskStatus.FAILED));
        assertEquals(RunStatus.PLANNED, RunStatus.of(DiskStatus.PARTIAL), "a half-finished run is planned again (resumed)");
        assertEquals(RunStatus.PLANNED, RunStatus.of(DiskStatus.NOT_STARTED));
    }
}
