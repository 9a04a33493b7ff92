package dev.mambamixer.workbench.vm;

import dev.mambamixer.engine.io.RunFolder;
import dev.mambamixer.workbench.session.RunSummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The runs table: every run folder under the runs directory as a row (kind, dataset, key
 * settings, best validation, test result, steps, duration, status), filtered by a text that
 * matches any of them. Read off the FX thread; rows are replaced on the FX thread.
 */
public final class RunsViewModel {
    private final ObservableList<RunSummary> rows = FXCollections.observableArrayList();
    private final FilteredList<RunSummary> shown = new FilteredList<>(rows, r -> true);
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final Executor uiExecutor;

    public RunsViewModel(Executor uiExecutor) {
        this.uiExecutor = uiExecutor;
        filter.addListener((o, a, b) -> shown.setPredicate(r -> matches(r, b)));
    }

    /** Reads the run folders under {@code runsDir} again (background); completes once the rows are in place. */
    public CompletableFuture<List<RunSummary>> refresh(Path runsDir) {
        CompletableFuture<List<RunSummary>> done = new CompletableFuture<>();
        CompletableFuture.supplyAsync(() -> {
            try {
                return RunSummary.list(runsDir);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((list, t) -> uiExecutor.execute(() -> {
            if (t != null) {
                done.completeExceptionally(t);
                return;
            }
            rows.setAll(list);
            done.complete(list);
        }));
        return done;
    }

    /**
     * Gives the run a name (written to its folder's {@value RunFolder#LABEL_FILE}, off the FX
     * thread); the row shows it once written. A blank name goes back to the folder's name. Fails
     * with the reason (too long, a line break, the folder gone) and leaves the row as it was.
     */
    public CompletableFuture<RunSummary> rename(RunSummary row, String name) {
        CompletableFuture<RunSummary> done = new CompletableFuture<>();
        CompletableFuture.supplyAsync(() -> {
            try {
                RunFolder.writeLabel(row.dir(), name);
                return row.withName(RunFolder.readLabel(row.dir()).orElse(row.folder()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).whenComplete((renamed, t) -> uiExecutor.execute(() -> {
            if (t != null) {
                done.completeExceptionally(t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t);
                return;
            }
            int i = rows.indexOf(row);
            if (i >= 0) rows.set(i, renamed);
            done.complete(renamed);
        }));
        return done;
    }

    /** Every word of the filter appears in the row's name, folder name, kind, dataset, settings or status (any case). */
    static boolean matches(RunSummary r, String filter) {
        if (filter == null || filter.isBlank()) return true;
        String text = (r.name() + " " + r.folder() + " " + r.kind() + " " + r.dataset() + " " + r.settings() + " " + r.status()).toLowerCase(Locale.ROOT);
        for (String w : filter.toLowerCase(Locale.ROOT).trim().split("\\s+")) if (!text.contains(w)) return false;
        return true;
    }

    /** "0.2930" / "98.55 %" / "" for a best or test value of a row. */
    public static String format(RunSummary r, double v) {
        if (Double.isNaN(v)) return "";
        return r.higherIsBetter() ? String.format(Locale.ROOT, "%.2f %%", 100 * v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /** "1:05" / "1:02:03" / "" for a row's duration. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds)) return "";
        long t = Math.round(seconds);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                         : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    /** All rows read (unfiltered). */
    public ObservableList<RunSummary> rows() { return rows; }
    /** The rows that match the filter, for the table. */
    public FilteredList<RunSummary> shown() { return shown; }
    public StringProperty filterProperty() { return filter; }
}
