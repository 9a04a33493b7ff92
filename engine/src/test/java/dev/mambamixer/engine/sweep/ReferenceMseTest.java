package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceMseTest {
    @Test void readsLabelsAndNumbersInFileOrderIgnoringOtherColumnsAndComments() {
        ReferenceMse r = ReferenceMse.parse("source,setting,mse\n# a comment\npaper,ETTh1-T512-H96,0.375\n\npaper,ETTh2-T512-H96,0.253\n",
                                            "ref.csv", "ref.csv");
        assertEquals(List.of("ETTh1-T512-H96", "ETTh2-T512-H96"), List.copyOf(r.mse().keySet()));
        assertEquals(0.253, r.mse().get("ETTh2-T512-H96"));
    }

    @Test void everyBadLineIsNamedWithItsLineAndColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceMse.parse(
            "setting,mse\nETTh1-T512-H96,0.375\nETTh1-T512-H96,0.4\n,0.3\nETTm1-T512-H96,-1\nETTm2-T512-H96\nweather-T512-H96,x\n",
            "ref.csv", "ref.csv"));
        String m = e.getMessage();
        assertTrue(m.contains("ref.csv:3: setting: ETTh1-T512-H96 appears twice"), m);
        assertTrue(m.contains("ref.csv:4: setting: expected a setting label"), m);
        assertTrue(m.contains("ref.csv:5: mse: expected a positive number, found -1"), m);
        assertTrue(m.contains("ref.csv:6: expected 2 fields as in the header, found 1"), m);
        assertTrue(m.contains("ref.csv:7: mse: expected a number, found \"x\""), m);
        e = assertThrows(IllegalArgumentException.class, () -> ReferenceMse.parse("label,value\nETTh1-T512-H96,0.375\n", "ref.csv", "ref.csv"));
        assertTrue(e.getMessage().contains("ref.csv:1: the header must name the columns \"setting\" and \"mse\""), e.getMessage());
    }

    @Test void thePapersTable5CoversTheTwentyFourSettingsOfTheSweep() throws Exception {
        Path root = Files.exists(Path.of("scripts")) ? Path.of(".") : Path.of("..");
        ReferenceMse paper = ReferenceMse.read(root.resolve("scripts/sweeps/paper-table5-reference.csv"));
        SweepSpec spec = SweepSpec.read(root.resolve("scripts/sweeps/paper-table5.json"));
        assertEquals(24, paper.mse().size());
        assertEquals(spec.settings().stream().map(SweepSpec.Setting::label).toList(), List.copyOf(paper.mse().keySet()));
        assertEquals(0.999, paper.mse().get("exchange_rate-T512-H720"));
    }
}
