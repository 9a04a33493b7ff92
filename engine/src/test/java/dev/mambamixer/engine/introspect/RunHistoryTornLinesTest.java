package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunHistory#read} of event logs a crash left behind (docs/RELIABILITY.md, "Run folders"). */
class RunHistoryTornLinesTest {
    @TempDir Path run;

    private static String step(int s) {
        return "{\"type\":\"step\",\"epoch\":1,\"step\":" + s + ",\"stepInEpoch\":" + s
               + ",\"stepsPerEpoch\":9,\"loss\":0.42,\"lr\":0.001,\"gradNorm\":1.0,\"samples\":8,\"wallSeconds\":0.1}";
    }

    @Test
    void aTornLastLineIsSkipped() throws IOException {
        String torn = step(3);
        Files.writeString(run.resolve(EventLog.FILE), step(1) + "\n" + step(2) + "\n" + torn.substring(0, torn.length() - 1));
        RunHistory h = RunHistory.read(run);
        assertEquals(2, h.steps().size());
        assertFalse(h.finished());
    }

    @Test
    void aTornLineWithAResumedRunsLineGluedOnIsReadAsThatLine() throws IOException {
        // what older versions left: a half line, then the resumed run appended onto it
        String half = step(3).substring(0, 60);
        Files.writeString(run.resolve(EventLog.FILE), step(1) + "\n" + step(2) + "\n" + half + step(3) + "\n" + step(4) + "\n");
        RunHistory h = RunHistory.read(run);
        assertEquals(java.util.List.of(1, 2, 3, 4), h.steps().stream().map(s -> s.step()).toList());
    }

    @Test
    void aMalformedLineInTheMiddleIsStillAnErrorNamingFileAndLine() throws IOException {
        Files.writeString(run.resolve(EventLog.FILE), step(1) + "\n" + "garbage\n" + step(2) + "\n");
        IOException e = assertThrows(IOException.class, () -> RunHistory.read(run));
        assertTrue(e.getMessage().contains(EventLog.FILE + ":2"), e.getMessage());
    }
}
