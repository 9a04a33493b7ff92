package dev.mambamixer.engine.io;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mambamixer.engine.data.CsvSeriesReader;
import dev.mambamixer.engine.data.DataFormatException;
import dev.mambamixer.engine.data.vision.DigitsReader;
import dev.mambamixer.engine.data.vision.ImageFolderReader;
import dev.mambamixer.engine.data.vision.MnistReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File errors name the path and say why; printed messages carry no raw control characters and are never null. */
class FileErrorsTest {
    @TempDir Path tmp;

    @Test
    void missingFileAndMissingFolder() {
        Path p = tmp.resolve("absent.csv");
        IOException e = assertThrows(IOException.class, () -> CsvSeriesReader.read(p));
        assertEquals(p + ": not found", e.getMessage());
        Path q = tmp.resolve("no-such-folder").resolve("x.csv");
        e = assertThrows(IOException.class, () -> CsvSeriesReader.read(q));
        assertEquals(q + ": not found (the folder " + q.getParent().toAbsolutePath() + " does not exist)", e.getMessage());
        // the JDK's bare-path exception, as other code throws it, reads the same at the top level
        assertEquals(p + ": not found", FileErrors.describe(new NoSuchFileException(p.toString())));
    }

    @Test
    void directoryIsNotAFile() throws IOException {
        IOException e = assertThrows(IOException.class, () -> CsvSeriesReader.read(tmp));
        assertEquals(tmp + ": is a directory, not a file", e.getMessage());
        // what Files.readAllBytes says for a directory on Linux: an OS phrase with no path
        assertEquals(tmp + ": is a directory, not a file", FileErrors.reading(tmp, new IOException("Is a directory")).getMessage());
        IOException d = assertThrows(IOException.class, () -> DigitsReader.read(tmp));
        assertTrue(d.getMessage().startsWith(tmp + ": is a directory"), d.getMessage());
    }

    @Test
    void imageFolderRootMissingOrAFile() throws IOException {
        Path none = tmp.resolve("images");
        IOException e = assertThrows(IOException.class, () -> ImageFolderReader.read(none, 8, 8, 1));
        assertEquals(none + ": not found", e.getMessage());
        Path file = Files.writeString(tmp.resolve("file.png"), "x");
        DataFormatException f = assertThrows(DataFormatException.class, () -> ImageFolderReader.read(file, 8, 8, 1));
        assertEquals(file + ": not a folder", f.getMessage());
    }

    @Test
    void unreadableFileSaysPermission() throws IOException {
        Path p = tmp.resolve("locked.csv");
        Files.writeString(p, "date,a\n2020-01-01,1\n");
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "no POSIX permissions on this file system");
        }
        assumeTrue(!Files.isReadable(p), "running as root: every file is readable");
        IOException e = assertThrows(IOException.class, () -> CsvSeriesReader.read(p));
        assertEquals(p + ": permission denied (the file is not readable by this user)", e.getMessage());
    }

    @Test
    void permissionAndDiskFullPhrasesFromTheOs() throws IOException {
        Path p = tmp.resolve("x");
        assertEquals(p + ": permission denied (not writable by this user)",
                     FileErrors.writing(p, new AccessDeniedException(p.toString())).getMessage());
        assertEquals("disk full (no space left on device)", FileErrors.describe(new IOException("No space left on device")));
        assertEquals(p + ": disk full (no space left on device) while writing",
                     FileErrors.writing(p, new IOException("No space left on device")).getMessage());
        assertEquals(p + ": disk full (no space left on device) while writing",
                     FileErrors.describe(new FileSystemException(p.toString(), null, "No space left on device")));
    }

    @Test
    void realDiskFullOnDevFull() {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "no /dev/full on this system");
        IOException e = assertThrows(IOException.class, () -> {
            try {
                Files.write(full, new byte[1 << 16]);
            } catch (IOException x) {
                throw FileErrors.writing(full, x);
            }
        });
        assertEquals("/dev/full: disk full (no space left on device) while writing", e.getMessage());
    }

    @Test
    void gzipProblemsNameTheFileAndTheByte() throws IOException {
        Path empty = tmp.resolve("empty.csv.gz");
        Files.write(empty, new byte[0]);
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(empty));
        assertEquals(empty + ": empty file (0 bytes); a .gz file must hold gzip data", e.getMessage());

        Path plain = tmp.resolve("plain.csv.gz");
        Files.writeString(plain, "date,a\n2020-01-01,1\n");
        e = assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(plain));
        assertTrue(e.getMessage().startsWith(plain + ": byte 0: not gzip data"), e.getMessage());

        StringBuilder sb = new StringBuilder("date,a\n");
        for (int i = 0; i < 5000; i++) sb.append(java.time.LocalDate.of(2000, 1, 1).plusDays(i)).append(',').append(i * 7 % 13).append('\n');
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] gz = bo.toByteArray();
        Path cut = tmp.resolve("cut.csv.gz");
        Files.write(cut, java.util.Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(cut));
        String n = String.format("%,d", gz.length / 2);
        assertTrue(e.getMessage().startsWith(cut + ": byte " + n + " of " + n + ": truncated gzip data"), e.getMessage());
        assertTrue(e.getMessage().contains("Unexpected end of ZLIB input stream"), e.getMessage());

        Path flipped = tmp.resolve("crc.csv.gz");
        byte[] bad = gz.clone();
        bad[bad.length - 6] ^= 0x55;   // inside the CRC-32 trailer: the data inflates but does not check out
        Files.write(flipped, bad);
        e = assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(flipped));
        assertTrue(e.getMessage().startsWith(flipped + ": byte ") && e.getMessage().contains("corrupt gzip data"), e.getMessage());

        Path digits = tmp.resolve("digits.csv.gz");
        Files.write(digits, java.util.Arrays.copyOf(gz, 40));
        e = assertThrows(DataFormatException.class, () -> DigitsReader.read(digits));
        assertTrue(e.getMessage().startsWith(digits + ": byte ") && e.getMessage().contains("gzip"), e.getMessage());

        Path noLabels = tmp.resolve("labels.gz");
        IOException m = assertThrows(IOException.class, () -> MnistReader.read(digits, noLabels));
        assertEquals(noLabels + ": not found", m.getMessage());
    }

    @Test
    void printableEscapesControlCharactersAndErrorTextIsNeverNull() {
        assertEquals("a\\x00b\\x1B[2Jc\\x7F\td\ne", FileErrors.printable("a\0b\u001b[2Jc\u007f\td\ne"));
        assertEquals("plain", FileErrors.printable("plain"));
        assertEquals("EOFException", FileErrors.errorText(new java.io.EOFException()));
        assertEquals("NullPointerException", FileErrors.errorText(new NullPointerException()));
        assertEquals("UncheckedIOException: x: not found",
                     FileErrors.errorText(new UncheckedIOException(null, new NoSuchFileException("x"))));
        assertEquals("bad \\x00 cell", FileErrors.errorText(new IllegalArgumentException("bad \0 cell")));
    }
}
