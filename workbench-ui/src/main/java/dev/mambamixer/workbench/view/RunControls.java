package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.vm.RunViewModel;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import javafx.beans.value.ObservableBooleanValue;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;

/**
 * Start, pause, resume, step once, stop, reset (enabled states come from {@link RunViewModel}),
 * and under them the results card of the run that finished last.
 */
final class RunControls {
    final javafx.scene.layout.VBox root = new javafx.scene.layout.VBox(8);
    private final FlowPane buttons = new FlowPane(6, 6);

    RunControls(WorkbenchViewModel vm) {
        RunViewModel r = vm.run();
        root.setPadding(new Insets(10, 10, 0, 10));
        buttons.getChildren().addAll(
            button("Start", "start", "Train a new model with the settings below (off the UI thread)", r.canStartProperty(),
                   vm::start),
            button("Pause", "pause", "Park the trainer between two steps", r.canPauseProperty(), vm::pause),
            button("Resume", "resume", "Continue training", r.canResumeProperty(), vm::resume),
            button("Step", "step", "While paused: run exactly one optimiser step", r.canStepProperty(), vm::stepOnce),
            button("Stop", "stop", "Finish after the current step (TSM2 and ViM2 restore the best weights)", r.canStopProperty(),
                   vm::stop),
            button("Reset", "reset", "Forget the model and clear every view", r.canResetProperty(), vm::reset));
        javafx.scene.control.Label card = new javafx.scene.control.Label();
        card.setId("result-card");
        card.textProperty().bind(r.resultProperty());
        card.setWrapText(true);
        card.setStyle("-fx-background-color: #eef4fb; -fx-border-color: #9bb8d8; -fx-border-radius: 4; -fx-background-radius: 4;"
                      + " -fx-padding: 6 8 6 8; -fx-font-size: 12px;");
        card.setMaxWidth(Double.MAX_VALUE);
        card.visibleProperty().bind(r.resultProperty().isNotEmpty());
        card.managedProperty().bind(card.visibleProperty());
        root.getChildren().addAll(buttons, card);
    }

    private static Button button(String text, String id, String tip, ObservableBooleanValue enabled, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.disableProperty().bind(javafx.beans.binding.Bindings.not(enabled));
        b.setOnAction(e -> action.run());
        b.getStyleClass().add("run-button");
        return b;
    }
}
