package dev.mambamixer.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.ScanDims;
import dev.mambamixer.engine.backend.ScanGrads;
import dev.mambamixer.engine.backend.ScanInputs;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Throughput figures for docs/CUDA.md and the gpu-check table: the selective scan's effective
 * bandwidth (bytes it must move / time) against a device-to-device copy, and GEMM GFLOP/s.
 * Asserts only that the numbers are finite and the outputs are not NaN; correctness is the
 * parity test's job. Skipped without a GPU. A few seconds on an H100 (the large scan shape needs
 * about 14 GB of device memory).
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

    /** A tensor of the given shape filled on the device with copies of one random block (no big host arrays). */
    private static Tensor randomLarge(CudaBackend gpu, SplittableRandom rng, double lo, double hi, int... shape) {
        Tensor t = gpu.zeros(shape);
        int blk = Math.min(t.size(), 1 << 22);
        Tensor b = random(gpu, rng, lo, hi, blk);
        for (int off = 0; off < t.size(); off += blk) gpu.copy(b, 0, t, off, Math.min(blk, t.size() - off));
        return t;
    }

    /**
     * Times scanForward / scanBackward on random inputs and reports their compulsory-traffic rates
     * (fwd: 4 (S,L,E) + 2 (S,L,N) tensors; bwd: 7 (S,L,E) + 4 (S,L,N)); with {@code alsoOld} also
     * the previous n16 kernels. Returns {fwd GB/s, bwd GB/s} of the kernels in use. Checks the
     * outputs are finite and non-zero.
     */
    private static double[] scanRates(CudaBackend gpu, SplittableRandom rng, String name, ScanDims d, double copyGBs,
                                      boolean alsoOld) {
        int S = d.s(), L = d.l(), E = d.e(), N = d.n();
        Tensor u = randomLarge(gpu, rng, -1, 1, S, L, E), dr = randomLarge(gpu, rng, -4, 0.5, S, L, E);
        Tensor z = randomLarge(gpu, rng, -2, 2, S, L, E), dout = randomLarge(gpu, rng, -1, 1, S, L, E);
        Tensor aLog = random(gpu, rng, 0, 2.7, E, N), bm = randomLarge(gpu, rng, -1, 1, S, L, N);
        Tensor cm = randomLarge(gpu, rng, -1, 1, S, L, N), dv = random(gpu, rng, -1, 1, E), db = random(gpu, rng, -0.5, 0.5, E);
        Tensor out = gpu.zeros(S, L, E), ck = gpu.zeros(d.checkpointShape());
        Tensor du = gpu.zeros(S, L, E), ddr = gpu.zeros(S, L, E), dz = gpu.zeros(S, L, E);
        Tensor dAl = gpu.zeros(E, N), dB = gpu.zeros(S, L, N), dC = gpu.zeros(S, L, N), dD = gpu.zeros(E), dDb = gpu.zeros(E);
        double sle = (double) S * L * E, sln = (double) S * L * N;
        double fwdBytes = 4 * (4 * sle + 2 * sln), bwdBytes = 4 * (7 * sle + 4 * sln);
        double[] result = null;
        boolean keep = CudaBackend.scanFast;
        try {
            for (boolean fast : alsoOld ? new boolean[] {true, false} : new boolean[] {true}) {
                CudaBackend.scanFast = fast && keep;
                String tag = CudaBackend.scanFast ? "" : " (n16)";
                double tFwd = time(gpu, () -> gpu.scanForward(d, new ScanInputs(u, dr, aLog, bm, cm, dv, z, db), out, ck));
                double tBwd = time(gpu, () -> gpu.scanBackward(d, new ScanInputs(u, dr, aLog, bm, cm, dv, z, db), ck, dout,
                    new ScanGrads(du, ddr, dAl, dB, dC, dD, dz, dDb)));
                double f = fwdBytes / tFwd / 1e9, b = bwdBytes / tBwd / 1e9;
                CudaTestSupport.report("bandwidth\tscan fwd " + name + tag + "\t" + String.format("%.0f GB/s", f)
                    + "\t" + String.format("%.3f ms", tFwd * 1e3) + "\t" + String.format("%.0f%%", 100 * f / copyGBs));
                CudaTestSupport.report("bandwidth\tscan bwd " + name + tag + "\t" + String.format("%.0f GB/s", b)
                    + "\t" + String.format("%.3f ms", tBwd * 1e3) + "\t" + String.format("%.0f%%", 100 * b / copyGBs));
                assertTrue(Double.isFinite(f) && Double.isFinite(b));
                if (result == null) result = new double[] {f, b};
                for (Tensor t : new Tensor[] {out, du, dB}) {
                    double s = gpu.sumAbs(t);
                    assertTrue(Double.isFinite(s) && s > 0, name + tag + ": " + t + " has non-finite or zero values: " + s);
                }
            }
        } finally {
            CudaBackend.scanFast = keep;   // the tensors are freed when collected (about 13 GB at the large shape)
        }
        return result;
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

        // Scan rates count only the compulsory traffic: forward reads u, deltaRaw, z, B, C and
        // writes out; backward also reads dout and writes du, dDeltaRaw, dz, dB, dC. Small
        // per-channel parameters are neglected; checkpoints and any scratch are NOT counted (they
        // are overhead the kernels pay). "(n16)" lines: the previous kernels (scanFast off).
        // A TSM2-like scan: 256 sequences x 256 steps x 128 channels, N = 16, chunk 64.
        double[] r256 = scanRates(gpu, rng, "S256 L256 E128 N16", new ScanDims(256, 256, 128, 16, 64), copyGBs, true);
        // The TSM2 time mixer's scan (bench shape: B*M = 224 sequences of Np = 63 patches,
        // E = 64, N = 16, chunk 64), the call a training step makes per direction and layer.
        scanRates(gpu, rng, "TSM2 S224 L63 E64 N16", new ScanDims(224, 63, 64, 16, 64), copyGBs, true);
        // A large model: 64 sequences x 4096 steps x 1536 channels (1.6 GB per (S, L, E) tensor,
        // filled on the device), chunk 64 as SsmCore uses by default (scanChunk).
        scanRates(gpu, rng, "S64 L4096 E1536 N16", new ScanDims(64, 4096, 1536, 16, 64), copyGBs, false);
        double fwdGBs = r256[0], bwdGBs = r256[1];

        // GEMM throughput, 2048^3 and a tall-skinny TSM2-like shape.
        int m = 2048;
        Tensor a = random(gpu, rng, -1, 1, m, m), b = random(gpu, rng, -1, 1, m, m), c = gpu.zeros(m, m);
        double tG = time(gpu, () -> gpu.gemm(false, false, m, m, m, 1.0, a, 0, b, 0, 0.0, c, 0));
        CudaTestSupport.report("perf\tgemm NN 2048^3\t" + String.format("%.0f GFLOP/s", 2.0 * m * m * m / tG / 1e9)
            + "\t" + String.format("%.3f ms", tG * 1e3) + "\t");
        int rows = 256 * 256, k = 128, n = 256;
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
    }
}
