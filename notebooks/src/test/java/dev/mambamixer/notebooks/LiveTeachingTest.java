package dev.mambamixer.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.data.teaching.SelectiveCopying;
import org.junit.jupiter.api.Test;

class LiveTeachingTest {
    @Test
    void teachingWidgetShowsFramesWithTheTokenMixersDeltaAndAFinalFrame() throws Exception {
        var task = new SelectiveCopying(16, 8, 2);
        var model = Workbench.sequenceModel(task, 16, 2, false);
        RecordingDisplay d = new RecordingDisplay();
        TeachingRun run = new LiveTeaching(model, task, Workbench.teachConfig(20, 10, 2.0), "copy test")
            .run(d, 0, Pictures::teachingFrame);
        assertEquals(1, d.shown.size());
        assertTrue(d.updateCount() >= 2, "live frames and the final frame: " + d.updateCount());
        assertEquals(20, run.result().steps());
        assertEquals(20, run.loss().length);
        assertArrayEquals(new double[] {10, 20}, run.evalSteps(), "evaluations at step 10 and the end");
        assertTrue(run.lastFrame().text().contains("finished: held-out accuracy"), run.lastFrame().text());
        assertEquals(Pictures.WIDTH, run.lastFrame().getWidth());
        assertEquals(660, run.lastFrame().getHeight(), "curves + Δ of both token mixers");
        var cap = Workbench.capture(run, 3);
        assertEquals(3, cap.batch());
        assertEquals(20, cap.step());
        var profile = Workbench.selectionProfile(run, 0, 32);
        assertEquals(32, profile.examples());
        assertTrue(profile.mean().containsKey("data") && profile.mean().containsKey("noise"), profile.mean().toString());
        LiveTrainingTest.keep(run.lastFrame(), "teaching-frame");
        LiveTrainingTest.keep(Pictures.selectionProfile(profile, run.heldOut(), 8), "teaching-profile");
    }
}
