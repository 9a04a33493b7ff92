package dev.mambamixer.workbench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class MonocleSmokeTest {
    Label label;
    @Start void start(Stage stage) {
        label = new Label("hello");
        stage.setScene(new Scene(new StackPane(label), 200, 100));
        stage.show();
    }
    @Test void shows() {
        assertEquals("hello", label.getText());
        assertEquals(200, label.getScene().getWidth(), 1e-9);
    }
}
