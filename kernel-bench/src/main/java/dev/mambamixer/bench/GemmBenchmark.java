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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The GEMM shapes of a d_model 32 TSM2 training step (the skinny ones the roofline table shows
 * at 50–90 GFLOP/s), through the CPU backend (OpenBLAS, split over the engine's workers).
 * Shape "op m n k": op(A) m×k times op(B) k×n, row-major, as Backend.gemm takes them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
public class GemmBenchmark {
    @Param({
        "NT 14112 64 32",     // in_proj: x or z = h W_inᵀ
        "NN 14112 32 64",     // in_proj backward: dh = dx W_in
        "TN 64 32 14112",     // in_proj weight gradient
        "NT 14112 16 64",     // x_proj: B or C = u W_xᵀ
        "TN 16 64 14112",     // x_proj weight gradient rows of B or C
        "NT 14112 64 2",      // dt_proj: Δraw = r W_dtᵀ (K = 2)
        "TN 64 2 14112"       // dt_proj weight gradient
    })
    String shape;

    private Backend be;
    private boolean ta, tb;
    private int m, n, k;
    private Tensor a, b, c;

    @Setup(Level.Trial) public void setUp() {
        be = new CpuBackend();
        String[] f = shape.split(" ");
        ta = f[0].charAt(0) == 'T';
        tb = f[0].charAt(1) == 'T';
        m = Integer.parseInt(f[1]);
        n = Integer.parseInt(f[2]);
        k = Integer.parseInt(f[3]);
        a = Shapes.uniform(be, 1, -1, 1, m * k);
        b = Shapes.uniform(be, 2, -1, 1, k * n);
        c = be.zeros(m * n);
    }

    @Benchmark public Tensor gemm() {
        be.gemm(ta, tb, m, n, k, 1, a, 0, b, 0, 0, c, 0);
        return c;
    }
}
