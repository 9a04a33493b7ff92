package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
    private static final int M = 3, T = 4, H = 2;

    /** (rows, M) with value = row*M + col, so every copied value identifies its source row. */
    private static WindowDataset dataset(int rows) {
        float[] d = new float[rows * M];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return new WindowDataset("mem.csv", "train", d, M, 0, rows, T, H);
    }

    private static List<Integer> epochOrder(BatchIterator it, int epoch, float[] x, float[] y) {
        List<Integer> order = new ArrayList<>();
        it.startEpoch(epoch);
        while (it.hasNext()) {
            int n = it.next(x, y);
            for (int b = 0; b < n; b++) {
                int w = it.windowIndex(b);
                // The sample's first input value identifies the window: row w, col 0.
                assertEquals(w * M, x[b * T * M]);
                assertEquals((w + T + H - 1) * M + M - 1, y[b * H * M + H * M - 1]);
                order.add(w);
            }
        }
        return order;
    }

    @Test
    void shuffledIsReproducibleAndCoversEveryWindowOnce() {
        WindowDataset ds = dataset(50); // 45 windows
        assertEquals(45, ds.size());
        int bs = 8;
        float[] x = new float[bs * T * M];
        float[] y = new float[bs * H * M];
        BatchIterator a = BatchIterator.shuffled(ds, bs, 42L, false);
        BatchIterator b = BatchIterator.shuffled(ds, bs, 42L, false);
        assertEquals(6, a.batchesPerEpoch());
        List<Integer> e0 = epochOrder(a, 0, x, y);
        assertEquals(e0, epochOrder(b, 0, x, y));
        assertEquals(45, e0.size());
        assertEquals(45, e0.stream().distinct().count());
        assertEquals(0, e0.stream().mapToInt(Integer::intValue).min().getAsInt());
        assertEquals(44, e0.stream().mapToInt(Integer::intValue).max().getAsInt());
        List<Integer> seq = new ArrayList<>();
        for (int i = 0; i < 45; i++) seq.add(i);
        assertNotEquals(seq, e0, "shuffled order should not be sequential");
        List<Integer> e1 = epochOrder(a, 1, x, y);
        assertNotEquals(e0, e1, "each epoch reshuffles");
        assertEquals(e1, epochOrder(b, 1, x, y));
        assertNotEquals(e0, epochOrder(BatchIterator.shuffled(ds, bs, 43L, false), 0, x, y));
    }

    @Test
    void dropLastAndSequential() {
        WindowDataset ds = dataset(50);
        float[] x = new float[8 * T * M];
        float[] y = new float[8 * H * M];
        BatchIterator drop = BatchIterator.shuffled(ds, 8, 7L, true);
        assertEquals(5, drop.batchesPerEpoch());
        List<Integer> o = epochOrder(drop, 0, x, y);
        assertEquals(40, o.size());
        assertEquals(40, o.stream().distinct().count());

        BatchIterator seq = BatchIterator.sequential(ds, 8);
        List<Integer> s = epochOrder(seq, 0, x, y);
        for (int i = 0; i < 45; i++) assertEquals(i, s.get(i));
        assertThrows(NoSuchElementException.class, () -> seq.next(x, y));
        assertThrows(IllegalArgumentException.class, () -> BatchIterator.sequential(ds, 8).next(new float[5], y));
    }
}
