package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.nn.Parameter;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (decoupled weight decay) with two parameter groups: parameters marked
 * {@link Parameter#noDecay()} (A_log, D, weighted-average weights, norms, biases; MODEL.md §4.1, §5.3)
 * get no weight decay. Moments live on the model's backend.
 */
public final class AdamW {
    private final Backend be;
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    // Stable lists for the multi-tensor backend calls (the CUDA backend caches a device table per
    // list identity, so these must not be rebuilt per step).
    private final List<Tensor> values, grads;
    private final double[] decays;
    private final double beta1, beta2, eps, weightDecay;
    private int step;

    public AdamW(Backend be, List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this.be = be;
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        List<Tensor> vals = new ArrayList<>(), gs = new ArrayList<>();
        decays = new double[this.params.size()];
        for (int i = 0; i < this.params.size(); i++) {
            Parameter p = this.params.get(i);
            m.add(be.zeros(p.shape()));
            v.add(be.zeros(p.shape()));
            vals.add(p.value());
            gs.add(p.grad());
            decays[i] = p.noDecay() ? 0 : weightDecay;
        }
        values = List.copyOf(vals);
        grads = List.copyOf(gs);
    }

    public static AdamW defaults(Backend be, List<Parameter> params, double weightDecay) {
        return new AdamW(be, params, 0.9, 0.999, 1e-8, weightDecay);
    }

    /** Global L2 norm of all gradients. */
    public double gradNorm() {
        return Math.sqrt(be.sumOfSquares(grads));   // = sum of dot(g, g) in parameter order
    }

    /** One update with learning rate lr; gradients are multiplied by gradScale first (clipping). */
    public void step(double lr, double gradScale) {
        step++;
        be.adamwAll(values, grads, m, v, lr, beta1, beta2, eps, decays, step, gradScale);
    }

    /**
     * The update of the next step queued on the device ({@link DeviceStep}): lr, bias corrections
     * and clipping scale are read from device memory. Advances the step count; returns the new one.
     */
    public int stepOnDevice(DeviceStep ds) {
        step++;
        ds.adamwAllFromDevice(values, grads, m, v, beta1, beta2, eps, decays);
        return step;
    }

    /** Bias corrections {1 - beta1^t, 1 - beta2^t} of step t (as the backends compute them). */
    public double[] biasCorrections(int t) {
        return new double[] {1.0 - Math.pow(beta1, t), 1.0 - Math.pow(beta2, t)};
    }

    /** The gradient tensors in parameter order (a stable list). */
    public List<Tensor> gradients() { return grads; }

    public void zeroGrad() {
        be.zeroAll(grads);
    }

    public int stepCount() { return step; }
    public void setStepCount(int s) { step = s; }
    public List<Parameter> parameters() { return params; }
    public Tensor firstMoment(int i) { return m.get(i); }
    public Tensor secondMoment(int i) { return v.get(i); }
}
