package dev.mambamixer.engine.model;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import java.util.Locale;

/**
 * What a TSM2 or ViM2 training run will hold in memory, computed from the configs alone so that an
 * absurd size ({@code --layers 100000}, a {@code dModel} of 100000 in a config.json) is refused
 * with the numbers in the message before anything is allocated, instead of an OutOfMemoryError
 * after minutes. The one estimator for every front end (CLI, resume, workbench).
 *
 * <p>Parameters are counted exactly (the tests compare with the built models). Each parameter
 * holds value + gradient (8 bytes) and AdamW's two moments (8 bytes). Activations are the
 * per-mixer buffers kept between forward and backward, for the training batch (backward) and the
 * larger of the training and evaluation batches (forward), plus the scan checkpoints every
 * {@code scanChunk} tokens. The coefficients were calibrated against the retained heap of real
 * training steps on the CPU backend (MemoryEstimateTest asserts within 2x).
 *
 * <p>Every tensor is indexed with an int: a tensor of more than 2^31 - 1 elements is refused
 * even when memory would suffice.
 */
public record MemoryEstimate(String model, long parameters, long parameterBytes, long optimizerBytes,
                             long activationBytes, long largestTensorElements, String largestTensor) {

    /** Float buffers per (sequence, token) of a Mamba mixer, forward and backward (calibrated; see class doc). */
    static final double FWD_PER_E = 6, FWD_PER_F = 4, BWD_PER_E = 6, BWD_PER_F = 5;

    public long totalBytes() { return parameterBytes + optimizerBytes + activationBytes; }

    /** TSM2 training with these batch sizes (evalBatch also covers test/forecast batches). */
    public static MemoryEstimate tsm2(Tsm2Config c, int batch, int evalBatch) { return tsm2(c, batch, evalBatch, true); }

    /** TSM2 evaluation only (eval, forecast): weights and forward buffers of the batch. */
    public static MemoryEstimate tsm2Inference(Tsm2Config c, int batch) { return tsm2(c, 0, batch, false); }

    private static MemoryEstimate tsm2(Tsm2Config c, int batch, int evalBatch, boolean training) {
        Acc a = new Acc();
        int m = c.variates(), np = c.numPatches(), t = c.seqLen();
        boolean i1 = c.patchTokens();
        int d = i1 ? c.dModel() : m;
        if (c.revin()) a.params(2L * m);
        if (i1) a.params((long) c.patchLen() * d + d + (long) np * d);
        for (int l = 0; l < c.layers(); l++) {
            if (i1) {
                a.mixer("time mixer", (long) np * d, d, c.timeMixerBidirectional(), c, (long) m, np);
                a.mixer("variate mixer", (long) m * d, d, true, c, (long) np, m);
            } else {
                a.mixer("time mixer", (long) t * m, m, c.timeMixerBidirectional(), c, 1, t);
                a.mixer("variate mixer", (long) m * t, t, true, c, 1, m);
            }
        }
        long k = 2L * c.layers();
        a.params(k * (k + 3) / 2);                                   // weighted averages: target i has i + 1 weights
        long headIn = i1 ? (long) np * d : t;
        a.params(2.0 * (i1 ? (long) np * d : (long) t * m) + headIn * c.horizon() + c.horizon());  // final norm + head
        // per-sample model buffers: input, patches, tokens (+ their gradients), head input, prediction
        long perSample = (long) t * m * 3 + (i1 ? (long) m * np * (c.patchLen() + 4L * d) : 2L * t * m) + 3L * c.horizon() * m;
        a.tensor("tokens", (long) m * np * d);
        return a.build("TSM2", batch, evalBatch, perSample, training);
    }

    /** The token-sequence model of the teaching tasks, training with these batch sizes. */
    public static MemoryEstimate sequenceModel(SequenceModelConfig c, int batch, int evalBatch) {
        Acc a = new Acc();
        int d = c.dModel(), l = c.length(), v = c.vocab();
        a.params((long) v * d);
        int per = c.channelMixer() ? 2 : 1;
        for (int i = 0; i < c.layers(); i++) {
            a.params(2.0 * d);
            a.mamba("token mixer", d, d, (long) c.expand() * d, false, c.dState(), c.dConv(), c.scanChunk(), false, 1, l);
            if (per == 2) {
                a.params(2.0 * d * l);
                a.mamba("channel mixer", (long) d * l, l, (long) c.expand() * l, true, c.dState(), c.dConv(), c.scanChunk(),
                        false, 1, d);
            }
        }
        long k = (long) per * c.layers();
        a.params(k * (k + 3) / 2 + 2.0 * d + (double) d * v + v);
        a.tensor("logits", (double) l * v);
        return a.build("sequence model", batch, evalBatch, 4L * l * d + 3L * l * v, true);
    }

    /** ViM2 training with these batch sizes. */
    public static MemoryEstimate vim2(Vim2Config c, int batch, int evalBatch) { return vim2(c, batch, evalBatch, true); }

    /** ViM2 evaluation only: weights and forward buffers of the batch. */
    public static MemoryEstimate vim2Inference(Vim2Config c, int batch) { return vim2(c, 0, batch, false); }

    private static MemoryEstimate vim2(Vim2Config c, int batch, int evalBatch, boolean training) {
        Acc a = new Acc();
        int p = c.patch(), d0 = c.dims().get(0);
        a.params((long) p * p * c.channels() * d0 + d0 + 2L * d0);
        long perSample = (long) c.height() * c.width() * c.channels() * 2;
        for (int s = 0; s < c.stages(); s++) {
            int d = c.dims().get(s);
            int[] g = c.grid(s);
            int tokens = g[0] * g[1];
            if (s > 0) {
                int prev = c.dims().get(s - 1);
                a.params(2L * 4 * prev + 4L * prev * d);
                perSample += 4L * tokens * 4 * prev;
            }
            int mixers = 0;
            for (int t = 0; t < c.tokenMixers().get(s); t++) {
                a.ss2d(c, d, tokens);
                mixers++;
                if ((t + 1) % c.tokensPerChannelMixer() == 0 && c.channelMixer() != Vim2Config.ChannelMixer.NONE) {
                    a.params(2.0 * d * (c.channelMixer() == Vim2Config.ChannelMixer.PER_TOKEN_LIFT ? 1 : tokens)); // norm
                    if (c.channelMixer() == Vim2Config.ChannelMixer.PER_TOKEN_LIFT)
                        a.mamba("channel mixer", d, 1, c.channelLift(), true, c.channelState(), c.channelConv(),
                                c.scanChunk(), false, tokens, d);
                    else
                        a.mamba("channel mixer", (long) d * tokens, tokens, 2L * tokens, true, c.channelState(),
                                c.channelConv(), c.scanChunk(), false, 1, d);
                    mixers++;
                }
            }
            a.params((long) mixers * (mixers + 3) / 2);
            perSample += 4L * tokens * d;
        }
        int last = c.dims().get(c.stages() - 1);
        a.params(2L * last + (long) last * c.classes() + c.classes());
        a.tensor("patches", (long) c.grid(0)[0] * c.grid(0)[1] * p * p * c.channels());
        return a.build("ViM2", batch, evalBatch, perSample, training);
    }

    /**
     * Throws IllegalArgumentException when a tensor would exceed the int index range or the
     * estimate exceeds {@code limitBytes} ({@code limitName} says whose limit, e.g. "the JVM heap
     * (-Xmx)"); {@code what} names where the sizes came from (options or a config.json).
     */
    public MemoryEstimate requireFits(long limitBytes, String limitName, String what) {
        if (largestTensorElements > Integer.MAX_VALUE)
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "%s: %s is too large: its %s would have %,d elements, more than the %,d a tensor can index "
                + "(reduce the batch, the sequence length or the widths)", what, model, largestTensor,
                largestTensorElements, Integer.MAX_VALUE));
        if (totalBytes() > limitBytes)
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                "%s: %s needs about %s (%,d parameters: %s weights and gradients, %s optimizer moments, %s activations) "
                + "but %s allows %s (reduce the batch, the sequence length, the widths or the layers)", what, model,
                gib(totalBytes()), parameters, gib(parameterBytes), gib(optimizerBytes), gib(activationBytes),
                limitName, gib(limitBytes)));
        return this;
    }

    /**
     * {@link #requireFits} against where the tensors will live: the free JVM heap for the host
     * backends; on a device backend only the tensor-size check (the device's own out-of-memory
     * error names its limit).
     */
    public MemoryEstimate requireFitsOn(Backend be, String what) {
        if (be instanceof CpuBackend || be instanceof ReferenceBackend) return requireFitsHeap(what);
        return requireFits(Long.MAX_VALUE, "the device", what);
    }

    /** {@link #requireFits} against the JVM heap that is still free to grow into. */
    public MemoryEstimate requireFitsHeap(String what) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return requireFits(free, "the free JVM heap (-Xmx " + gib(rt.maxMemory()) + ")", what);
    }

    public String summary() {
        return String.format(Locale.ROOT, "%s: %,d parameters, about %s (weights+gradients %s, moments %s, activations %s)",
                             model, parameters, gib(totalBytes()), gib(parameterBytes), gib(optimizerBytes), gib(activationBytes));
    }

    static String gib(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** Sums parameters and per-sample activation floats; all in long/double so huge configs cannot overflow. */
    private static final class Acc {
        double params;
        double fwdPerSample, bwdPerSample;   // floats per sample
        double largest;
        String largestName = "input";

        void params(double n) { params += n; }

        /** A tensor of {@code elements} per sample. */
        void tensor(String name, double elements) {
            if (elements > largest) { largest = elements; largestName = name; }
        }

        /** A TSM2 Mixer: LayerNorm over normSize, then a Mamba unit of width f, on seqsPerSample sequences of length l. */
        void mixer(String name, long normSize, int f, boolean bidirectional, Tsm2Config c, long seqsPerSample, int l) {
            params(2.0 * normSize);
            mamba(name, normSize, f, (long) c.expand() * f, bidirectional, c.dState(), c.dConv(), c.scanChunk(),
                  c.shareDirectionA(), seqsPerSample, l);
        }

        /** A Mamba unit (in_proj, 1 or 2 SSM cores with conv, x_proj, dt_proj, A_log, D; out_proj). */
        void mamba(String name, long normSize, long f, long e, boolean bidirectional, int n, int k, int chunk,
                   boolean shareA, long seqsPerSample, int l) {
            int dirs = bidirectional ? 2 : 1;
            long r = (long) Math.ceil(f / 16.0);
            params(2.0 * e * f + (double) f * e);
            for (int dir = 0; dir < dirs; dir++) {
                params((double) e * k + e + (double) (r + 2 * n) * e + (double) e * r + e + e);
                if (dir == 0 || !shareA) params((double) e * n);
            }
            double rows = (double) seqsPerSample * l;
            double chunks = Math.ceil(l / (double) chunk);
            fwdPerSample += rows * (dirs * (FWD_PER_E * e + 2 * n + r) + 2 * (dirs - 1) * e + 2 * e + FWD_PER_F * f)
                            + dirs * seqsPerSample * chunks * e * n;
            bwdPerSample += rows * (dirs * (BWD_PER_E * e + 2 * n + r) + 2 * (dirs - 1) * e + 4 * e + BWD_PER_F * f);
            tensor(name + " scan buffer (sequences x tokens x inner width)", rows * e);
            tensor(name + " scan checkpoints", seqsPerSample * chunks * e * n);
        }

        /** A ViM2 SS2D token mixer of width d on an h·w grid: four scan directions. */
        void ss2d(Vim2Config c, int d, int tokens) {
            long e = (long) c.expand() * d, r = (long) Math.ceil(d / 16.0);
            int n = c.dState(), k = c.dwConv();
            params(2.0 * d + 2.0 * e * d + (double) e * k * k + e + 2.0 * e + (double) d * e);
            params(4.0 * ((double) (r + 2 * n) * e + (double) e * r + e + (double) e * n + e));
            double rows = tokens;
            double chunks = Math.ceil(tokens / (double) c.scanChunk());
            fwdPerSample += rows * (4 * (FWD_PER_E * e + 2 * n + r) + 6 * e + FWD_PER_F * d) + 4 * chunks * e * n;
            bwdPerSample += rows * (4 * (BWD_PER_E * e + 2 * n + r) + 6 * e + BWD_PER_F * d);
            tensor("SS2D scan buffer (tokens x inner width)", rows * e);
        }

        MemoryEstimate build(String model, int batch, int evalBatch, long modelPerSample, boolean training) {
            double fwd = fwdPerSample + modelPerSample, bwd = bwdPerSample + modelPerSample;
            // backward buffers stay at the training batch; forward buffers are reallocated (Buffers) for the
            // larger of the training and the evaluation batch
            double actFloats = (double) batch * bwd + (double) Math.max(batch, evalBatch) * fwd;
            double largestAll = largest * Math.max(batch, evalBatch);   // recorded per sample
            return new MemoryEstimate(model, sat(params), sat(params * (training ? 8 : 4)), training ? sat(params * 8) : 0,
                                      sat(actFloats * 4),
                                      sat(largestAll), largestName);
        }

        private static long sat(double v) { return v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(v); }
    }
}
