package dev.mambamixer.workbench.view;

import dev.mambamixer.workbench.vm.RunViewModel;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/** Bottom line: state, step, samples/s, ETA, backend, and the last message. */
final class StatusBar {
    final HBox root = new HBox(10);
    final Label state = new Label(), step = new Label(), speed = new Label(), eta = new Label(), backend = new Label(),
            message = new Label();

    StatusBar(RunViewModel vm) {
        root.setPadding(new Insets(4, 10, 4, 10));
        root.getStyleClass().add("status-bar");
        state.textProperty().bind(vm.stateProperty().asString());
        state.setId("state");
        step.textProperty().bind(vm.stepTextProperty());
        step.setId("status-step");
        speed.textProperty().bind(vm.speedTextProperty());
        eta.textProperty().bind(vm.etaTextProperty());
        backend.textProperty().bind(vm.backendProperty());
        message.textProperty().bind(vm.messageProperty());
        message.setId("message");
        message.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(message, Priority.ALWAYS);
        state.getStyleClass().add("state");
        for (Label l : new Label[] {state, step, speed, eta}) l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        message.setMinWidth(120);
        backend.setMinWidth(120);
        root.getChildren().addAll(state, new Separator(javafx.geometry.Orientation.VERTICAL), step, speed, eta,
                                  new Separator(javafx.geometry.Orientation.VERTICAL), message, backend);
    }
}
