package dev.mambamixer.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepSpecTest {
    static final String GOOD = """
        {"name": "demo",
         "settings": [{"data": "data/ETTh1.csv", "seqLen": 512, "horizon": [96, 192]}],
         "fixed": {"--d-model": 32, "--epochs": 10, "--pad-end": true, "--schedule": "cosine"},
         "grid": {"--lr": [1e-4, 5e-4], "--dropout": [0.1, 0.3]},
         "searchSeed": 1, "seeds": [1, 2, 3]}
        """;

    private static IllegalArgumentException bad(String json) {
        return assertThrows(IllegalArgumentException.class, () -> SweepSpec.parse(json, "s.json", Path.of("/base")));
    }

    @Test void readsEveryField() {
        SweepSpec s = SweepSpec.parse(GOOD, "s.json", Path.of("/base"));
        assertEquals("demo", s.name());
        assertEquals(2, s.settings().size());   // one setting per horizon of the list
        assertEquals(Path.of("/base/data/ETTh1.csv"), s.settings().get(0).data());
        assertEquals(512, s.settings().get(1).seqLen());
        assertEquals(192, s.settings().get(1).horizon());
        assertEquals("ETTh1-T512-H192", s.settings().get(1).label());
        assertEquals(List.of("--d-model", "--epochs", "--pad-end", "--schedule"), List.copyOf(s.fixed().keySet()));
        assertEquals(1, s.grids().size());
        assertEquals("1e-4", s.grids().get(0).get("--lr").get(0).getAsString());   // kept as written
        assertEquals(1, s.searchSeed());
        assertEquals(List.of(1L, 2L, 3L), s.seeds());
        assertEquals(SweepSpec.BEST_VAL_MSE, s.selection());
        // the copy in sweep.json reads back to the same spec
        SweepSpec again = SweepSpec.parse(s.toJson().toString(), "sweep.json", Path.of("/elsewhere"));
        assertEquals(s.settings(), again.settings());
        assertEquals(s.grids().toString(), again.grids().toString());
        assertTrue(s.toJson().get("grid").isJsonObject(), "one grid is written as it was read: an object");
    }

    @Test void unknownFieldsAreNamed() {
        IllegalArgumentException e = bad(GOOD.replace("\"searchSeed\"", "\"seedz\": 4, \"searchSeed\""));
        assertTrue(e.getMessage().startsWith("s.json: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field \"seedz\""), e.getMessage());
        e = bad(GOOD.replace("\"seqLen\": 512", "\"seqLen\": 512, \"T\": 3"));
        assertTrue(e.getMessage().contains("settings[0]: unknown field \"T\""), e.getMessage());
    }

    @Test void emptyGridAndEmptyListsAreRefused() {
        IllegalArgumentException e = bad(GOOD.replace("\"grid\": {\"--lr\": [1e-4, 5e-4], \"--dropout\": [0.1, 0.3]}", "\"grid\": {}"));
        assertTrue(e.getMessage().contains("grid: expected at least one option"), e.getMessage());
        e = bad(GOOD.replace("[0.1, 0.3]", "[]"));
        assertTrue(e.getMessage().contains("grid.\"--dropout\": expected at least one value"), e.getMessage());
        e = bad(GOOD.replace("\"seeds\": [1, 2, 3]", "\"seeds\": []"));
        assertTrue(e.getMessage().contains("seeds: expected at least one seed"), e.getMessage());
    }

    @Test void badTypesNameTheFieldAndWhatWasFound() {
        IllegalArgumentException e = bad(GOOD.replace("\"seqLen\": 512", "\"seqLen\": \"512\""));
        assertTrue(e.getMessage().contains("settings[0].seqLen: expected an integer, found the string \"512\""), e.getMessage());
        e = bad(GOOD.replace("\"searchSeed\": 1", "\"searchSeed\": 1.5"));
        assertTrue(e.getMessage().contains("searchSeed: expected an integer, found 1.5"), e.getMessage());
        e = bad(GOOD.replace("[1e-4, 5e-4]", "[1e-4, [5e-4]]"));
        assertTrue(e.getMessage().contains("grid.\"--lr\"[1]: expected a number, string or true/false"), e.getMessage());
        e = bad(GOOD.replace("[1e-4, 5e-4]", "1e-4"));
        assertTrue(e.getMessage().contains("grid.\"--lr\": expected a JSON array of values, found 1e-4"), e.getMessage());
        e = bad(GOOD.replace("\"horizon\": [96, 192]", "\"horizon\": 0"));
        assertTrue(e.getMessage().contains("settings[0].horizon: 0 is outside 1.."), e.getMessage());
        e = bad("[1, 2]");
        assertTrue(e.getMessage().contains("s.json: expected a JSON object at the top"), e.getMessage());
    }

    @Test void optionsTheSweepSetsAndDuplicatesAreRefused() {
        IllegalArgumentException e = bad(GOOD.replace("\"--epochs\": 10", "\"--seed\": 10"));
        assertTrue(e.getMessage().contains("fixed.\"--seed\": set by the sweep itself"), e.getMessage());
        e = bad(GOOD.replace("\"seeds\": [1, 2, 3]", "\"seeds\": [1, 2, 1]"));
        assertTrue(e.getMessage().contains("seeds[2]: the seed 1 appears twice"), e.getMessage());
        e = bad(GOOD.replace("[96, 192]", "[96, 96]"));
        assertTrue(e.getMessage().contains("setting ETTh1-T512-H96 appears twice"), e.getMessage());
        e = bad(GOOD.replace("\"--epochs\"", "\"epochs\""));
        assertTrue(e.getMessage().contains("fixed.\"epochs\": expected a train option name"), e.getMessage());
    }

    @Test void aSettingsFixedOptionsAreCheckedLikeTheSweeps() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": 24,
                                        "fixed": {"--seed": 3, "lr": 1, "--batch": [1]}}],
             "grid": {"--lr": [1e-3, 1e-4]}, "searchSeed": 1, "seeds": [1]}
            """, "s.json", null));
        String m = e.getMessage();
        assertTrue(m.contains("settings[0].fixed.\"--seed\": set by the sweep itself"), m);
        assertTrue(m.contains("settings[0].fixed.\"lr\": expected a train option name"), m);
        assertTrue(m.contains("settings[0].fixed.\"--batch\": expected a number, string or true/false, found an array"), m);
        e = assertThrows(IllegalArgumentException.class, () -> SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": 24, "fixed": 3}],
             "grid": {"--lr": [1e-3]}, "searchSeed": 1, "seeds": [1]}
            """, "s.json", null));
        assertTrue(e.getMessage().contains("settings[0].fixed: expected a JSON object, found 3"), e.getMessage());
    }

    @Test void aGridIsAnObjectOrAListOfThemAndASettingMayHaveItsOwn() {
        SweepSpec s = SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": [24, 48],
                                        "grid": [{"--lr": [1e-3, 1e-4]}, {"--lr": [5e-5], "--dropout": [0.4]}]},
                                       {"data": "ETTh2.csv", "seqLen": 96, "horizon": 24}],
             "fixed": {"--dropout": 0.2}, "grid": {"--lr": [1e-3]}, "searchSeed": 1, "seeds": [1]}
            """, "s.json", null);
        assertEquals(2, s.settings().get(0).grids().size());
        assertEquals(s.settings().get(0).grids(), s.settings().get(1).grids(), "every horizon of the entry has the entry's grid");
        assertEquals(s.settings().get(1).grids(), s.gridsOf(1));
        assertEquals(s.grids(), s.gridsOf(2), "a setting without a grid searches the sweep's");
        assertEquals(List.of("--lr", "--dropout"), s.searchedOptions());
        assertEquals("0.2", s.fixedOf(0).get("--dropout").getAsString(), "an option may be fixed and searched");
        SweepSpec again = SweepSpec.parse(s.toJson().toString(), "sweep.json", null);
        assertEquals(s.settings(), again.settings());
        assertEquals(s.grids().toString(), again.grids().toString());
        // a sweep whose every setting has a grid needs none of its own
        SweepSpec own = SweepSpec.parse("""
            {"name": "p", "settings": [{"data": "ETTh1.csv", "seqLen": 96, "horizon": 24, "grid": {"--lr": [1e-3]}}],
             "searchSeed": 1, "seeds": [1]}
            """, "s.json", null);
        assertTrue(own.grids().isEmpty());
        assertEquals(1, own.gridsOf(0).size());
    }

    @Test void badGridsNameTheirPlace() {
        IllegalArgumentException e = bad(GOOD.replace("\"grid\": {\"--lr\": [1e-4, 5e-4], \"--dropout\": [0.1, 0.3]}",
                                                      "\"grid\": [{\"--lr\": [1e-4]}, 3, {\"--dropout\": []}]"));
        String m = e.getMessage();
        assertTrue(m.contains("grid[1]: expected a JSON object (option -> list of values), found 3"), m);
        assertTrue(m.contains("grid[2].\"--dropout\": expected at least one value"), m);
        e = bad(GOOD.replace("\"grid\": {\"--lr\": [1e-4, 5e-4], \"--dropout\": [0.1, 0.3]}", "\"grid\": []"));
        assertTrue(e.getMessage().contains("grid: expected a JSON object (option -> list of values) or a non-empty list"), e.getMessage());
        e = bad(GOOD.replace("\"seqLen\": 512", "\"seqLen\": 512, \"grid\": {\"--seed\": [1]}"));
        assertTrue(e.getMessage().contains("settings[0].grid.\"--seed\": set by the sweep itself"), e.getMessage());
        e = bad(GOOD.replace("\"grid\": {\"--lr\": [1e-4, 5e-4], \"--dropout\": [0.1, 0.3]},", ""));
        assertTrue(e.getMessage().contains("grid: expected a JSON object (option -> list of values) or a list of them, found nothing (missing)"),
                   e.getMessage());
    }

    @Test void everyProblemIsReportedAtOnce() {
        IllegalArgumentException e = bad("{\"name\": \"x\", \"settings\": [], \"grid\": {}, \"seeds\": [1]}");
        String m = e.getMessage();
        assertTrue(m.contains("settings: expected at least one setting") && m.contains("grid: expected at least one option")
                   && m.contains("searchSeed: expected an integer, found nothing (missing)"), m);
    }
}
