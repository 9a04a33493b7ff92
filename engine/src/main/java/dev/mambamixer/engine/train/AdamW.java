package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (decoupled weight decay) with two parameter groups: parameters marked
 * {@link Parameter#noDecay()} (A_log, D, weighted-average weights, norms, biases; spec §4.1, §5.3)
 * get no weight decay. Moments live on the model's backend.
 */
public final class AdamW {
    private final Backend be;
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    private final double beta1, beta2, eps, weightDecay;
    private int step;

    public AdamW(Backend be, List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this.be = be;
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Parameter p : params) {
            m.add(be.zeros(p.shape()));
            v.add(be.zeros(p.shape()));
        }
    }

    public static AdamW defaults(Backend be, List<Parameter> params, double weightDecay) {
        return new AdamW(be, params, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** Global L2 norm of all gradients. */
    public double gradNorm() {
        double s = 0;
        for (Parameter p : params) s += be.dot(p.grad(), p.grad());
        return Math.sqrt(s);
    }

    /** One update with learning rate lr; gradients are multiplied by gradScale first (clipping). */
    public void step(double lr, double gradScale) {
        step++;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            be.adamw(p.value(), p.grad(), m.get(i), v.get(i), lr, beta1, beta2, eps,
                     p.noDecay() ? 0 : weightDecay, step, gradScale);
        }
    }

    public void zeroGrad() {
        for (Parameter p : params) p.zeroGrad();
    }

    public int stepCount() { return step; }
    public void setStepCount(int s) { step = s; }
    public List<Parameter> parameters() { return params; }
    public Tensor firstMoment(int i) { return m.get(i); }
    public Tensor secondMoment(int i) { return v.get(i); }
}
