package dev.mambamixer.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Throughput figures for docs/CUDA.md and the gpu-check table: the selective scan's effective
 * bandwidth (bytes it must move / time) against a device-to-device copy, and GEMM GFLOP/s.
 * Asserts only that the numbers are finite and the outputs are not NaN; correctness is the
 * parity test's job. Skipped without a GPU. A few seconds on an H100.
 */
class CudaScanBandwidthTest {

    private static final int REPS = 5;

    private static Tensor random(CudaBackend gpu, SplittableRandom rng, double lo, double hi, int... shape) {
        Tensor t = gpu.zeros(shape);
        float[] v = new float[t.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        gpu.upload(v, t);
        return t;
    }

    /** Mean seconds per call of {@code r} after one warm-up call. */
    private static double time(CudaBackend gpu, Runnable r) {
        r.run();
        gpu.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < REPS; i++) r.run();
        gpu.synchronize();
        return (System.nanoTime() - t0) / 1e9 / REPS;
    }

    @Test
    void scanBandwidthVersusCopy() {
        CudaBackend gpu = CudaTestSupport.requireGpu();
        SplittableRandom rng = new SplittableRandom(7);

        // Copy bandwidth: 256 MiB read + 256 MiB written per cuMemcpyDtoD.
        int copyN = 64 << 20;
        Tensor src = gpu.zeros(copyN), dst = gpu.zeros(copyN);
        double tCopy = time(gpu, () -> gpu.copy(src, dst));
        double copyGBs = 2.0 * 4 * copyN / tCopy / 1e9;
        CudaTestSupport.report("bandwidth\tcuMemcpyDtoD 256 MiB\t" + String.format("%.0f GB/s", copyGBs)
            + "\t" + String.format("%.3f ms", tCopy * 1e3) + "\t100%");

        // A TSM2-like scan: 256 sequences x 256 steps x 128 channels, N = 16, chunk 64.
        ScanDims d = new ScanDims(256, 256, 128, 16, 64);
        int S = d.s(), L = d.l(), E = d.e(), N = d.n();
        Tensor u = random(gpu, rng, -1, 1, S, L, E), dr = random(gpu, rng, -4, 0.5, S, L, E);
        Tensor z = random(gpu, rng, -2, 2, S, L, E), dout = random(gpu, rng, -1, 1, S, L, E);
        Tensor aLog = random(gpu, rng, 0, 2.7, E, N), bm = random(gpu, rng, -1, 1, S, L, N);
        Tensor cm = random(gpu, rng, -1, 1, S, L, N), dv = random(gpu, rng, -1, 1, E), db = random(gpu, rng, -0.5, 0.5, E);
        Tensor out = gpu.zeros(S, L, E), ck = gpu.zeros(d.checkpointShape());
        Tensor du = gpu.zeros(S, L, E), ddr = gpu.zeros(S, L, E), dz = gpu.zeros(S, L, E);
        Tensor dAl = gpu.zeros(E, N), dB = gpu.zeros(S, L, N), dC = gpu.zeros(S, L, N), dD = gpu.zeros(E), dDb = gpu.zeros(E);

        double tFwd = time(gpu, () -> gpu.scanForward(d, u, dr, aLog, bm, cm, dv, z, db, out, ck));
        double tBwd = time(gpu, () -> gpu.scanBackward(d, u, dr, aLog, bm, cm, dv, z, db, ck, dout,
            du, ddr, dAl, dB, dC, dD, dz, dDb));

        double sle = (double) S * L * E, sln = (double) S * L * N, ckn = ck.size();
        // Bytes the kernels must move: forward reads u, deltaRaw, z, B, C and writes out and the
        // checkpoints; backward also reads dout and the checkpoints and writes du, dDeltaRaw, dz,
        // dB, dC. The recompute scratch (written and read once per state) is extra traffic.
        double fwdBytes = 4 * (4 * sle + 2 * sln + ckn);
        double bwdBytes = 4 * (7 * sle + 4 * sln + ckn);
        double scratchBytes = 2.0 * 4 * S * E * (L + d.chunks()) * N;
        double fwdGBs = fwdBytes / tFwd / 1e9, bwdGBs = bwdBytes / tBwd / 1e9;
        CudaTestSupport.report("bandwidth\tscan fwd S256 L256 E128 N16\t" + String.format("%.0f GB/s", fwdGBs)
            + "\t" + String.format("%.3f ms", tFwd * 1e3) + "\t" + String.format("%.0f%%", 100 * fwdGBs / copyGBs));
        CudaTestSupport.report("bandwidth\tscan bwd S256 L256 E128 N16\t" + String.format("%.0f GB/s", bwdGBs)
            + "\t" + String.format("%.3f ms", tBwd * 1e3) + "\t" + String.format("%.0f%%", 100 * bwdGBs / copyGBs));
        CudaTestSupport.report("bandwidth\tscan bwd incl. recompute scratch\t"
            + String.format("%.0f GB/s", (bwdBytes + scratchBytes) / tBwd / 1e9) + "\t"
            + String.format("%.3f ms", tBwd * 1e3) + "\t"
            + String.format("%.0f%%", 100 * (bwdBytes + scratchBytes) / tBwd / 1e9 / copyGBs));

        // GEMM throughput, 2048^3 and a tall-skinny TSM2-like shape.
        int m = 2048;
        Tensor a = random(gpu, rng, -1, 1, m, m), b = random(gpu, rng, -1, 1, m, m), c = gpu.zeros(m, m);
        double tG = time(gpu, () -> gpu.gemm(false, false, m, m, m, 1.0, a, 0, b, 0, 0.0, c, 0));
        CudaTestSupport.report("perf\tgemm NN 2048^3\t" + String.format("%.0f GFLOP/s", 2.0 * m * m * m / tG / 1e9)
            + "\t" + String.format("%.3f ms", tG * 1e3) + "\t");
        int rows = S * L, k = 128, n = 256;
        Tensor x = random(gpu, rng, -1, 1, rows, k), w = random(gpu, rng, -1, 1, n, k), y = gpu.zeros(rows, n);
        double tT = time(gpu, () -> gpu.gemm(false, true, rows, n, k, 1.0, x, 0, w, 0, 0.0, y, 0));
        CudaTestSupport.report("perf\tgemm NT 65536x256x128\t" + String.format("%.0f GFLOP/s", 2.0 * rows * n * k / tT / 1e9)
            + "\t" + String.format("%.3f ms", tT * 1e3) + "\t");

        assertTrue(Double.isFinite(copyGBs) && Double.isFinite(fwdGBs) && Double.isFinite(bwdGBs));
        for (Tensor t : new Tensor[] {out, du, dB}) {
            double s = gpu.sumAbs(t);
            assertTrue(Double.isFinite(s) && s > 0, t + " has non-finite or zero values: " + s);
        }
    }
}
