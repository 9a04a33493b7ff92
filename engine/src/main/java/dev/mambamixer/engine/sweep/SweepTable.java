package dev.mambamixer.engine.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.mambamixer.engine.io.AtomicFiles;
import dev.mambamixer.engine.sweep.SweepPlan.PlannedRun;
import dev.mambamixer.engine.sweep.SweepPlan.Selection;
import dev.mambamixer.engine.sweep.SweepSpec.Setting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a sweep folder: per setting the selected configuration and the test MSE / MAE of
 * its seeds (mean ± sample standard deviation), and one hparams row per run. Test metrics are read
 * only for the runs of a selected configuration; every other run shows its validation only.
 */
public final class SweepTable {
    /** One setting's result; {@code selection} null when none was made yet (its row is empty). */
    public record Row(Setting setting, Selection selection, List<Long> seeds, List<double[]> test) {
        public double[] mse() { return test.stream().mapToDouble(t -> t[0]).toArray(); }

        public double[] mae() { return test.stream().mapToDouble(t -> t[1]).toArray(); }

        /** The step each seed's restored weights come from (0 = the least-squares head start itself); NaN if not recorded. */
        public double[] bestSteps() { return test.stream().mapToDouble(t -> t[2]).toArray(); }
    }

    private final SweepFolder folder;
    private final SweepPlan plan;
    private final JsonObject state;
    private final Map<Integer, Selection> selections;
    private final ReferenceMse reference;   // null: no reference columns

    public SweepTable(SweepFolder folder) throws IOException { this(folder, null); }

    /** With {@code reference}, the tables set each setting's mean test MSE beside it (ratio = ours / reference). */
    public SweepTable(SweepFolder folder, ReferenceMse reference) throws IOException {
        this.folder = folder;
        this.reference = reference;
        this.plan = new SweepPlan(folder.spec());
        this.state = folder.readState();
        this.selections = SweepFolder.selections(state, folder.dir().resolve(SweepFolder.STATE_FILE).toString());
    }

    /** Per setting: the selection and the test metrics of each seed's run that finished. */
    public List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (int s = 0; s < plan.spec().settings().size(); s++) {
            Selection sel = selections.get(s);
            List<Long> seeds = new ArrayList<>();
            List<double[]> test = new ArrayList<>();
            if (sel != null)
                for (PlannedRun r : plan.confirmRuns(sel))
                    if (folder.diskStatus(r.id()) == SweepFolder.DiskStatus.FINISHED) {
                        seeds.add(r.seed());
                        test.add(folder.testMetrics(r.id()));
                    }
            rows.add(new Row(plan.spec().settings().get(s), sel, seeds, test));
        }
        return rows;
    }

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Sample standard deviation (n − 1); NaN below two values. */
    public static double std(double[] v) {
        if (v.length < 2) return Double.NaN;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    public String csv() throws IOException {
        StringBuilder b = new StringBuilder("setting,data,seq_len,horizon,selected_run,selected_config,best_val_mse,seeds,"
                                            + "test_mse_mean,test_mse_std,test_mae_mean,test_mae_std,test_mse_per_seed,test_mae_per_seed,"
                                            + "reference_mse,ratio,best_step_per_seed\n");
        for (Row r : rows()) {
            Setting s = r.setting();
            b.append(csvField(s.label())).append(',').append(csvField(s.data().getFileName().toString())).append(',')
             .append(s.seqLen()).append(',').append(s.horizon()).append(',');
            if (r.selection() == null) {
                b.append(",,,,,,,,,").append(',').append(num(referenceOf(r))).append(",,\n");
                continue;
            }
            b.append(r.selection().runId()).append(',').append(csvField(SweepPlan.describe(r.selection().point()))).append(',')
             .append(num(r.selection().bestValMse())).append(',').append(csvField(join(r.seeds()))).append(',')
             .append(num(mean(r.mse()))).append(',').append(num(std(r.mse()))).append(',')
             .append(num(mean(r.mae()))).append(',').append(num(std(r.mae()))).append(',')
             .append(csvField(joinNums(r.mse()))).append(',').append(csvField(joinNums(r.mae()))).append(',')
             .append(num(referenceOf(r))).append(',').append(num(ratio(r))).append(',')
             .append(csvField(steps(r.bestSteps()))).append('\n');
        }
        return b.toString();
    }

    /** The reference MSE of a row's setting, NaN without one. */
    private double referenceOf(Row r) {
        Double v = reference == null ? null : reference.mse().get(r.setting().label());
        return v == null ? Double.NaN : v;
    }

    /** Mean test MSE over the row's seeds / the reference; NaN when either is missing. */
    public double ratio(Row r) { return r.test().isEmpty() ? Double.NaN : mean(r.mse()) / referenceOf(r); }

    public String markdown() throws IOException {
        boolean ref = reference != null;
        StringBuilder b = new StringBuilder("| setting | selected configuration | best val MSE | seeds | best steps | test MSE | test MAE |"
                                            + (ref ? " reference MSE | ratio |" : "") + "\n"
                                            + "|---|---|---:|---|---|---:|---:|" + (ref ? "---:|---:|" : "") + "\n");
        List<Row> rows = rows();
        for (Row r : rows) {
            String refCells = ref ? " " + opt(referenceOf(r)) + " | " + (Double.isNaN(ratio(r)) ? "" : ratioText(ratio(r))) + " |" : "";
            if (r.selection() == null) {
                b.append("| ").append(r.setting().label()).append(" | (not selected yet) | | | | | |").append(refCells).append('\n');
                continue;
            }
            b.append("| ").append(r.setting().label()).append(" | `").append(SweepPlan.describe(r.selection().point()))
             .append("` | ").append(fmt(r.selection().bestValMse())).append(" | ").append(join(r.seeds())).append(" | ")
             .append(steps(r.bestSteps())).append(" | ").append(pm(r.mse())).append(" | ").append(pm(r.mae())).append(" |").append(refCells).append('\n');
        }
        if (ref) b.append('\n').append(summary(rows)).append('\n');
        return b.toString();
    }

    /** One line: how many settings have both numbers, their mean ratio, how many at or below, which above 1.10×. */
    String summary(List<Row> rows) {
        List<String> above = new ArrayList<>();
        int n = 0, atOrBelow = 0, withRef = 0;
        double sum = 0;
        for (Row r : rows) {
            if (!Double.isNaN(referenceOf(r))) withRef++;
            double q = ratio(r);
            if (Double.isNaN(q)) continue;
            n++;
            sum += q;
            if (q <= 1) atOrBelow++;
            if (q > 1.10) above.add(r.setting().label() + " (" + ratioText(q) + ")");
        }
        if (n == 0) return "Against " + reference.source() + ": no setting with a reference has test results yet (" + withRef + " with a reference).";
        return String.format(Locale.ROOT, "Against %s: %d of %d settings with a reference measured; mean ratio %s; at or below the reference in %d of %d; above 1.10×: %s.",
                             reference.source(), n, withRef, ratioText(sum / n), atOrBelow, n, above.isEmpty() ? "none" : String.join(", ", above));
    }

    private static String ratioText(double q) { return String.format(Locale.ROOT, "%.3f×", q); }

    private static String opt(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v); }

    /** One row per run: setting, grid values, seed, status, best val MSE, test MSE/MAE (selected configurations only), wall time. */
    public String hparamsCsv() throws IOException {
        List<String> options = plan.spec().searchedOptions();
        StringBuilder b = new StringBuilder("run_id,stage,setting,data,seq_len,horizon");
        for (String o : options) b.append(',').append(csvField(o.substring(2)));
        b.append(",seed,status,selected,best_val_mse,test_mse,test_mae,wall_time_s\n");
        JsonObject runsJ = state.getAsJsonObject("runs");
        for (String id : runsJ.keySet()) {
            JsonObject e = runsJ.getAsJsonObject(id);
            int si = e.get("setting").getAsInt();
            Setting s = plan.spec().settings().get(si);
            Selection sel = selections.get(si);
            Map<String, JsonPrimitive> p = SweepFolder.point(e);
            boolean selected = sel != null && plan.sameConfiguration(si, p, sel.point());
            var disk = folder.diskStatus(id);
            b.append(id).append(',').append(e.has("confirm") ? (e.get("stage").getAsString().equals("SEARCH") ? "SEARCH+CONFIRM" : "CONFIRM")
                                                             : e.get("stage").getAsString())
             .append(',').append(s.label()).append(',').append(csvField(s.data().getFileName().toString())).append(',')
             .append(s.seqLen()).append(',').append(s.horizon());
            for (String o : options) {   // the value the run trained with: its point's, else the fixed one
                JsonPrimitive v = plan.effectiveValue(si, p, o);
                b.append(',').append(v == null ? "" : csvField(v.getAsString()));
            }
            b.append(',').append(e.get("seed").getAsLong()).append(',').append(e.get("status").getAsString()).append(',')
             .append(selected).append(',');
            boolean started = disk != SweepFolder.DiskStatus.NOT_STARTED;
            b.append(started ? num(folder.bestValMse(id)) : "").append(',');
            if (selected && disk == SweepFolder.DiskStatus.FINISHED) {
                double[] t = folder.testMetrics(id);
                b.append(num(t[0])).append(',').append(num(t[1]));
            } else {
                b.append(',');
            }
            b.append(',').append(e.has("wallSeconds") ? String.format(Locale.ROOT, "%.1f", e.get("wallSeconds").getAsDouble()) : "")
             .append('\n');
        }
        return b.toString();
    }

    /** Writes table.csv, table.md and hparams.csv into the sweep folder (each atomically); returns their paths. */
    public List<Path> write() throws IOException {
        Path csv = folder.dir().resolve("table.csv"), md = folder.dir().resolve("table.md"), hp = folder.dir().resolve("hparams.csv");
        AtomicFiles.writeString(csv, csv());
        AtomicFiles.writeString(md, markdown());
        AtomicFiles.writeString(hp, hparamsCsv());
        return List.of(csv, md, hp);
    }

    private static String pm(double[] v) {
        if (v.length == 0) return "–";
        return v.length == 1 ? fmt(v[0]) : fmt(mean(v)) + " ± " + fmt(std(v));
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    private static String num(double v) { return Double.isNaN(v) ? "" : Double.toString(v); }

    private static String join(List<Long> seeds) {
        return String.join(" ", seeds.stream().map(String::valueOf).toList());
    }

    /** Steps as integers, "–" where not recorded. */
    private static String steps(double[] v) {
        List<String> s = new ArrayList<>();
        for (double x : v) s.add(Double.isNaN(x) ? "–" : String.valueOf((long) x));
        return String.join(" ", s);
    }

    private static String joinNums(double[] v) {
        List<String> s = new ArrayList<>();
        for (double x : v) s.add(Double.toString(x));
        return String.join(" ", s);
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
