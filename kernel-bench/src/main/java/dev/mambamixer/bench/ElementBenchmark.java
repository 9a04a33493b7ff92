package dev.mambamixer.bench;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-bound kernels of a d_model 32 TSM2 training step at its shapes (14,112 token rows;
 * E = 64 channels inside a mixer, F = 32 outside): causal conv + SiLU forward and backward,
 * LayerNorm, the bidirectional unit's sequence flip, the weighted average's backward over five
 * sources. Compare their GB/s with the copy bandwidth of `bench --kernels`.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ElementBenchmark {
    private static final int S = 32 * 7, L = 63, E = 64, F = 32, K = 4;

    private Backend be;
    private Tensor x, w, bias, c, u, dc, dx, dw, db, g, ln, gamma, beta, lnOut, mean, rstd, flipped, raw, dOut, rawGrad;
    private Tensor[] src, grads;

    @Setup(Level.Trial) public void setUp() {
        be = new CpuBackend();
        x = Shapes.uniform(be, 1, -2, 2, S, L, E);
        w = Shapes.uniform(be, 2, -0.5, 0.5, E, K);
        bias = Shapes.uniform(be, 3, -0.1, 0.1, E);
        c = be.zeros(S, L, E);
        u = be.zeros(S, L, E);
        dc = be.zeros(S, L, E);
        dx = be.zeros(S, L, E);
        dw = be.zeros(E, K);
        db = be.zeros(E);
        g = Shapes.uniform(be, 4, -1, 1, S, L, E);
        ln = Shapes.uniform(be, 5, -2, 2, S * L, F);
        gamma = Shapes.uniform(be, 6, 0.5, 1.5, F);
        beta = Shapes.uniform(be, 7, -0.1, 0.1, F);
        lnOut = be.zeros(S * L, F);
        mean = be.zeros(S * L);
        rstd = be.zeros(S * L);
        flipped = be.zeros(S, L, E);
        raw = be.fromDoubles(new double[] {0.4, 0.3, 0.2, 0.1, 1.0}, 5);
        rawGrad = be.zeros(5);
        dOut = Shapes.uniform(be, 8, -1, 1, S * L, F);
        src = new Tensor[5];
        grads = new Tensor[5];
        for (int j = 0; j < 5; j++) {
            src[j] = Shapes.uniform(be, 10 + j, -1, 1, S * L, F);
            grads[j] = be.zeros(S * L, F);
        }
    }

    @Benchmark public Tensor convSiluForward() {
        be.causalConvForward(x, w, bias, S, L, E, K, c);
        be.siluForward(c, u);
        return u;
    }

    @Benchmark public Tensor convSiluBackward() {
        be.siluBackward(c, g, dc);
        be.causalConvBackward(x, w, dc, S, L, E, K, dx, dw, db);
        return dx;
    }

    @Benchmark public Tensor layerNormForward() {
        be.layerNormForward(ln, gamma, beta, S * L, F, 1e-5, lnOut, mean, rstd);
        return lnOut;
    }

    @Benchmark public Tensor flipSequence() {
        be.flipSequence(x, S, L, E, flipped);
        return flipped;
    }

    @Benchmark public Tensor weightedAverageBackward() {
        be.weightedAverageBackward(raw, false, dOut, src, grads, rawGrad);
        return rawGrad;
    }
}
