package dev.mambamixer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.CpuBackend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.data.WindowDataset;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LeastSquaresHeadTest {
    static final WindowDataset TRAIN = TrainerTest.DATA.train(), VAL = TrainerTest.DATA.val();

    /**
     * At the fitted head the gradient of the training objective is zero: the MSE over every training
     * window (eval mode, float64 backward through RevIN when on) plus the ridge the fit stands for (dropout's
     * expectation p/(1−p)·Σ_rows (σ/γ·f_k)² per feature, and 1e-4 of the mean diagonal).
     */
    @ParameterizedTest
    @CsvSource({"0.0, true", "0.3, true", "0.3, false"})
    void theFittedHeadIsAStationaryPointOfTheTrainingObjective(double dropout, boolean revin) {
        Backend be = new ReferenceBackend();
        Tsm2 model = new Tsm2(be, TrainerTest.model().toBuilder().dropout(dropout).revin(revin).build());
        double[] before = objectiveGradient(model, dropout);
        LeastSquaresHead.Fit fit = LeastSquaresHead.fit(model, TRAIN, 64, dropout);
        assertEquals(TRAIN.size(), fit.windows());
        assertEquals(model.head().inFeatures(), fit.features());
        double[] after = objectiveGradient(model, dropout);
        double scale = 0, rest = 0;
        for (int i = 0; i < before.length; i++) {
            scale = Math.max(scale, Math.abs(before[i]));
            rest = Math.max(rest, Math.abs(after[i]));
        }
        assertTrue(scale > 1e-3, "the initial head is not already a minimiser: " + scale);
        assertTrue(rest < 1e-5 * scale, "gradient at the fit " + rest + " against " + scale + " at init");
    }

    /** d/dθ of [mean squared error + ridge / count] for the head's weight then bias, from the model's own backward. */
    private static double[] objectiveGradient(Tsm2 model, double dropout) {
        Backend be = model.backend();
        int t = TRAIN.lookback(), h = TRAIN.horizon(), m = TRAIN.variates(), n = TRAIN.size(), f = model.head().inFeatures();
        for (Parameter p : model.parameters()) be.fill(p.grad(), 0);
        double count = (double) n * h * m;
        double[] colSq = new double[f + 1];   // Σ_rows (s·a_k)², s = σ/γ
        double[] gamma = model.revinGamma() == null ? null : be.toDoubles(model.revinGamma().value());
        for (int i0 = 0; i0 < n; i0 += 64) {
            int b = Math.min(64, n - i0);
            float[] xb = new float[b * t * m], yb = new float[b * h * m];
            for (int j = 0; j < b; j++) {
                TRAIN.copyInput(i0 + j, xb, j * t * m);
                TRAIN.copyTarget(i0 + j, yb, j * h * m);
            }
            Tensor x = be.fromFloats(xb, b, t, m), y = be.fromFloats(yb, b, h, m);
            Tsm2.HeadInputs in = model.headInputs(x, b);
            double[] feats = be.toDoubles(in.features()), sd = in.std() == null ? null : be.toDoubles(in.std());
            for (int r = 0; r < b * m; r++) {
                double s = sd == null ? 1 : sd[r] / gamma[r % m];   // RevIN scales row (b, m) by σ/γ
                for (int k = 0; k < f; k++) colSq[k] += Math.pow(s * feats[r * f + k], 2);
                colSq[f] += s * s;
            }
            Tensor pred = model.forward(x, b, false, 0L);
            Tensor d = be.zeros(b, h, m);
            be.sub(pred, y, d);
            be.scale(d, 2 / count);
            model.backward(d);
        }
        List<Parameter> hp = model.head().parameters();
        double[] w = be.toDoubles(hp.get(0).value()), bias = be.toDoubles(hp.get(1).value());
        double[] gw = be.toDoubles(hp.get(0).grad()), gb = be.toDoubles(hp.get(1).grad());
        double meanDiag = 0;
        for (double c : colSq) meanDiag += c;
        meanDiag /= f + 1;
        double[] g = new double[gw.length + gb.length];
        for (int q = 0; q < h; q++) {
            for (int k = 0; k < f; k++) {
                double ridge = dropout / (1 - dropout) * colSq[k] + LeastSquaresHead.RIDGE * meanDiag;
                g[q * f + k] = gw[q * f + k] + 2 * ridge * w[q * f + k] / count;
            }
            g[gw.length + q] = gb[q] + 2 * LeastSquaresHead.RIDGE * meanDiag * bias[q] / count;
        }
        return g;
    }

    @Test
    void trainingFromTheHeadStartValidatesStepZeroAndNeverEndsWorse() {
        Backend be = new CpuBackend();
        TrainConfig tc = TrainerTest.train(2).withHeadStart(HeadStart.LEAST_SQUARES);
        List<TrainingListener.EpochEvent> vals = new ArrayList<>();
        Tsm2 model = new Tsm2(be, TrainerTest.model());
        Trainer tr = new Trainer(model, tc, new TrainingListener() {
            @Override public void onEpoch(EpochEvent e) { vals.add(e); }
        });
        TrainResult r = tr.fit(TRAIN, VAL);
        assertEquals(0, vals.get(0).step());
        assertTrue(Double.isNaN(vals.get(0).trainLoss()), "no training loss before the first step");
        // step 0 is the silenced model with the fitted head
        Tsm2 start = new Tsm2(be, TrainerTest.model());
        start.silenceMixers();
        LeastSquaresHead.fit(start, TRAIN, tc.evalBatchSize(), start.config().dropout());
        assertEquals(Evaluation.run(start, VAL, 64, null).mse(), vals.get(0).valMse(), 1e-9);
        for (Parameter p : start.stack().parameters())
            if (p.name().endsWith("out_proj.weight"))
                for (float v : be.toFloats(p.value())) assertEquals(0f, v, p.name());
        assertTrue(r.bestValMse() <= vals.get(0).valMse(), "early stopping keeps the head start unless training beats it");
        assertEquals(r.bestValMse(), tr.evaluate(VAL).mse(), 1e-9);
        assertTrue(vals.size() > 1 && vals.get(1).step() > 0, "training went on after the head start");
    }

    @Test
    void theHeadStartIsPartOfTheRunConfigAndOlderConfigsMeanRandom() {
        TrainConfig tc = TrainerTest.train(2).withHeadStart(HeadStart.LEAST_SQUARES);
        JsonObject json = TrainingCheckpoints.configJson(TrainerTest.model(), tc);
        assertEquals("least-squares", json.getAsJsonObject("training").get("headStart").getAsString());
        assertEquals(HeadStart.LEAST_SQUARES, TrainingCheckpoints.trainConfig(json, "config.json").headStart());
        json.getAsJsonObject("training").remove("headStart");
        assertEquals(HeadStart.RANDOM, TrainingCheckpoints.trainConfig(json, "config.json").headStart());
    }
}
