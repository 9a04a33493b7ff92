package dev.mambamixer.workbench.vm;

import dev.mambamixer.charts.ColourScale;
import dev.mambamixer.charts.Heatmap;
import dev.mambamixer.charts.SelectionCharts;
import dev.mambamixer.engine.data.teaching.Mark;
import dev.mambamixer.engine.data.teaching.SequenceExample;
import dev.mambamixer.engine.introspect.MixerCapture;
import dev.mambamixer.engine.introspect.ScanCapture;
import dev.mambamixer.engine.introspect.ScanQuantity;
import dev.mambamixer.workbench.session.Snapshot;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.title.TextTitle;

/**
 * What the three selection views show from the newest {@link Snapshot}: the token-selection
 * heatmap (layer, sequence, quantity Δ/B/C/gate/retention), the channel-selection heatmap (layer,
 * probe item; both directions) and the implicit-attention map (mixer, sequence, channel or the
 * mean |α| over channels). Choices are kept across snapshots when still valid.
 */
public final class SelectionViewModel {
    /** Scan quantities the token heatmap offers; rows: inner channels E (Δ, gate), state N (B, C), S (retention). */
    public static final List<ScanQuantity> QUANTITIES =
        List.of(ScanQuantity.DELTA, ScanQuantity.B, ScanQuantity.C, ScanQuantity.GATE, ScanQuantity.RETENTION);

    private final ReadOnlyObjectWrapper<Snapshot> snapshot = new ReadOnlyObjectWrapper<>(this, "snapshot");
    private final ObservableList<Integer> layers = FXCollections.observableArrayList();
    private final IntegerProperty layer = new SimpleIntegerProperty(this, "layer");
    private final ObservableList<String> tokenSequences = FXCollections.observableArrayList();
    private final IntegerProperty tokenSequence = new SimpleIntegerProperty(this, "tokenSequence");
    private final ObjectProperty<ScanQuantity> quantity = new SimpleObjectProperty<>(this, "quantity", ScanQuantity.DELTA);
    private final ObservableList<String> probeItems = FXCollections.observableArrayList();
    private final IntegerProperty probeItem = new SimpleIntegerProperty(this, "probeItem");
    private final ObservableList<String> attentionMixers = FXCollections.observableArrayList();
    private final ObjectProperty<String> attentionMixer = new SimpleObjectProperty<>(this, "attentionMixer");
    private final ObservableList<String> attentionSequences = FXCollections.observableArrayList();
    private final IntegerProperty attentionSequence = new SimpleIntegerProperty(this, "attentionSequence");
    /** -1: mean |α| over all inner channels; else one channel. */
    private final IntegerProperty attentionChannel = new SimpleIntegerProperty(this, "attentionChannel", -1);
    /** The channel picker: entry 0 = mean |α| over channels, entry i + 1 = inner channel i. */
    private final ObservableList<String> attentionChannels = FXCollections.observableArrayList();
    /** Index into {@link #attentionChannels}: {@code attentionChannel + 1}, kept in step both ways. */
    private final IntegerProperty attentionChannelChoice = new SimpleIntegerProperty(this, "attentionChannelChoice");
    /** Colour scales of the three views (each its own: log suits attention, linear suits Δ). */
    private final ObjectProperty<ColourScale> tokenScale = new SimpleObjectProperty<>(this, "tokenScale", ColourScale.LINEAR);
    private final ObjectProperty<ColourScale> channelScale = new SimpleObjectProperty<>(this, "channelScale", ColourScale.LINEAR);
    private final ObjectProperty<ColourScale> attentionScale = new SimpleObjectProperty<>(this, "attentionScale", ColourScale.LINEAR);
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");

    public SelectionViewModel() {
        for (ObjectProperty<ColourScale> p : List.of(tokenScale, channelScale, attentionScale))
            p.addListener((o, a, b) -> { if (b == null) p.set(ColourScale.LINEAR); else bump(); });
        layer.addListener((o, a, b) -> { refreshTokenSequences(); bump(); });
        tokenSequence.addListener((o, a, b) -> bump());
        quantity.addListener((o, a, b) -> bump());
        probeItem.addListener((o, a, b) -> bump());
        attentionMixer.addListener((o, a, b) -> { refreshAttentionSequences(); bump(); });
        attentionSequence.addListener((o, a, b) -> bump());
        attentionChannel.addListener((o, a, b) -> {
            if (attentionChannelChoice.get() != b.intValue() + 1) attentionChannelChoice.set(b.intValue() + 1);
            bump();
        });
        attentionChannelChoice.addListener((o, a, b) -> {
            if (attentionChannel.get() != b.intValue() - 1) attentionChannel.set(b.intValue() - 1);
        });
    }

    /** A new snapshot (FX thread). Keeps the chosen layer/sequence/channel when still valid. */
    public void setSnapshot(Snapshot s) {
        snapshot.set(s);
        if (s == null) {
            layers.clear();
            tokenSequences.clear();
            probeItems.clear();
            attentionMixers.clear();
            attentionSequences.clear();
            bump();
            return;
        }
        List<Integer> ls = new ArrayList<>();
        for (MixerCapture m : s.mixers()) if (m.tokenMixer()) ls.add(m.block());
        if (!layers.equals(ls)) layers.setAll(ls);
        if (!ls.contains(layer.get())) layer.set(ls.isEmpty() ? 0 : ls.get(0));
        refreshTokenSequences();
        if (!probeItems.equals(s.sequenceNames())) probeItems.setAll(s.sequenceNames());
        if (probeItem.get() >= probeItems.size()) probeItem.set(0);
        List<String> names = s.mixers().stream().map(MixerCapture::name).toList();
        if (!attentionMixers.equals(names)) attentionMixers.setAll(names);
        if (attentionMixer.get() == null || !names.contains(attentionMixer.get()))
            attentionMixer.set(names.isEmpty() ? null : names.get(0));
        refreshAttentionSequences();
        MixerCapture am = attentionMixerCapture();
        if (am != null && attentionChannel.get() >= am.directions().get(0).e()) attentionChannel.set(-1);
        bump();
    }

    private void refreshTokenSequences() {
        MixerCapture m = tokenMixer();
        List<String> names = m == null ? List.of() : sequenceNames(m);
        if (!tokenSequences.equals(names)) tokenSequences.setAll(names);
        if (tokenSequence.get() >= names.size()) tokenSequence.set(0);
    }

    private void refreshAttentionSequences() {
        MixerCapture m = attentionMixerCapture();
        List<String> names = m == null ? List.of() : sequenceNames(m);
        if (!attentionSequences.equals(names)) attentionSequences.setAll(names);
        if (attentionSequence.get() >= names.size()) attentionSequence.set(0);
    }

    /** Readable names of a mixer's S sequences, e.g. "val window 120 · OT" for (batch, variate). */
    public List<String> sequenceNames(MixerCapture m) {
        Snapshot s = snapshot.get();
        List<String> out = new ArrayList<>();
        int[] shape = m.sequenceShape();
        List<String> axes = m.sequenceAxes();
        for (int q = 0; q < m.s(); q++) {
            int rest = q;
            String[] parts = new String[shape.length];
            for (int i = shape.length - 1; i >= 0; i--) {
                int idx = rest % shape[i];
                rest /= shape[i];
                parts[i] = axisName(s, axes.get(i), idx);
            }
            out.add(String.join(" · ", parts));
        }
        return out;
    }

    private static String axisName(Snapshot s, String axis, int i) {
        return switch (axis) {
            case "batch" -> i < s.sequenceNames().size() ? s.sequenceNames().get(i) : "item " + i;
            case "variate" -> i < s.variateNames().size() ? s.variateNames().get(i) : "variate " + i;
            default -> axis + " " + i;
        };
    }

    // ------------------------------------------------------------------ token selection

    /** The token (time) mixer of the chosen layer, or null without a snapshot. */
    public MixerCapture tokenMixer() { return mixer(layer.get(), true); }

    /** The channel (variate) mixer of the chosen layer, or null (the teaching model may have none). */
    public MixerCapture channelMixer() { return mixer(layer.get(), false); }

    private MixerCapture mixer(int blk, boolean token) {
        Snapshot s = snapshot.get();
        if (s == null) return null;
        for (MixerCapture m : s.mixers()) if (m.tokenMixer() == token && m.block() == blk) return m;
        return null;
    }

    /** The scan shown by the token heatmap (the forward direction). */
    public ScanCapture tokenScan() {
        MixerCapture m = tokenMixer();
        return m == null ? null : m.directions().get(0);
    }

    /**
     * (rows, positions) of the token heatmap for the chosen quantity: rows are inner channels E
     * (Δ, gate), state indices N (B, C) or all S sequences (retention, one value per position).
     */
    public int[] tokenShape() {
        ScanCapture sc = tokenScan();
        if (sc == null) return new int[] {0, 0};
        return new int[] {quantity.get().rows(sc), sc.l()};
    }

    /**
     * The token-selection heatmap of the chosen layer, sequence and quantity (the token mixer's
     * first direction) with the teaching example's marks, in the chosen colour scale; null without a snapshot.
     */
    public Heatmap tokenChart() {
        MixerCapture m = tokenMixer();
        if (m == null) return null;
        SequenceExample ex = tokenExample();
        Heatmap h = SelectionCharts.scan(m, m.directions().get(0).direction(), tokenSequence.get(), quantity.get(),
                                         ex == null ? List.of() : SelectionCharts.marks(ex));
        h.setColourScale(tokenScale.get());
        addStepSubtitle(h.chart(), snapshot.get());
        return h;
    }

    /**
     * A teaching example as the model saw and answered it: input tokens, targets
     * ({@link SequenceExample#IGNORE} where nothing is asked), the predicted token per position and
     * the marks.
     */
    public record TokenStrip(int example, int[] tokens, int[] targets, int[] predicted, List<Mark> marks) {
        /** Positions with a target. */
        public int asked() {
            int n = 0;
            for (int t : targets) if (t != SequenceExample.IGNORE) n++;
            return n;
        }

        /** Positions whose prediction equals the target. */
        public int correct() {
            int n = 0;
            for (int i = 0; i < targets.length; i++) if (targets[i] != SequenceExample.IGNORE && predicted[i] == targets[i]) n++;
            return n;
        }
    }

    /** The chosen teaching example with the model's predictions, or null (TSM2, or a snapshot without predictions). */
    public TokenStrip tokenStrip() {
        Snapshot s = snapshot.get();
        MixerCapture m = tokenMixer();
        SequenceExample ex = tokenExample();
        if (s == null || m == null || ex == null || s.predictions().isEmpty()) return null;
        int item = exampleIndex(m, tokenSequence.get());
        if (item < 0 || item >= s.predictions().size()) return null;
        return new TokenStrip(item, ex.tokens(), ex.targets(), s.predictions().get(item), ex.marks());
    }

    /**
     * What the chosen TSM2 token sequence selects from: the probe window's input series of that
     * variate (T values, standardised), or null (teaching, or no input in the snapshot).
     */
    public float[] tokenInputSeries() {
        Snapshot s = snapshot.get();
        MixerCapture m = tokenMixer();
        if (s == null || m == null || !s.examples().isEmpty()) return null;
        int[] shape = m.sequenceShape();
        List<String> axes = m.sequenceAxes();
        int b = 0, v = 0, rest = tokenSequence.get();
        for (int i = shape.length - 1; i >= 0; i--) {
            int idx = rest % shape[i];
            rest /= shape[i];
            if (axes.get(i).equals("batch")) b = idx;
            else if (axes.get(i).equals("variate")) v = idx;
        }
        return s.probeSeries(b, v);
    }

    /** The teaching example of the chosen token sequence (its marks), or null for TSM2. */
    public SequenceExample tokenExample() { return exampleOf(tokenMixer(), tokenSequence.get()); }

    private SequenceExample exampleOf(MixerCapture m, int seq) {
        Snapshot s = snapshot.get();
        if (s == null || m == null || s.examples().isEmpty() || !m.tokenMixer()) return null;
        int item = exampleIndex(m, seq);
        return item < s.examples().size() ? s.examples().get(item) : null;
    }

    /** The example a teaching token mixer's sequence belongs to (its sequences are the examples). */
    private int exampleIndex(MixerCapture m, int seq) {
        return seq / Math.max(1, m.s() / snapshot.get().examples().size());
    }

    // ------------------------------------------------------------------ channel selection

    /** (rows, columns) of a channel-selection heatmap: channel-mixer positions × sequences per probe item. */
    public int[] channelShape() {
        MixerCapture m = channelMixer();
        if (m == null) return new int[] {0, 0};
        return new int[] {m.l(), m.s() / Math.max(1, m.sequenceShape()[0])};
    }

    // ------------------------------------------------------------------ implicit attention

    public MixerCapture attentionMixerCapture() {
        Snapshot s = snapshot.get();
        String name = attentionMixer.get();
        if (s == null || name == null) return null;
        for (MixerCapture m : s.mixers()) if (m.name().equals(name)) return m;
        return null;
    }

    /** How the attention map was aggregated, for the chart's subtitle. */
    public String attentionAggregation() {
        MixerCapture m = attentionMixerCapture();
        if (m == null) return "";
        String dirs = m.bidirectional() ? "forward + backward (lower / upper triangle)" : "forward";
        int e = m.directions().get(0).e();
        return attentionChannel.get() < 0 ? "mean |α| over " + e + " inner channels, " + dirs
                                          : "α of inner channel " + attentionChannel.get() + " of " + e + ", " + dirs;
    }

    /** The teaching example of the chosen attention sequence, or null. */
    public SequenceExample attentionExample() { return exampleOf(attentionMixerCapture(), attentionSequence.get()); }

    private void bump() {
        refreshAttentionChannels();
        revision.set(revision.get() + 1);
    }

    /** The picker entries for the attention mixer's E inner channels (kept while E is unchanged). */
    private void refreshAttentionChannels() {
        MixerCapture m = attentionMixerCapture();
        int e = m == null ? 0 : m.directions().get(0).e();
        if (attentionChannels.size() == e + 1) return;
        List<String> items = new ArrayList<>();
        items.add("mean |α| over channels");
        for (int i = 0; i < e; i++) items.add("channel " + i);
        attentionChannels.setAll(items);
        attentionChannelChoice.set(Math.min(attentionChannels.size() - 1, attentionChannel.get() + 1));
    }

    /**
     * The implicit-attention heatmap for the chosen mixer, sequence and channel, or null without a
     * snapshot: mean |α| over channels (summed over directions), one channel's signed α summed
     * over both directions of a bidirectional mixer, or one channel's α of a forward scan. The
     * subtitles name the marked positions (teaching) and the step.
     */
    public Heatmap attentionChart() {
        MixerCapture m = attentionMixerCapture();
        if (m == null) return null;
        int seq = attentionSequence.get(), ch = attentionChannel.get();
        Heatmap h;
        if (ch < 0) h = SelectionCharts.meanAbsAttention(m, seq);
        else if (m.bidirectional()) h = SelectionCharts.summedAttention(m, seq, ch);
        else h = SelectionCharts.attention(m, m.directions().get(0).direction(), seq, ch);
        h.setColourScale(attentionScale.get());
        SequenceExample ex = attentionExample();
        if (ex != null) h.chart().addSubtitle(new TextTitle("marked: " + describeMarks(ex)));
        addStepSubtitle(h.chart(), snapshot.get());
        return h;
    }

    /**
     * The channel-selection heatmaps of the chosen layer's channel mixer and probe item, one per
     * scan direction (empty without one): TSM2 I1 variates × patches of mean Δ, other layouts the
     * mixer's Δ for that item. The panels share one linear colour scale (or each row its own, ROWS).
     */
    public List<Heatmap> channelCharts() {
        MixerCapture m = channelMixer();
        Snapshot s = snapshot.get();
        if (m == null || s == null) return List.of();
        int item = Math.min(probeItem.get(), m.sequenceShape()[0] - 1);
        boolean i1 = m.sequenceAxes().equals(List.of("batch", "patch"));
        List<Heatmap> out = new ArrayList<>();
        for (ScanCapture d : m.directions()) {
            Heatmap h = i1 ? SelectionCharts.channelSelection(m, d.direction().label(), item,
                                                             s.variateNames().isEmpty() ? null : s.variateNames())
                           : SelectionCharts.scan(m, d.direction(), m.seq(item), ScanQuantity.DELTA);
            addStepSubtitle(h.chart(), s);
            out.add(h);
        }
        Heatmap.shareScale(out);   // the directions are compared side by side: one colour, one value
        for (Heatmap h : out) h.setColourScale(channelScale.get());
        return out;
    }

    /** Adds "after step N (model)" under the chart's title. */
    public static void addStepSubtitle(JFreeChart chart, Snapshot s) {
        if (s == null) return;
        chart.addSubtitle(new TextTitle("after step " + s.step() + " · " + s.model()));
    }

    /** "data 3,7,12; delimiter 20" from an example's marks (noise left out). */
    public static String describeMarks(SequenceExample ex) {
        List<String> parts = new ArrayList<>();
        for (Mark m : ex.marks()) {
            if (m.role().equals("noise")) continue;
            StringBuilder sb = new StringBuilder(m.role()).append(' ');
            int[] p = m.positions();
            for (int i = 0; i < p.length; i++) sb.append(i == 0 ? "" : ",").append(p[i]);
            parts.add(sb.toString());
        }
        return String.join("; ", parts);
    }

    public ReadOnlyObjectProperty<Snapshot> snapshotProperty() { return snapshot.getReadOnlyProperty(); }
    public ObservableList<Integer> layers() { return layers; }
    public IntegerProperty layerProperty() { return layer; }
    public ObservableList<String> tokenSequences() { return tokenSequences; }
    public IntegerProperty tokenSequenceProperty() { return tokenSequence; }
    public ObjectProperty<ScanQuantity> quantityProperty() { return quantity; }
    public ObjectProperty<ColourScale> tokenScaleProperty() { return tokenScale; }
    public ObjectProperty<ColourScale> channelScaleProperty() { return channelScale; }
    public ObjectProperty<ColourScale> attentionScaleProperty() { return attentionScale; }
    public ObservableList<String> probeItems() { return probeItems; }
    public IntegerProperty probeItemProperty() { return probeItem; }
    public ObservableList<String> attentionMixers() { return attentionMixers; }
    public ObjectProperty<String> attentionMixerProperty() { return attentionMixer; }
    public ObservableList<String> attentionSequences() { return attentionSequences; }
    public IntegerProperty attentionSequenceProperty() { return attentionSequence; }
    public IntegerProperty attentionChannelProperty() { return attentionChannel; }
    public ObservableList<String> attentionChannels() { return attentionChannels; }
    public IntegerProperty attentionChannelChoiceProperty() { return attentionChannelChoice; }
    /** Ticks whenever what the selection views show changes. */
    public ReadOnlyLongProperty revisionProperty() { return revision.getReadOnlyProperty(); }
}
