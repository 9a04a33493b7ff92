package dev.mambamixer.workbench.vm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Selection over time: following the newest snapshot, going back, thinning a long run, playing, an opened run. */
class SnapshotTimelineTest {

    @Test void followsTheNewestUntilTheUserGoesBack() {
        SnapshotTimelineViewModel t = new SnapshotTimelineViewModel();
        assertTrue(t.addLive(SnapshotFixtures.tsm2(10)));
        assertTrue(t.addLive(SnapshotFixtures.tsm2(20)));
        assertEquals(20L, t.selected());
        assertTrue(t.followProperty().get());
        t.indexProperty().set(0);                                   // back to step 10
        assertFalse(t.followProperty().get());
        assertFalse(t.addLive(SnapshotFixtures.tsm2(30)), "a new snapshot does not move the view back");
        assertEquals(List.of(10L, 20L, 30L), t.steps());
        assertEquals(10L, t.selected());
        assertEquals(30, t.liveSnapshot(30).step());
        t.indexProperty().set(2);                                   // the newest again: following
        assertTrue(t.followProperty().get());
        assertTrue(t.addLive(SnapshotFixtures.tsm2(40)));
        assertEquals(40L, t.selected());
    }

    @Test void aLongRunKeepsAnEvenlyThinnedHistoryTheNewestAndTheChosenStep() {
        SnapshotTimelineViewModel t = new SnapshotTimelineViewModel();
        for (int s = 1; s <= 50; s++) t.addLive(SnapshotFixtures.tsm2(s));
        t.indexProperty().set(t.steps().indexOf(37L));              // the user looks at step 37
        for (int s = 51; s <= 400; s++) assertFalse(t.addLive(SnapshotFixtures.tsm2(s)));
        assertTrue(t.steps().size() <= SnapshotTimelineViewModel.MAX_LIVE, "kept " + t.steps().size());
        assertTrue(t.steps().size() >= SnapshotTimelineViewModel.MAX_LIVE / 2);
        assertEquals(37L, t.selected(), "the chosen snapshot is never dropped");
        assertEquals(400L, t.steps().get(t.steps().size() - 1));
        assertEquals(1L, t.steps().get(0));
        assertEquals(t.steps().size(), t.liveSnapshots().size());
    }

    @Test void playStepsThroughAndFollowsAgainAtTheEnd() {
        SnapshotTimelineViewModel t = new SnapshotTimelineViewModel();
        for (int s = 1; s <= 4; s++) t.addLive(SnapshotFixtures.tsm2(10L * s));
        t.play();                                                   // at the newest: starts from the first
        assertTrue(t.playingProperty().get());
        assertEquals(10L, t.selected());
        t.playTick();
        t.playTick();
        assertEquals(30L, t.selected());
        assertTrue(t.playingProperty().get());
        t.playTick();
        assertEquals(40L, t.selected());
        assertFalse(t.playingProperty().get());
        assertTrue(t.followProperty().get());
    }

    @Test void anOpenedRunShowsItsNewestSnapshotAndALiveRunReplacesIt() {
        SnapshotTimelineViewModel t = new SnapshotTimelineViewModel();
        t.setExplored(List.of(300L, 100L, 200L));
        assertEquals(List.of(100L, 200L, 300L), t.steps());
        assertEquals(300L, t.selected());
        assertTrue(t.explore());
        assertNull(t.liveSnapshot(300), "opened runs stay on disk");
        t.indexProperty().set(0);
        assertEquals(100L, t.selected());
        assertTrue(t.addLive(SnapshotFixtures.tsm2(5)), "a new live run starts over");
        assertFalse(t.explore());
        assertEquals(List.of(5L), t.steps());
    }
}
