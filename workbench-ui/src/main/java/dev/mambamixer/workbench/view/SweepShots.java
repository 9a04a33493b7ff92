package dev.mambamixer.workbench.view;

import dev.mambamixer.charts.ParallelAxis;
import dev.mambamixer.workbench.session.SweepRow;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javafx.stage.Stage;

/** What the screenshot command does in a sweep window (FX thread), as a user would with the mouse. */
public final class SweepShots {
    private final SweepView view;

    private SweepShots(SweepView view) { this.view = view; }

    public static SweepShots of(Stage sweepWindow) { return new SweepShots(MainView.sweepView(sweepWindow)); }

    public int rows() { return view.table.getItems().size(); }

    /**
     * Sorts by best validation MSE and selects up to four finished runs of the setting with the most
     * finished runs (the best three and the worst), so the overlay compares hyperparameters.
     */
    public void selectForScreenshot() {
        view.table.getColumns().stream().filter(c -> c.getText().equals("best val MSE")).findFirst()
                  .ifPresent(c -> view.table.getSortOrder().setAll(List.of(c)));
        Map<String, List<SweepRow>> bySetting = view.table.getItems().stream()
                .filter(r -> r.status() == SweepRow.Status.FINISHED)
                .collect(Collectors.groupingBy(r -> r.dataset() + r.seqLen() + "-" + r.horizon()));
        List<SweepRow> runs = bySetting.values().stream().max(Comparator.comparingInt(List::size)).orElse(List.of()).stream()
                .sorted(Comparator.comparingDouble(SweepRow::bestValMse)).toList();
        List<SweepRow> pick = runs.size() <= 4 ? runs : List.of(runs.get(0), runs.get(1), runs.get(2), runs.get(runs.size() - 1));
        view.table.getSelectionModel().clearSelection();
        for (SweepRow r : pick) view.table.getSelectionModel().select(r);
    }

    public boolean curvesShown() { return !view.curves.vm().comparisonNames().isEmpty() && view.chart.chartLayout() != null; }

    /** Brushes the validation axis to its lowest quarter, as a drag from there to its bottom would: the best runs. */
    public void brushBestRuns() {
        var lay = view.chart.chartLayout();
        List<ParallelAxis> axes = viewModelAxes();
        ParallelAxis a = axes.get(axes.size() - 1);
        view.sweepVm().brush(a.name(), lay.range(a, lay.y(0.25), lay.bottom()));
    }

    public void clearBrushes() { view.sweepVm().brushes().clear(); }

    private List<ParallelAxis> viewModelAxes() { return view.sweepVm().axes(); }
}
