package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path tmp;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.writeString(f, "first");
        assertEquals("first", Files.readString(f));
        AtomicFiles.writeString(f, "second, longer");
        assertEquals("second, longer", Files.readString(f));
        AtomicFiles.writeStream(f, out -> out.write("s".getBytes(StandardCharsets.UTF_8)));
        assertEquals("s", Files.readString(f)); // replaced, not overwritten in place
        assertEquals(List.of("a.txt"), listing(), "no temp files left behind");
    }

    @Test
    void failingWriterLeavesOldFileIntactAndNoTempFile() throws IOException {
        Path f = tmp.resolve("model.bin");
        AtomicFiles.writeString(f, "old content");

        IOException io = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
            ch.write(ByteBuffer.wrap("partial new".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", io.getMessage());
        assertEquals("old content", Files.readString(f));

        assertThrows(IllegalStateException.class, () -> AtomicFiles.writeStream(f, out -> {
            out.write(new byte[100_000]); // spills past the stream buffer into the temp file
            throw new IllegalStateException("bug in writer");
        }));
        assertEquals("old content", Files.readString(f));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(f, ch -> {
            throw new UncheckedIOException(new IOException("x"));
        }));
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("model.bin"), listing(), "temp files cleaned up");
    }

    @Test
    void failingWriterForNewFileCreatesNothing() throws IOException {
        Path f = tmp.resolve("sub/new.json");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> { throw new IOException("boom"); }));
        assertFalse(Files.exists(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void writesJson() throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("lr", 1e-4);
        o.addProperty("name", "<tsm2>");
        o.addProperty("nan", Double.NaN);
        Path f = tmp.resolve("c.json");
        AtomicFiles.writeJson(f, o);
        String text = Files.readString(f);
        assertTrue(text.contains("\"<tsm2>\""), text); // no HTML escaping
        assertTrue(text.endsWith("\n"));
        JsonObject back = JsonParser.parseString(text).getAsJsonObject();
        assertEquals(1e-4, back.get("lr").getAsDouble());
        assertTrue(Double.isNaN(back.get("nan").getAsDouble()));
    }
}
