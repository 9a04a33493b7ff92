package dev.mambamixer.engine.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.nn.WeightedAverage;
import dev.mambamixer.engine.tensor.Tensor;
import dev.mambamixer.engine.train.AdamW;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The size estimate: exact parameter counts, activations within 2x of a measured heap, clear refusals. */
class MemoryEstimateTest {

    @Test
    void tsm2ParameterCountIsExact() {
        List<Tsm2Config> configs = List.of(
            Tsm2Config.defaults(96, 24, 7),
            Tsm2Config.builder(96, 24, 7).model(16, 3).timeMixerBidirectional(true).shareDirectionA(true).build(),
            Tsm2Config.builder(64, 12, 3).design(Tsm2Config.Design.I2).revin(false).dState(8).expand(3).build(),
            Tsm2Config.builder(50, 10, 2).patches(8, 4, true).averaging(WeightedAverage.Mode.SOFTMAX).dConv(2).build());
        try (Backend be = new CpuBackend()) {
            for (Tsm2Config c : configs)
                assertEquals(new Tsm2(be, c).parameterCount(), MemoryEstimate.tsm2(c, 4, 4).parameters(), c.toString());
        }
    }

    @Test
    void vim2ParameterCountIsExact() {
        Vim2Config mnist = Vim2Config.mnist();
        List<Vim2Config> configs = List.of(mnist,
            mnist.withChannelMixer(Vim2Config.ChannelMixer.TOKENS, 8),
            mnist.withChannelMixer(Vim2Config.ChannelMixer.NONE, 8).withStages(List.of(16, 24, 32), List.of(1, 3, 2)),
            mnist.withImage(12, 12, 3, 4, 2).withState(8, 3));
        try (Backend be = new CpuBackend()) {
            for (Vim2Config c : configs)
                assertEquals(new Vim2(be, c).parameterCount(), MemoryEstimate.vim2(c, 4, 4).parameters(), c.toString());
        }
    }

    @Test
    void sequenceModelParameterCountIsExact() {
        List<SequenceModelConfig> configs = List.of(SequenceModelConfig.defaults(12, 32),
            SequenceModelConfig.defaults(8, 16).withModel(16, 3, 8).withChannelMixer(false).withConv(2));
        try (Backend be = new CpuBackend()) {
            for (SequenceModelConfig c : configs)
                assertEquals(new SequenceModel(be, c).parameterCount(), MemoryEstimate.sequenceModel(c, 4, 4).parameters(),
                             c.toString());
        }
    }

    @Test
    void refusalsNameTheSizesAndTheLimit() {
        Tsm2Config wide = Tsm2Config.defaults(96, 24, 7).withModel(4096, 8);
        MemoryEstimate e = MemoryEstimate.tsm2(wide, 32, 128);
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
            () -> e.requireFits(1L << 30, "a 1 GiB test limit", "config.json"));
        assertTrue(tooBig.getMessage().startsWith("config.json: TSM2 needs about "), tooBig.getMessage());
        assertTrue(tooBig.getMessage().contains(String.format(java.util.Locale.ROOT, "%,d parameters", e.parameters())), tooBig.getMessage());
        assertTrue(tooBig.getMessage().contains("but a 1 GiB test limit allows 1.0 GiB"), tooBig.getMessage());
        assertSame(e, e.requireFits(e.totalBytes(), "exactly enough", "x"));

        // batch x variates x patches x inner width beyond an int index, whatever the memory
        MemoryEstimate overflow = MemoryEstimate.tsm2(Tsm2Config.defaults(96, 24, 7), 100_000_000, 100_000_000);
        IllegalArgumentException idx = assertThrows(IllegalArgumentException.class,
            () -> overflow.requireFits(Long.MAX_VALUE, "no limit", "--eval-batch"));
        assertTrue(idx.getMessage().contains("more than the 2,147,483,647 a tensor can index"), idx.getMessage());
        assertTrue(overflow.largestTensorElements() > Integer.MAX_VALUE);
        // no overflow of the estimate itself for absurd layer counts
        assertTrue(MemoryEstimate.tsm2(Tsm2Config.defaults(96, 24, 7).withModel(32, 100_000), 32, 128).totalBytes() > (1L << 40));
    }

    /** Retained heap of a model, AdamW and one training step plus one evaluation forward, against the estimate. */
    @Test
    void tsm2EstimateIsWithinTwiceTheMeasuredHeap() {
        assertWithinTwice(Tsm2Config.builder(96, 24, 7).model(64, 2).build(), 32, 128);
        assertWithinTwice(Tsm2Config.builder(192, 24, 3).model(32, 4).dState(32).timeMixerBidirectional(true).build(), 16, 64);
    }

    private static void assertWithinTwice(Tsm2Config c, int batch, int evalBatch) {
        int t = c.seqLen(), m = c.variates();
        long before = usedHeap();
        long measured;
        try (Backend be = new CpuBackend()) {
            Tsm2 model = new Tsm2(be, c);
            AdamW opt = AdamW.defaults(be, model.parameters(), 0.01);
            SplittableRandom rng = new SplittableRandom(1);
            float[] xh = new float[evalBatch * t * m];
            for (int i = 0; i < xh.length; i++) xh[i] = (float) rng.nextGaussian();
            Tensor pred = model.forward(be.fromFloats(java.util.Arrays.copyOf(xh, batch * t * m), batch, t, m), batch, true, 0);
            Tensor diff = be.zeros(pred.shape());
            be.copy(pred, diff);
            opt.zeroGrad();
            model.backward(diff);
            opt.step(1e-4, 1.0);
            model.forward(be.fromFloats(xh, evalBatch, t, m), evalBatch, false, 0);
            measured = usedHeap() - before;
            assertNotNull(model.parameters());   // keeps everything reachable until measured
        }
        long estimate = MemoryEstimate.tsm2(c, batch, evalBatch).totalBytes();
        System.out.printf("TSM2 T %d, M %d, d_model %d, %d layers, N %d, batch %d, eval batch %d: estimate %,d bytes, "
                          + "measured %,d bytes (ratio %.2f)%n", t, m, c.dModel(), c.layers(), c.dState(), batch, evalBatch,
                          estimate, measured, estimate / (double) measured);
        assertTrue(estimate > measured / 2 && estimate < measured * 2, "estimate " + estimate + " vs measured " + measured);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
