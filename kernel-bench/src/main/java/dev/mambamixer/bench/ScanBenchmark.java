package dev.mambamixer.bench;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The selective scan (MODEL.md §3) forward and backward of one gated mixer direction at the TSM2
 * shapes, through the CPU backend as the model calls it. Inputs are in the ranges a trained model
 * sees: Δ before softplus around dt_proj's initial bias, A = -(1..16) (S4D-real), unit-scale u, B, C, z.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class ScanBenchmark {
    @Param({"time", "variate"}) String mixer;
    @Param({"64", "256"}) int e;   // E = 2·d_model: d_model 32 and 128
    @Param({"64"}) int chunk;      // steps between stored states (the model default is 64)

    private Backend be;
    private ScanDims dims;
    private ScanInputs in;
    private ScanGrads grads;
    private Tensor out, ckpt, dout;

    @Setup(Level.Trial) public void setUp() {
        be = new CpuBackend();
        int[] sl = Shapes.sequences(mixer);
        int s = sl[0], l = sl[1], n = 16;
        dims = new ScanDims(s, l, e, n, chunk);
        float[] aLog = new float[e * n];
        for (int i = 0; i < aLog.length; i++) aLog[i] = (float) Math.log(i % n + 1);
        in = new ScanInputs(Shapes.uniform(be, 1, -1, 1, s, l, e), Shapes.uniform(be, 2, -6, -2, s, l, e),
                            be.fromFloats(aLog, e, n), Shapes.uniform(be, 3, -1, 1, s, l, n), Shapes.uniform(be, 4, -1, 1, s, l, n),
                            Shapes.uniform(be, 5, 0.5, 1.5, e), Shapes.uniform(be, 6, -2, 2, s, l, e), Shapes.uniform(be, 7, -1, 1, e));
        out = be.zeros(s, l, e);
        ckpt = be.zeros(dims.checkpointShape());
        dout = Shapes.uniform(be, 8, -1, 1, s, l, e);
        grads = new ScanGrads(be.zeros(s, l, e), be.zeros(s, l, e), be.zeros(e, n), be.zeros(s, l, n), be.zeros(s, l, n),
                              be.zeros(e), be.zeros(s, l, e), be.zeros(e));
        be.scanForward(dims, in, out, ckpt);
    }

    @Benchmark public Tensor forward() {
        be.scanForward(dims, in, out, ckpt);
        return out;
    }

    @Benchmark public Tensor backward() {
        be.scanBackward(dims, in, ckpt, dout, grads);
        return grads.du();
    }
}
