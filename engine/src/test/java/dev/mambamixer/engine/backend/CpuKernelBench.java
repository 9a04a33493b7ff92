package dev.mambamixer.engine.backend;

import dev.mambamixer.engine.backend.cpu.CpuKernels;
import dev.mambamixer.engine.backend.cpu.ScalarScanKernel;
import dev.mambamixer.engine.backend.cpu.ScanKernel;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Microbenchmark (a main class, not a test): scanForward + scanBackward at the TSM2/ETTh1 time-mixer
 * (S=224, L=63) and variate-mixer (S=2016, L=7) shapes, E=64, N=16, for the vector and scalar scan
 * kernels, and the 14112x32 · 32x128
 * GEMM (the in_proj of that mixer). Prints medians. Run e.g.
 * <pre>
 * mvn -q -o test-compile -pl engine
 * java --add-modules jdk.incubator.vector -cp engine/target/classes:engine/target/test-classes:$(cat cp.txt) \
 *      dev.mambamixer.engine.backend.CpuKernelBench [reps]
 * </pre>
 */
public final class CpuKernelBench {

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        System.out.println("BLAS: " + CpuBackend.blasImplementation() + ", default scan kernel: "
            + CpuBackend.scanKernel() + ", cores: " + Runtime.getRuntime().availableProcessors());
        ScanKernel vector = CpuKernels.VECTOR_AVAILABLE ? CpuKernels.vector().scan() : null;
        if (vector == null) System.out.println("vector kernel unavailable");
        // Time mixer (S = B·M sequences of Np = 63 patches) and variate mixer (S = B·Np sequences
        // of M = 7 variates) at the ETTh1 shape with the default chunk 64, plus chunk 16.
        int[][] shapes = {{224, 63, 64}, {2016, 7, 64}, {224, 63, 16}};
        for (int[] sh : shapes) {
            if (vector != null) benchScan(new CpuBackend(vector), sh[0], sh[1], sh[2], reps);
            benchScan(new CpuBackend(new ScalarScanKernel()), sh[0], sh[1], sh[2], reps);
        }
        benchGemm(new CpuBackend(), reps);
    }

    private static Tensor rand(CpuBackend be, SplittableRandom rng, double lo, double hi, int... shape) {
        Tensor t = be.zeros(shape);
        float[] v = new float[t.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        be.upload(v, t);
        return t;
    }

    private static void benchScan(CpuBackend be, int S, int L, int chunk, int reps) {
        int E = 64, N = 16;
        ScanDims dims = new ScanDims(S, L, E, N, chunk);
        SplittableRandom rng = new SplittableRandom(7);
        Tensor u = rand(be, rng, -1, 1, S, L, E), dr = rand(be, rng, -4, 1, S, L, E), z = rand(be, rng, -2, 2, S, L, E);
        float[] al = new float[E * N];
        for (int e = 0; e < E; e++) for (int n = 0; n < N; n++) al[e * N + n] = (float) Math.log(n + 1);
        Tensor aLog = be.fromFloats(al, E, N);
        Tensor b = rand(be, rng, -1, 1, S, L, N), c = rand(be, rng, -1, 1, S, L, N);
        Tensor d = rand(be, rng, 0.5, 1.5, E), db = rand(be, rng, -1, 0, E);
        Tensor out = be.zeros(S, L, E), ck = be.zeros(dims.checkpointShape()), g = rand(be, rng, -1, 1, S, L, E);
        Tensor du = be.zeros(S, L, E), ddr = be.zeros(S, L, E), dz = be.zeros(S, L, E);
        Tensor dal = be.zeros(E, N), dB = be.zeros(S, L, N), dC = be.zeros(S, L, N), dD = be.zeros(E), ddb = be.zeros(E);
        int warm = Math.max(5, reps / 2);
        double[] fw = new double[reps], bw = new double[reps];
        for (int r = -warm; r < reps; r++) {
            long t0 = System.nanoTime();
            be.scanForward(dims, new ScanInputs(u, dr, aLog, b, c, d, z, db), out, ck);
            long t1 = System.nanoTime();
            be.scanBackward(dims, new ScanInputs(u, dr, aLog, b, c, d, z, db), ck, g,
                new ScanGrads(du, ddr, dal, dB, dC, dD, dz, ddb));
            long t2 = System.nanoTime();
            if (r >= 0) { fw[r] = (t1 - t0) / 1e6; bw[r] = (t2 - t1) / 1e6; }
        }
        System.out.printf("scan %-12s S=%d L=%d E=%d N=%d chunk=%d: forward %.2f ms, backward %.2f ms (medians of %d)%n",
            be.scanKernelName(), S, L, E, N, chunk, median(fw), median(bw), reps);
    }

    private static void benchGemm(CpuBackend be, int reps) {
        int m = 14112, k = 32, n = 128;
        SplittableRandom rng = new SplittableRandom(8);
        Tensor a = rand(be, rng, -1, 1, m, k), b = rand(be, rng, -1, 1, k, n), c = be.zeros(m, n);
        Tensor bt = rand(be, rng, -1, 1, n, k), gc = rand(be, rng, -1, 1, m, n), dw = be.zeros(k, n);
        double[] nn = new double[reps], nt = new double[reps], tn = new double[reps];
        for (int r = -Math.max(5, reps / 2); r < reps; r++) {
            long t0 = System.nanoTime();
            be.gemm(false, false, m, n, k, 1, a, 0, b, 0, 0, c, 0);       // forward x·W
            long t1 = System.nanoTime();
            be.gemm(false, true, m, n, k, 1, a, 0, bt, 0, 0, c, 0);       // forward x·Wᵀ (torch Linear layout)
            long t2 = System.nanoTime();
            be.gemm(true, false, k, n, m, 1, a, 0, gc, 0, 1, dw, 0);      // weight grad xᵀ·G
            long t3 = System.nanoTime();
            if (r >= 0) { nn[r] = (t1 - t0) / 1e6; nt[r] = (t2 - t1) / 1e6; tn[r] = (t3 - t2) / 1e6; }
        }
        double gflop = 2.0 * m * n * k / 1e9;
        System.out.printf("gemm %dx%d·%dx%d: NN %.2f ms (%.1f GFLOP/s), NT %.2f ms, TN (weight grad) %.2f ms (medians of %d)%n",
            m, k, k, n, median(nn), gflop / (median(nn) / 1e3), median(nt), median(tn), reps);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
