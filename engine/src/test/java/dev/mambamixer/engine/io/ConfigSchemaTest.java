package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mambamixer.engine.model.Tsm2Config;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.train.TrainConfig;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The config.json schema check: every problem named with file, field path, expectation and finding. */
class ConfigSchemaTest {
    private static JsonObject configOf(Tsm2Config m) {
        JsonObject o = new JsonObject();
        o.add("model", ConfigJson.GSON.toJsonTree(m));
        return o;
    }

    private static String problem(JsonObject config) {
        return assertThrows(IllegalArgumentException.class,
                            () -> ConfigSchema.read(config, "model", Tsm2Config.class, "run/config.json")).getMessage();
    }

    @Test
    void aSavedConfigReadsBackEqual() {
        Tsm2Config c = Tsm2Config.defaults(96, 24, 7);
        assertEquals(c, ConfigSchema.read(configOf(c), "model", Tsm2Config.class, "config.json"));
        Vim2Config v = Vim2Config.mnist();
        JsonObject o = new JsonObject();
        o.add("model", ConfigJson.GSON.toJsonTree(v));
        assertEquals(v, ConfigSchema.read(o, "model", Vim2Config.class, "config.json"));
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        JsonObject c = configOf(Tsm2Config.defaults(96, 24, 7));
        JsonObject m = c.getAsJsonObject("model");
        m.remove("dModel");
        m.add("layers", com.google.gson.JsonNull.INSTANCE);
        m.addProperty("dState", 1.5);
        m.addProperty("expand", "2");
        m.addProperty("dropout", Double.POSITIVE_INFINITY);
        m.addProperty("revin", 1);
        m.addProperty("design", "I3");
        m.addProperty("seqLen", 3_000_000_000L);
        assertEquals("run/config.json: model.seqLen: 3000000000 is outside the int range; "
                     + "model.design: unknown value 'I3' (expected I1, I2); "
                     + "model.dModel: expected an integer, found nothing (missing); "
                     + "model.layers: expected an integer, found null; "
                     + "model.dState: expected an integer, found 1.5; "
                     + "model.expand: expected an integer, found the string \"2\"; "
                     + "model.revin: expected true or false, found 1; "
                     + "model.dropout: expected a finite number, found Infinity", problem(c));
    }

    @Test
    void wholeObjectsAndListsAreChecked() {
        JsonObject c = new JsonObject();
        assertEquals("run/config.json: missing \"model\" (expected a JSON object)", problem(c));
        c.add("model", JsonParser.parseString("[1, 2]"));
        assertEquals("run/config.json: model: expected a JSON object, found an array [1,2]", problem(c));

        JsonObject v = new JsonObject();
        v.add("model", ConfigJson.GSON.toJsonTree(Vim2Config.mnist()));
        v.getAsJsonObject("model").add("dims", JsonParser.parseString("[48, \"x\"]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> ConfigSchema.read(v, "model", Vim2Config.class, "c.json"));
        assertEquals("c.json: model.dims[1]: expected an integer, found the string \"x\"", e.getMessage());
    }

    @Test
    void optionalFieldsMayBeAbsentButNotNull() {
        JsonObject c = new JsonObject();
        c.add("training", ConfigJson.GSON.toJsonTree(TrainConfig.defaults()));
        c.getAsJsonObject("training").remove("evalEvery");
        assertEquals(0, ConfigSchema.read(c, "training", TrainConfig.class, "c.json", Set.of("evalEvery")).evalEvery());
        c.getAsJsonObject("training").add("evalEvery", com.google.gson.JsonNull.INSTANCE);
        assertThrows(IllegalArgumentException.class, () -> ConfigSchema.read(c, "training", TrainConfig.class, "c.json", Set.of("evalEvery")));
    }

    @Test
    void stateCountersNameKeyAndRange() {
        JsonObject s = JsonParser.parseString("{\"step\": -3, \"best\": NaN, \"seed\": 1.5}").getAsJsonObject();
        assertEquals("state.json: \"step\" is -3, expected 0..10",
                     assertThrows(IllegalArgumentException.class, () -> ConfigSchema.intIn(s, "step", 0, 10, "state.json")).getMessage());
        assertEquals("state.json: \"epochs\" expected an integer in 0..5, found nothing (missing)",
                     assertThrows(IllegalArgumentException.class, () -> ConfigSchema.intIn(s, "epochs", 0, 5, "state.json")).getMessage());
        assertEquals("state.json: \"best\" is NaN, expected a number in [0.0, Infinity]",
                     assertThrows(IllegalArgumentException.class,
                                  () -> ConfigSchema.doubleIn(s, "best", 0, Double.POSITIVE_INFINITY, "state.json")).getMessage());
        // Gson writes special doubles as bare literals and reads them back as strings: still numbers here
        JsonObject inf = JsonParser.parseString("{\"best_val_mse\": Infinity}").getAsJsonObject();
        assertEquals(Double.POSITIVE_INFINITY, ConfigSchema.doubleIn(inf, "best_val_mse", 0, Double.POSITIVE_INFINITY, "s"));
        assertEquals("s: \"best_val_mse\" is Infinity, expected a number in [0.0, 1.7976931348623157E308]",
                     assertThrows(IllegalArgumentException.class,
                                  () -> ConfigSchema.doubleIn(inf, "best_val_mse", 0, Double.MAX_VALUE, "s")).getMessage());
        assertEquals("state.json: \"seed\" expected a 64-bit integer, found 1.5",
                     assertThrows(IllegalArgumentException.class, () -> ConfigSchema.longField(s, "seed", "state.json")).getMessage());
    }
}
