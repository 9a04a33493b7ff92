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
        // dB, dC. The recomputed chunk states (written once, read once, per-block scratch) are
        // reported separately.
        double fwdBytes = 4 * (4 * sle + 2 * sln + ckn);
        double bwdBytes = 4 * (7 * sle + 4 * sln + ckn);
        double fwdGBs = fwdBytes / tFwd / 1e9, bwdGBs = bwdBytes / tBwd / 1e9;
        CudaTestSupport.report("bandwidth\tscan fwd S256 L256 E128 N16\t" + String.format("%.0f GB/s", fwdGBs)
            + "\t" + String.format("%.3f ms", tFwd * 1e3) + "\t" + String.format("%.0f%%", 100 * fwdGBs / copyGBs));
        CudaTestSupport.report("bandwidth\tscan bwd S256 L256 E128 N16\t" + String.format("%.0f GB/s", bwdGBs)
            + "\t" + String.format("%.3f ms", tBwd * 1e3) + "\t" + String.format("%.0f%%", 100 * bwdGBs / copyGBs));
        double scratchGBs = (bwdBytes + 2.0 * 4 * S * E * ((double) L + d.chunks()) * N) / tBwd / 1e9;
        CudaTestSupport.report("bandwidth\tscan bwd incl. recompute scratch\t" + String.format("%.0f GB/s", scratchGBs)
            + "\t" + String.format("%.3f ms", tBwd * 1e3) + "\t" + String.format("%.0f%%", 100 * scratchGBs / copyGBs));

        // The TSM2 time mixer's scan (bench shape: B*M = 224 sequences of Np = 63 patches,
        // E = 64, N = 16, chunk 64), the call a training step makes per direction and layer.
        ScanDims t2 = new ScanDims(224, 63, 64, 16, 64);
        Tensor[] q = {random(gpu, rng, -1, 1, 224, 63, 64), random(gpu, rng, -4, 0.5, 224, 63, 64),
            random(gpu, rng, -2, 2, 224, 63, 64), random(gpu, rng, -1, 1, 224, 63, 64),
            random(gpu, rng, -1, 1, 224, 63, 16), random(gpu, rng, -1, 1, 224, 63, 16),
            gpu.zeros(224, 63, 64), gpu.zeros(t2.checkpointShape()), gpu.zeros(224, 63, 64), gpu.zeros(224, 63, 64),
            gpu.zeros(224, 63, 64), gpu.zeros(224, 63, 16), gpu.zeros(224, 63, 16)};
        Tensor al2 = random(gpu, rng, 0, 2.7, 64, 16), dv2 = random(gpu, rng, -1, 1, 64), db2 = random(gpu, rng, -0.5, 0.5, 64);
        Tensor dAl2 = gpu.zeros(64, 16), dD2 = gpu.zeros(64), dDb2 = gpu.zeros(64);
        double tF2 = time(gpu, () -> gpu.scanForward(t2, q[0], q[1], al2, q[4], q[5], dv2, q[2], db2, q[6], q[7]));
        double tB2 = time(gpu, () -> gpu.scanBackward(t2, q[0], q[1], al2, q[4], q[5], dv2, q[2], db2, q[7], q[3],
            q[8], q[9], dAl2, q[11], q[12], dD2, q[10], dDb2));
        double sle2 = 224.0 * 63 * 64, sln2 = 224.0 * 63 * 16, ck2 = q[7].size();
        double f2 = 4 * (4 * sle2 + 2 * sln2 + ck2) / tF2 / 1e9, b2 = 4 * (7 * sle2 + 4 * sln2 + ck2) / tB2 / 1e9;
        CudaTestSupport.report("bandwidth\tscan fwd TSM2 S224 L63 E64 N16\t" + String.format("%.0f GB/s", f2)
            + "\t" + String.format("%.3f ms", tF2 * 1e3) + "\t" + String.format("%.0f%%", 100 * f2 / copyGBs));
        CudaTestSupport.report("bandwidth\tscan bwd TSM2 S224 L63 E64 N16\t" + String.format("%.0f GB/s", b2)
            + "\t" + String.format("%.3f ms", tB2 * 1e3) + "\t" + String.format("%.0f%%", 100 * b2 / copyGBs));

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

        // Weight gradient of in_proj in the TSM2 time mixer: (64 x 14112)(14112 x 32), split-k.
        int wr = 224 * 63;
        Tensor gy = random(gpu, rng, -1, 1, wr, 64), hx = random(gpu, rng, -1, 1, wr, 32), gw = gpu.zeros(64, 32);
        double tW = time(gpu, () -> gpu.gemm(true, false, 64, 32, wr, 1.0, gy, 0, hx, 0, 1.0, gw, 0));
        CudaTestSupport.report("perf\tgemm TN 64x32x14112 (weight grad)\t" + String.format("%.0f GB/s", 4.0 * wr * 96 / tW / 1e9)
            + "\t" + String.format("%.3f ms", tW * 1e3) + "\t" + String.format("%.0f%%", 100 * 4.0 * wr * 96 / tW / 1e9 / copyGBs));

        assertTrue(Double.isFinite(copyGBs) && Double.isFinite(fwdGBs) && Double.isFinite(bwdGBs));
        for (Tensor t : new Tensor[] {out, du, dB}) {
            double s = gpu.sumAbs(t);
            assertTrue(Double.isFinite(s) && s > 0, t + " has non-finite or zero values: " + s);
        }
    }
}
