package dev.mambamixer.workbench.session;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.mambamixer.engine.io.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The settings an opened run folder was trained with, read from its config.json, as short
 * "section: key value, key value" lines: shown beside the form (which holds the settings of the
 * next run, not of the run on screen).
 */
public final class RunSettingsSummary {
    private RunSettingsSummary() {}

    /** Lines for every object of config.json ("model", "training", "data", ...), or an empty list without one. */
    public static List<String> read(Path runDir) throws IOException {
        if (!Files.isRegularFile(runDir.resolve(RunFolder.CONFIG_FILE))) return List.of();
        JsonObject root = RunFolder.readConfig(runDir);
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, JsonElement> section : root.entrySet()) {
            if (!section.getValue().isJsonObject()) {
                lines.add(section.getKey() + ": " + value(section.getValue()));
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : ((JsonObject) section.getValue()).entrySet())
                parts.add(e.getKey() + " " + value(e.getValue()));
            lines.add(section.getKey() + ": " + String.join(", ", parts));
        }
        return lines;
    }

    private static String value(JsonElement v) {
        if (v.isJsonPrimitive()) return v.getAsJsonPrimitive().isString() ? v.getAsString() : v.toString();
        if (v.isJsonArray() && v.getAsJsonArray().size() > 12) return "[" + v.getAsJsonArray().size() + " values]";
        return v.toString().replace("\"", "");
    }
}
