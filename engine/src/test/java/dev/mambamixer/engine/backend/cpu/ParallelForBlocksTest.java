package dev.mambamixer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The block loop itself: every item once, failures rethrown, concurrent and nested callers. */
class ParallelForBlocksTest {
    /** Runs forBlocks over [0, n) and returns how often each item was visited. */
    private static AtomicIntegerArray visits(int n, int blocks) {
        AtomicIntegerArray v = new AtomicIntegerArray(n);
        Parallel.forBlocks(n, blocks, (b, from, to) -> {
            assertEquals(Parallel.blockStart(n, blocks, b), from);
            for (int i = from; i < to; i++) v.incrementAndGet(i);
        });
        return v;
    }

    @Test void everyItemIsVisitedOnceInManyCallsInARow() {
        for (int call = 0; call < 2000; call++) {
            int n = 1 + call % 97, blocks = 1 + call % 9;
            AtomicIntegerArray v = visits(n, blocks);
            for (int i = 0; i < n; i++) assertEquals(1, v.get(i), "call " + call + " item " + i);
        }
    }

    @Test void aFailingBlockIsRethrownAfterTheOthersAndThePoolGoesOn() {
        IllegalStateException boom = new IllegalStateException("block 3");
        AtomicIntegerArray ran = new AtomicIntegerArray(8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forBlocks(8, 8, (b, from, to) -> {
            ran.incrementAndGet(b);
            if (b == 3) throw boom;
        }));
        assertSame(boom, e);
        for (int b = 0; b < 8; b++) assertEquals(1, ran.get(b), "block " + b);
        AtomicIntegerArray v = visits(100, 4);
        for (int i = 0; i < 100; i++) assertEquals(1, v.get(i));
    }

    @Test void concurrentAndNestedCallersGetTheirItemsOnce() throws Exception {
        Thread[] ts = new Thread[3];
        Throwable[] err = new Throwable[3];
        for (int t = 0; t < ts.length; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    for (int call = 0; call < 300; call++) {
                        AtomicIntegerArray v = new AtomicIntegerArray(64);
                        // a body that calls forBlocks again: the inner loop runs on the body's thread
                        Parallel.forBlocks(8, 4, (b, from, to) -> {
                            for (int i = from; i < to; i++) {
                                int row = i;
                                Parallel.forBlocks(8, 2, (b2, f2, t2) -> { for (int j = f2; j < t2; j++) v.incrementAndGet(row * 8 + j); });
                            }
                        });
                        for (int i = 0; i < 64; i++) assertEquals(1, v.get(i), "thread " + id + " call " + call);
                    }
                } catch (Throwable x) {
                    err[id] = x;
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) t.join(60_000);
        for (Throwable x : err) if (x != null) throw new AssertionError(x);
    }
}
