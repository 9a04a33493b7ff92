package dev.mambamixer.engine.train;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.netlib.util.intW;

/**
 * The least-squares head start (MODEL.md §6.5): sets TSM2's head (Linear F -> H) to the minimiser of
 * the training loss for the features the model gives at that moment, in closed form, before the
 * first optimiser step.
 *
 * <p>Per training window w and variate m the head sees features f (F) and, through RevIN, the forecast
 * is ((f·θ + θ₀ − β)/γ)·σ + μ. So the MSE is a least-squares problem in θ with rows scaled by
 * σ/γ and targets β + γ(y − μ)/σ (without RevIN: scale 1, target y). Dropout p on the head input
 * multiplies each feature by a mask/(1−p) during training; its expectation adds
 * p/(1−p)·Σ_rows (scale·f_k)² θ_k² to the loss, a ridge on the diagonal, so the fit is the minimiser of
 * the loss training actually sees. A further 1e-4 × the mean diagonal keeps the system well
 * conditioned without dropout. The normal equations are accumulated in float64 (BLAS dsyrk/dgemm) and
 * solved by Cholesky (LAPACK dposv).
 */
public final class LeastSquaresHead {

    /** Relative ridge: this times the mean diagonal of the normal matrix. */
    static final double RIDGE = 1e-4;

    private LeastSquaresHead() {}

    /** What the fit did, for the log. */
    public record Fit(int windows, int features, double seconds) {}

    /**
     * Fits the head of {@code model} on every window of {@code train}, {@code batch} windows per
     * forward (no dropout), for head-input dropout {@code dropout}; writes its weight and bias.
     */
    public static Fit fit(Tsm2 model, WindowDataset train, int batch, double dropout) {
        long t0 = System.nanoTime();
        Backend be = model.backend();
        int t = train.lookback(), h = train.horizon(), m = train.variates(), n = train.size();
        int f = model.head().inFeatures(), k = f + 1;   // features and a constant column for the bias
        if (n == 0) throw new IllegalArgumentException("least-squares head start: " + train.source() + " has no training windows");
        float[] gamma = model.config().revin() ? be.toFloats(model.revinGamma().value()) : null;
        float[] beta = model.config().revin() ? be.toFloats(model.revinBeta().value()) : null;
        double[] ata = new double[k * k];   // Σ aᵀa, column-major (k, k), upper triangle filled
        double[] atb = new double[k * h];   // Σ aᵀ target, column-major (k, h)
        double[] a = new double[batch * m * k];   // scaled rows [f, 1]·s, column-major (k, rows)
        double[] tg = new double[batch * m * h];  // scaled targets, column-major (h, rows)
        float[] xb = new float[batch * t * m], yb = new float[batch * h * m];
        Tensor x = null;
        BLAS blas = BLAS.getInstance();
        for (int i0 = 0; i0 < n; i0 += batch) {
            int b = Math.min(batch, n - i0);
            for (int j = 0; j < b; j++) {
                train.copyInput(i0 + j, xb, j * t * m);
                train.copyTarget(i0 + j, yb, j * h * m);
            }
            if (x == null || x.shape()[0] != b) x = be.zeros(b, t, m);
            be.upload(b == batch ? xb : Arrays.copyOf(xb, b * t * m), x);
            Tsm2.HeadInputs in = model.headInputs(x, b);
            float[] feats = be.toFloats(in.features());              // (B·M, F), row (b, m)
            float[] mu = in.mean() == null ? null : be.toFloats(in.mean());   // (B, M)
            float[] sd = in.std() == null ? null : be.toFloats(in.std());
            int rows = b * m;
            for (int r = 0; r < rows; r++) {
                int bi = r / m, v = r % m;
                double s = sd == null ? 1 : sd[bi * m + v] / gamma[v];
                for (int c = 0; c < f; c++) a[r * k + c] = feats[r * f + c] * s;
                a[r * k + f] = s;
                for (int q = 0; q < h; q++) {
                    double y = yb[(bi * h + q) * m + v];
                    // s · target = (σ/γ)(β + γ(y − μ)/σ) = σβ/γ + y − μ
                    tg[r * h + q] = sd == null ? y : s * beta[v] + y - mu[bi * m + v];
                }
            }
            blas.dsyrk("U", "N", k, rows, 1.0, a, k, 1.0, ata, k);
            blas.dgemm("N", "T", k, h, rows, 1.0, a, k, tg, h, 1.0, atb, k);
        }
        double meanDiag = 0;
        for (int c = 0; c < k; c++) meanDiag += ata[c * k + c];
        meanDiag /= k;
        for (int c = 0; c < f; c++) ata[c * k + c] *= 1 + dropout / (1 - dropout);   // E over dropout masks
        for (int c = 0; c < k; c++) ata[c * k + c] += RIDGE * meanDiag;
        intW info = new intW(0);
        LAPACK.getInstance().dposv("U", k, h, ata, k, atb, k, info);
        if (info.val != 0)
            throw new IllegalStateException("least-squares head start: the normal equations are not positive definite (dposv info "
                                            + info.val + ")");
        float[] w = new float[h * f], bias = new float[h];   // weight (H, F) row-major; θ(c, q) = atb[q·k + c]
        for (int q = 0; q < h; q++) {
            for (int c = 0; c < f; c++) w[q * f + c] = (float) atb[q * k + c];
            bias[q] = (float) atb[q * k + f];
        }
        List<Parameter> p = model.head().parameters();
        be.upload(w, p.get(0).value());
        be.upload(bias, p.get(1).value());
        return new Fit(n, f, (System.nanoTime() - t0) / 1e9);
    }
}
