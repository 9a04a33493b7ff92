package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.train.TrainConfig;
import dev.mambamixer.engine.train.Trainer;
import dev.mambamixer.engine.train.TrainingListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AsyncListenerTest {

    /** Records what it receives, in order, sleeping {@code sleepMs} per event. */
    static final class Slow implements TrainingListener {
        final long sleepMs;
        final List<Object> got = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate;
        Slow(long sleepMs, CountDownLatch gate) { this.sleepMs = sleepMs; this.gate = gate; }
        void pause() {
            try {
                if (gate != null) gate.await();
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) { throw new RuntimeException(e); }
        }
        @Override public void onStep(StepEvent e) { pause(); got.add(e); }
        @Override public void onEpoch(EpochEvent e) { pause(); got.add(e); }
        @Override public void onFinish(String reason) { pause(); got.add("finish:" + reason); }
        List<StepEvent> steps() { return got.stream().filter(o -> o instanceof StepEvent).map(o -> (StepEvent) o).toList(); }
        List<EpochEvent> epochs() { return got.stream().filter(o -> o instanceof EpochEvent).map(o -> (EpochEvent) o).toList(); }
    }

    static TrainingListener.StepEvent step(int s) { return new TrainingListener.StepEvent(1, s, s, 100, 1.0 / s, 1e-3, 1, s, 0); }

    @Test
    void coalescesStepsButKeepsEveryOtherEventInOrder() {
        CountDownLatch gate = new CountDownLatch(1);
        Slow slow = new Slow(0, gate);
        AsyncListener a = new AsyncListener(slow, 4);
        List<TrainingListener.EpochEvent> sent = new ArrayList<>();
        for (int s = 1; s <= 100; s++) {
            a.onStep(step(s));
            if (s % 25 == 0) {
                TrainingListener.EpochEvent ev = new TrainingListener.EpochEvent(s / 25, s, 0.5, 0.4, 0.3, 1e-3, s, false, true);
                sent.add(ev);
                a.onEpoch(ev);
            }
        }
        a.onFinish("done");
        gate.countDown();   // consumer was blocked on the first event the whole time
        a.close();
        assertEquals(sent, slow.epochs(), "no validation event is dropped");
        assertEquals("finish:done", slow.got.get(slow.got.size() - 1), "finish comes last");
        List<TrainingListener.StepEvent> steps = slow.steps();
        assertEquals(100, steps.size() + a.droppedSteps(), "every step is delivered or counted as dropped");
        assertTrue(steps.size() <= 1 + 4, "at most the in-flight event plus 4 waiting: got " + steps.size());
        assertEquals(100, steps.get(steps.size() - 1).step(), "the latest step is kept");
        for (int i = 1; i < steps.size(); i++) assertTrue(steps.get(i).step() > steps.get(i - 1).step(), "order kept");
        // order across kinds: the epoch event of step 100 follows the step-100 event
        int lastStep = slow.got.indexOf(steps.get(steps.size() - 1));
        assertTrue(lastStep < slow.got.indexOf(sent.get(3)));
        assertEquals(slow.got.size(), a.delivered());
    }

    @Test
    void listenerErrorsAreCountedAndDoNotStopDelivery() {
        List<Integer> got = new ArrayList<>();
        AsyncListener a = new AsyncListener(new TrainingListener() {
            @Override public void onStep(StepEvent e) {
                if (e.step() == 2) throw new IllegalStateException("boom");
                synchronized (got) { got.add(e.step()); }
            }
        }, 100);
        for (int s = 1; s <= 3; s++) a.onStep(step(s));
        a.close();
        assertEquals(List.of(1, 3), got);
        assertEquals(1, a.errors());
        assertEquals("boom", a.firstError().getMessage());
        assertThrows(IllegalStateException.class, () -> a.onFinish("late"), "events after close are rejected");
    }

    static double train(TrainingListener l) {
        Tsm2 model = new Tsm2(new CpuBackend(),
                              Tsm2Config.defaults(48, 12, CaptureDuringTrainingTest.DATA.variates()).withModel(8, 1));
        // 4 epochs of 10 steps = 40 steps, 4 end-of-epoch validations
        TrainConfig tc = new TrainConfig(4, 16, 3e-3, 0.01, 1.0, "cosine", 5, 0.1, 10, 3L, 10, 64);
        long t0 = System.nanoTime();
        new Trainer(model, tc, l).fit(CaptureDuringTrainingTest.DATA.train(), CaptureDuringTrainingTest.DATA.val());
        return (System.nanoTime() - t0) / 1e9;
    }

    @Test
    void slowListenerDoesNotStallTraining() throws Exception {
        train(null);                                   // JIT warm-up
        double plain = Math.min(train(null), train(null));
        Slow slow = new Slow(50, null);
        AsyncListener a = new AsyncListener(slow);
        double async = train(a);
        assertTrue(a.awaitIdle(30, TimeUnit.SECONDS));
        a.close();
        // Synchronously the 45 events (40 steps, 4 validations, finish) would add >= 2.25 s.
        assertTrue(async < plain + 0.75, "training with a 50 ms/event listener took " + async + " s vs " + plain
                                         + " s without");
        assertEquals(4, slow.epochs().size(), "every validation event arrives");
        assertEquals(List.of(1, 2, 3, 4), slow.epochs().stream().map(TrainingListener.EpochEvent::epoch).toList());
        assertTrue(slow.got.get(slow.got.size() - 1).toString().startsWith("finish:completed 4 epochs"));
        List<TrainingListener.StepEvent> steps = slow.steps();
        assertEquals(40, steps.get(steps.size() - 1).step(), "the last step arrives");
        assertEquals(40, steps.size() + a.droppedSteps());
    }

    @Test
    void compositeFansOutInOrder() {
        List<String> got = new ArrayList<>();
        TrainingListener a = new TrainingListener() {
            @Override public void onStep(StepEvent e) { got.add("a" + e.step()); }
            @Override public void onFailed(String r, Throwable t) { got.add("a:" + r); }
        };
        TrainingListener b = new TrainingListener() {
            @Override public void onStep(StepEvent e) { got.add("b" + e.step()); }
            @Override public void onSnapshot(SnapshotEvent e) { got.add("b@" + e.step()); }
        };
        CompositeListener c = CompositeListener.of(a, b);
        c.onStep(step(7));
        c.onSnapshot(new TrainingListener.SnapshotEvent(7, java.nio.file.Path.of("x")));
        c.onFailed("oom", new OutOfMemoryError());
        assertEquals(List.of("a7", "b7", "b@7", "a:oom"), got);
    }
}
