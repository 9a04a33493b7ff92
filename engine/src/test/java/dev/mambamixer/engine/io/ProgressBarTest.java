package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static final long S = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(5 * S); // arbitrary non-zero origin
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String text() { return bytes.toString(StandardCharsets.UTF_8); }

    @Test
    void nonConsoleModePrintsPeriodicLinesWithPercentEtaAndRate() {
        ProgressBar bar = new ProgressBar(out, false, now::get, "samples");
        bar.start("epoch 3/20", 1000);
        for (int i = 1; i <= 10; i++) {
            now.addAndGet(S / 2);          // 0.5 s per step
            bar.step(i * 50L, "loss 0.4123");  // 100 samples/s
        }
        bar.finish();
        String t = text();
        assertFalse(t.contains("\r"), "no carriage returns in logs");
        List<String> lines = t.lines().toList();
        // 5 s of work: lines at 2 s and 4 s (throttled to one per 2 s) plus the final line
        assertEquals(List.of(
                "epoch 3/20 [####................] 200/1000  20%  ETA 00:08  100.0 samples/s  loss 0.4123",
                "epoch 3/20 [########............] 400/1000  40%  ETA 00:06  100.0 samples/s  loss 0.4123",
                "epoch 3/20 [##########..........] 500/1000  50%  in 00:05  100.0 samples/s  loss 0.4123"), lines);
    }

    @Test
    void etaFollowsSmoothedRate() {
        ProgressBar bar = new ProgressBar(out, false, now::get, "samples");
        bar.start("train", 10_000);
        long done = 0;
        for (int i = 0; i < 10; i++) { now.addAndGet(S); done += 100; bar.step(done, ""); } // 100/s
        assertEquals(100.0, bar.rate(), 1e-9);
        for (int i = 0; i < 5; i++) { now.addAndGet(S); done += 300; bar.step(done, ""); } // 300/s
        // EMA with tau 5 s after 5 s at the new rate: 300 - 200 * e^-1
        assertEquals(300 - 200 * Math.exp(-1), bar.rate(), 1e-9);
        // log lines come every 2 s; the last one was printed at t = 14 s, done = 2200, 4 s into the faster phase
        List<String> lines = text().lines().toList();
        assertEquals(7, lines.size());
        double r = 300 - 200 * Math.exp(-0.8); // 210.13/s
        assertEquals("train [####................] 2200/10000  22%  ETA 00:37  210.1 samples/s", lines.get(6));
        // 7800 / 210.1 = 37.1 s: between 26 s (new rate) and 78 s (old rate), as smoothing intends
        assertEquals("00:37", ProgressBar.formatDuration(7800 / r));
    }

    @Test
    void consoleModeRedrawsInPlaceAtMostTenTimesPerSecond() {
        ProgressBar bar = new ProgressBar(out, true, now::get, "batches");
        bar.start("epoch 1/2", 100);
        for (int i = 1; i <= 100; i++) {
            now.addAndGet(10_000_000L); // 10 ms per step -> 1 s total
            bar.step(i, i % 2 == 0 ? "loss 1.0" : "loss 10.0");
        }
        bar.finish();
        String t = text();
        long redraws = t.chars().filter(c -> c == '\r').count();
        // first step, then every 100 ms (10 in 1 s, the last coinciding with completion), plus finish
        assertTrue(redraws >= 10 && redraws <= 12, "redraws: " + redraws);
        assertTrue(t.endsWith("\n"));
        String finalLine = t.substring(t.lastIndexOf('\r') + 1).stripTrailing();
        assertEquals("epoch 1/2 [####################] 100/100  100%  in 00:01  100.0 batches/s  loss 1.0", finalLine);
        // a shorter line after a longer one is padded so no stale characters remain
        int firstCr = t.indexOf('\r'), secondCr = t.indexOf('\r', firstCr + 1);
        String first = t.substring(firstCr + 1, secondCr), second = t.substring(secondCr + 1, t.indexOf('\r', secondCr + 1));
        assertTrue(second.length() >= first.length(), first + " / " + second);
    }

    @Test
    void aFirstStepMomentsAfterTheStartShowsNoRate() {
        ProgressBar bar = new ProgressBar(out, true, now::get, "samples");
        bar.start("epoch 2/10", 6400);
        now.addAndGet(1_000_000L);   // the first batch reported 1 ms after the epoch started
        bar.step(32, "loss 0.5");
        String first = text().substring(text().lastIndexOf('\r') + 1).stripTrailing();
        assertEquals("epoch 2/10 [....................] 32/6400  0%  ETA --:--  loss 0.5", first);
        now.addAndGet(200_000_000L);
        bar.step(64, "loss 0.5");
        String second = text().substring(text().lastIndexOf('\r') + 1).stripTrailing();
        assertTrue(second.contains("  318.4 samples/s"), second);   // 64 samples in 0.201 s since the start
    }

    @Test
    void unknownTotalShowsCountAndRateOnly() {
        ProgressBar bar = new ProgressBar(out, false, now::get, "samples");
        bar.start("eval", 0);
        now.addAndGet(3 * S);
        bar.step(600, null);
        assertEquals("eval 600  200.0 samples/s", text().lines().findFirst().orElseThrow());
        assertThrows(IllegalStateException.class, () -> new ProgressBar(out, false, now::get, "x").step(1, ""));
    }

    @Test
    void durationFormat() {
        assertEquals("00:00", ProgressBar.formatDuration(0.2));
        assertEquals("01:05", ProgressBar.formatDuration(65));
        assertEquals("1:01:01", ProgressBar.formatDuration(3661));
        assertEquals("--:--", ProgressBar.formatDuration(Double.NaN));
        assertEquals("--:--", ProgressBar.formatDuration(Double.POSITIVE_INFINITY));
    }
}
