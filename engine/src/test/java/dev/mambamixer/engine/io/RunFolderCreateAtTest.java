package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunFolder#createAt}: the exact folder (sweeps name their run folders), never an existing one. */
class RunFolderCreateAtTest {
    @TempDir Path tmp;

    @Test void createsExactlyThatFolderAndRefusesAnExistingOne() throws IOException {
        Path d = tmp.resolve("sweep/runs/a-1234abcd-s1");
        try (RunFolder f = RunFolder.createAt(d)) {
            assertEquals(d, f.dir());
            f.writeConfig(new JsonObject());
            f.appendMetrics(1, 5, 1.0, 0.9, 1e-3, 2.0);   // some history, so close() keeps the folder
        }
        assertTrue(Files.isRegularFile(d.resolve(RunFolder.CONFIG_FILE)));
        IOException e = assertThrows(IOException.class, () -> RunFolder.createAt(d));
        assertTrue(e.getMessage().startsWith(d + ": the run folder already exists"), e.getMessage());
    }
}
