package dev.mambamixer.engine.nn;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A MambaMixer stack (MODEL.md §5.3): mixers m_1..m_K (T1, C1, T2, C2, ... for TSM2), each fed by a
 * {@link WeightedAverage} of the stack input and all earlier mixer outputs. Output: out(m_K)
 * (y_C^(𝓛)); the final norm belongs to the model.
 */
public final class MixerStack<M extends ResidualMixer> implements Module {
    private final Backend be;
    private final List<M> mixers;
    private final List<WeightedAverage> averages;
    private final int k;

    private Tensor[] src;        // [x, x, out(m_1), ..., out(m_K)]
    private Tensor[] grads;      // same indexing; grads[0] collects both x entries
    private Mixer.Geometry[] geometry;
    private Tensor dx;
    private Profile profile;

    /** Times each mixer's forward/backward and the averaging into {@code p} (null = off). */
    public void setProfile(Profile p) { this.profile = p; }

    private long mark() { return profile == null ? 0 : System.nanoTime(); }

    private void took(String section, long t0) { if (profile != null) profile.add(section, System.nanoTime() - t0); }

    public MixerStack(Backend be, List<M> mixers, List<String> averageNames, WeightedAverage.Mode mode) {
        this.be = be;
        this.mixers = List.copyOf(mixers);
        this.k = mixers.size();
        this.averages = new ArrayList<>();
        for (int i = 1; i <= k; i++) averages.add(new WeightedAverage(be, averageNames.get(i - 1), i, mode));
        this.src = new Tensor[k + 2];
        this.grads = new Tensor[k + 2];
    }

    /** x: stack input; geometry[i]: how mixer i sees it. */
    public Tensor forward(Tensor x, Mixer.Geometry[] geometry) {
        this.geometry = geometry;
        src[0] = x;
        src[1] = x;
        for (int i = 1; i <= k; i++) {
            long t0 = mark();
            Tensor in = averages.get(i - 1).forward(java.util.Arrays.copyOf(src, i + 1));
            took("weighted averaging fwd", t0);
            t0 = mark();
            src[i + 1] = mixers.get(i - 1).forward(in, geometry[i - 1]);
            took(sectionName(i) + " fwd", t0);
        }
        return src[k + 1];
    }

    /** dOut: gradient of the stack output -> gradient of the stack input. */
    public Tensor backward(Tensor dOut) {
        for (int j = 0; j < k + 2; j++) {
            grads[j] = Buffers.ensure(be, grads[j], dOut.shape());
            be.fill(grads[j], 0);
        }
        be.copy(dOut, grads[k + 1]);
        for (int i = k; i >= 1; i--) {
            long t0 = mark();
            Tensor dIn = mixers.get(i - 1).backward(grads[i + 1]);
            took(sectionName(i) + " bwd", t0);
            t0 = mark();
            averages.get(i - 1).backward(dIn, src, grads);
            took("weighted averaging bwd", t0);
        }
        dx = Buffers.ensure(be, dx, dOut.shape());
        be.add(grads[0], grads[1], dx);
        return dx;
    }

    private String sectionName(int i) {
        return "mixer " + i + " (" + mixers.get(i - 1).kind() + ")";
    }

    public List<M> mixers() { return mixers; }
    public List<WeightedAverage> averages() { return averages; }

    @Override public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            p.add(averages.get(i).weight());
            p.addAll(mixers.get(i).parameters());
        }
        return p;
    }
}
