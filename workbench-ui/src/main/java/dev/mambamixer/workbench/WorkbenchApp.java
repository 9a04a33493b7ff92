package dev.mambamixer.workbench;

import dev.mambamixer.workbench.view.MainView;
import dev.mambamixer.workbench.vm.WorkbenchViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application: builds the root view model (which owns the training session) and the
 * main view. Started through {@link Launcher}, which is not an Application subclass so that the
 * app also runs with JavaFX on the class path.
 */
public final class WorkbenchApp extends Application {
    private WorkbenchViewModel vm;

    @Override public void start(Stage stage) {
        vm = new WorkbenchViewModel(Paths.sampleData(), Paths.runsDir(), Platform::runLater);
        MainView view = new MainView(vm);
        Scene scene = new Scene(view.root(), 1440, 900);
        scene.getStylesheets().add(WorkbenchApp.class.getResource("workbench.css").toExternalForm());
        stage.setTitle("MambaMixer Workbench");
        stage.setScene(scene);
        stage.show();
        Launcher.afterStart(vm, view, stage);
    }

    @Override public void stop() {
        if (vm != null) vm.close();
    }
}
