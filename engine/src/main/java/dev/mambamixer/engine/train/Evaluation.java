package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.BatchIterator;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.nn.Buffers;
import dev.mambamixer.engine.tensor.Tensor;

/** Evaluation over every window of a split (no dropout), optionally handing out predictions. */
public final class Evaluation {
    private Evaluation() {}

    /** Receives each batch: predictions and targets (n, H, M) row-major, and the first window index. */
    public interface PredictionSink {
        void accept(int firstWindow, int n, float[] pred, float[] target);
    }

    public static Metrics run(Tsm2 model, WindowDataset ds, int batchSize, PredictionSink sink) {
        Backend be = model.backend();
        int t = ds.lookback(), h = ds.horizon(), m = ds.variates();
        BatchIterator it = BatchIterator.sequential(ds, batchSize);
        it.startEpoch(0);
        float[] xh = new float[batchSize * t * m], yh = new float[batchSize * h * m];
        Tensor x = null, y = null, diff = null;
        double se = 0, ae = 0;
        long windows = 0;
        int first = 0;
        while (it.hasNext()) {
            int n = it.next(xh, yh);
            x = Buffers.ensure(be, x, n, t, m);
            y = Buffers.ensure(be, y, n, h, m);
            diff = Buffers.ensure(be, diff, n, h, m);
            be.upload(n == batchSize ? xh : java.util.Arrays.copyOf(xh, n * t * m), x);
            float[] yn = n == batchSize ? yh : java.util.Arrays.copyOf(yh, n * h * m);
            be.upload(yn, y);
            Tensor pred = model.forward(x, n, false, 0);
            be.sub(pred, y, diff);
            se += be.dot(diff, diff);
            ae += be.sumAbs(diff);
            if (sink != null) sink.accept(first, n, be.toFloats(pred), yn);
            first += n;
            windows += n;
        }
        double count = (double) windows * h * m;
        return new Metrics(se / count, ae / count, windows);
    }
}
