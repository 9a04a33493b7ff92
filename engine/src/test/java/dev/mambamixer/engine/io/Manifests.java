package dev.mambamixer.engine.io;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/** Test helper: puts a hand-edited checkpoint behind a valid manifest, so the checks after the CRCs are what is tested. */
public final class Manifests {
    private Manifests() {}

    /** Rewrites checkpoint.json of {@code dir} with the files' current sizes and CRC32s. */
    public static void recompute(Path dir) throws IOException {
        Path mf = dir.resolve(Checkpoint.MANIFEST_FILE);
        JsonObject m = JsonParser.parseString(Files.readString(mf)).getAsJsonObject();
        JsonObject files = m.getAsJsonObject("files");
        for (String f : files.keySet()) {
            byte[] b = Files.readAllBytes(dir.resolve(f));
            CRC32 crc = new CRC32();
            crc.update(b);
            JsonObject e = files.getAsJsonObject(f);
            e.addProperty("bytes", b.length);
            e.addProperty("crc32", String.format("%08x", crc.getValue()));
        }
        Files.writeString(mf, m.toString());
    }
}
