package dev.mambamixer.engine.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Float64 finite-difference gradient checks (central differences) for layers running on the
 * reference backend. The scalar loss is <out, R> for a fixed random R, so dOut = R.
 */
public final class GradCheck {
    private final Backend be;
    private final SplittableRandom rng;
    private final double h;
    private final double tol;
    private double worst;

    public GradCheck(Backend be, long seed, double h, double tol) {
        this.be = be;
        this.rng = new SplittableRandom(seed);
        this.h = h;
        this.tol = tol;
    }

    public GradCheck(Backend be, long seed) { this(be, seed, 1e-6, 1e-5); }

    public Tensor random(double scale, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (rng.nextDouble() * 2 - 1) * scale;
        return be.fromDoubles(a, shape);
    }

    /** Adds U(-scale, scale) noise to every parameter, so no gradient path is trivially zero. */
    public void perturb(List<Parameter> params, double scale) {
        for (Parameter p : params) {
            double[] v = be.toDoubles(p.value());
            for (int i = 0; i < v.length; i++) v[i] += (rng.nextDouble() * 2 - 1) * scale;
            be.upload(v, p.value());
        }
    }

    /**
     * @param forward  computes the output from the current parameter/input values
     * @param backward maps dOut to dInput (may return null when input is null)
     * @param samples  entries checked per tensor (random positions; all when the tensor is small)
     * @return the worst relative error seen
     */
    public double check(String what, List<Parameter> params, Tensor input, Supplier<Tensor> forward,
                        Function<Tensor, Tensor> backward, int samples) {
        Tensor out = forward.get();
        Tensor r = random(1.0, out.shape());
        for (Parameter p : params) p.zeroGrad();
        Tensor dIn = backward.apply(r);
        double[] dInput = dIn == null ? null : be.toDoubles(dIn).clone();
        worst = 0;
        for (Parameter p : params) {
            double[] g = be.toDoubles(p.grad());
            compare(what + " " + p.name(), p.value(), g, forward, r, samples);
        }
        if (input != null && dInput != null) compare(what + " input", input, dInput, forward, r, samples);
        return worst;
    }

    private void compare(String name, Tensor t, double[] analytic, Supplier<Tensor> forward, Tensor r, int samples) {
        double[] v = be.toDoubles(t);
        int n = v.length;
        int count = Math.min(n, samples);
        for (int s = 0; s < count; s++) {
            int i = n <= samples ? s : rng.nextInt(n);
            double orig = v[i];
            v[i] = orig + h;
            be.upload(v, t);
            double lp = be.dot(forward.get(), r);
            v[i] = orig - h;
            be.upload(v, t);
            double lm = be.dot(forward.get(), r);
            v[i] = orig;
            be.upload(v, t);
            double numeric = (lp - lm) / (2 * h);
            double a = analytic[i];
            // rounding in the differenced loss is ~1e-16 |loss| / h, so very small gradients are
            // judged by an absolute floor of 1e-8 instead of their relative error
            double err = Math.abs(a - numeric) <= 1e-8 ? 0
                    : Math.abs(a - numeric) / (Math.abs(a) + Math.abs(numeric));
            worst = Math.max(worst, err);
            assertTrue(err <= tol, () -> String.format("%s[%d]: analytic %.10g vs numeric %.10g (rel err %.3g)",
                                                         name, i, a, numeric, err));
        }
    }
}
