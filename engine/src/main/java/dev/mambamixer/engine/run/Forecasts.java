package dev.mambamixer.engine.run;

import dev.mambamixer.engine.data.ForecastData;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.train.Evaluation;
import dev.mambamixer.engine.train.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Evaluation of a split plus a forecast CSV in the data's original units. */
public final class Forecasts {
    private Forecasts() {}

    /** MSE and MAE over a split, standardised space, no forecast file. */
    public static Metrics evaluate(Tsm2 model, WindowDataset ds, int batch) {
        return Evaluation.run(model, ds, batch, null);
    }

    /** stride 0 = every H-th window (non-overlapping forecasts). The writer is closed. */
    public static Metrics evaluateAndWrite(Tsm2 model, ForecastData fd, WindowDataset ds, int batch, int stride,
                                    RunFolder.ForecastWriter out) throws IOException {
        int h = ds.horizon(), m = ds.variates();
        int every = stride > 0 ? stride : h;
        try {
            Metrics metrics = Evaluation.run(model, ds, batch, (first, n, pred, target) -> {
                float[] p = fd.scaler().inverseTransform(pred);
                float[] y = fd.scaler().inverseTransform(target);
                for (int b = 0; b < n; b++) {
                    int w = first + b;
                    if (w % every != 0) continue;
                    try {
                        out.window(w, p, y, b * h * m, h, m);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            out.close();   // the file appears under its name only when complete
            return metrics;
        } catch (RuntimeException | IOException e) {
            out.abort();
            throw e;
        }
    }
}
