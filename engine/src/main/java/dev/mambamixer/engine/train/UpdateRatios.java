package dev.mambamixer.engine.train;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Update:parameter ratios per parameter group (the DL4J training-UI diagnostic): host copies of
 * the parameters before the optimiser step, compared with the values after it. Only taken on the
 * steps asked for ({@link TrainControl#setUpdateRatioEvery}), so an ordinary step pays nothing.
 */
public final class UpdateRatios {
    private final Backend be;
    private final List<Parameter> params;
    private final List<String> groups;      // group per parameter
    private final float[][] before;

    public UpdateRatios(Backend be, List<Parameter> params) {
        this.be = be;
        this.params = params;
        this.groups = new ArrayList<>();
        this.before = new float[params.size()][];
        for (Parameter p : params) groups.add(group(p.name()));
    }

    /**
     * The group of a parameter: every weighted-averaging weight ({@code *.avg_weight}) is
     * "averaging"; a mixer's parameters are its mixer ("blocks.0.time", "blocks.1.token");
     * anything else its first name segment ("patch_embed", "head", "revin", "embedding").
     */
    public static String group(String name) {
        if (name.endsWith(".avg_weight")) return "averaging";
        String[] parts = name.split("\\.");
        if (parts.length >= 3 && parts[0].equals("blocks")) return parts[0] + "." + parts[1] + "." + parts[2];
        return parts[0];
    }

    /**
     * Call right before the optimiser step that will be step number {@code stepNo}: takes the host
     * copy when a measurement is due every {@code every} steps (0 = never) and says whether it did,
     * i.e. whether {@link #after} is to be called after the step.
     */
    public boolean beforeIfDue(int every, int stepNo) {
        if (every <= 0 || stepNo % every != 0) return false;
        before();
        return true;
    }

    /** Host copy of every parameter; call right before the optimiser step. */
    public void before() {
        for (int i = 0; i < params.size(); i++) before[i] = be.toFloats(params.get(i).value());
    }

    /** Ratios against the copy from {@link #before}; call right after the optimiser step. */
    public TrainingListener.UpdateRatioEvent after(int step) {
        Map<String, double[]> acc = new LinkedHashMap<>();   // group -> {Σθ², Σ(Δθ)²}
        for (int i = 0; i < params.size(); i++) {
            float[] now = be.toFloats(params.get(i).value());
            float[] was = before[i];
            double[] a = acc.computeIfAbsent(groups.get(i), k -> new double[2]);
            for (int j = 0; j < now.length; j++) {
                double d = (double) now[j] - was[j];
                a[0] += (double) was[j] * was[j];
                a[1] += d * d;
            }
            before[i] = null;
        }
        List<TrainingListener.GroupRatio> out = new ArrayList<>();
        acc.forEach((g, a) -> {
            double pn = Math.sqrt(a[0]), un = Math.sqrt(a[1]);
            out.add(new TrainingListener.GroupRatio(g, pn, un, pn > 0 ? Math.log10(un / pn) : Double.NaN));
        });
        return new TrainingListener.UpdateRatioEvent(step, out);
    }
}
