package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Child-JVM entry of {@link ThreadCountIndependenceTest}: four TSM2 training steps (dropout, MSE,
 * backward, AdamW) on fixed random data, at a size where GEMMs, the scan and the element-wise
 * kernels all run in parallel blocks; prints each step's loss and a weight checksum as raw bits.
 */
public final class ThreadCountProbe {
    public static void main(String[] args) {
        try (Backend be = new CpuBackend()) {
            int batch = 16, t = 128, h = 24, m = 7;
            Tsm2 model = new Tsm2(be, Tsm2Config.defaults(t, h, m).withModel(32, 2));
            AdamW opt = AdamW.defaults(be, model.parameters(), 0.01);
            SplittableRandom rng = new SplittableRandom(3);
            float[] xh = new float[batch * t * m], yh = new float[batch * h * m];
            for (int i = 0; i < xh.length; i++) xh[i] = (float) rng.nextGaussian();
            for (int i = 0; i < yh.length; i++) yh[i] = (float) rng.nextGaussian();
            Tensor x = be.fromFloats(xh, batch, t, m), y = be.fromFloats(yh, batch, h, m), diff = be.zeros(batch, h, m);
            StringBuilder out = new StringBuilder();
            for (int step = 0; step < 4; step++) {
                Tensor pred = model.forward(x, batch, true, step);
                be.sub(pred, y, diff);
                out.append(Double.doubleToRawLongBits(be.dot(diff, diff))).append(' ');
                be.scale(diff, 2.0 / diff.size());
                opt.zeroGrad();
                model.backward(diff);
                opt.step(1e-3, 1.0);
            }
            double sum = 0;
            for (var p : model.parameters()) sum += be.sumAbs(p.value());
            out.append(Double.doubleToRawLongBits(sum));
            System.out.println("probe " + out);
        }
    }
}
