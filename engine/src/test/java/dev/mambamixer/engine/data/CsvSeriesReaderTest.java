package dev.mambamixer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSeriesReaderTest {
    @TempDir Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, text.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    /** Reads a bad file and checks the message names the file, the line and (if given) the column. */
    private DataFormatException bad(String name, String text, int line, String column) throws IOException {
        Path p = write(name, text);
        DataFormatException e = assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(p));
        String msg = e.getMessage();
        assertTrue(msg.contains(name), msg);
        assertTrue(msg.contains("line " + line + ":"), msg);
        assertEquals(line, e.line());
        if (column != null) assertTrue(msg.contains(column), msg);
        return e;
    }

    @Test
    void readsSmallFileLfAndCrlfAndNoFinalNewline() throws IOException {
        String lf = "date,a,b\n2020-01-01 00:00:00,1.5,-2\n2020-01-01 01:00:00,3e2,0.25\n";
        for (String text : new String[] {lf, lf.replace("\n", "\r\n"), lf.substring(0, lf.length() - 1),
                lf.replace("\n", "\r\n").substring(0, lf.length() + 1), "\uFEFF" + lf, lf + "\n\r\n"}) {
            Series s = CsvSeriesReader.read(write("ok.csv", text));
            assertEquals(2, s.rows());
            assertEquals(2, s.cols());
            assertEquals("date", s.dateColumn());
            assertEquals(java.util.List.of("a", "b"), s.columns());
            assertArrayEquals(new String[] {"2020-01-01 00:00:00", "2020-01-01 01:00:00"}, s.dates());
            assertArrayEquals(new float[] {1.5f, -2f, 300f, 0.25f}, s.values());
        }
    }

    @Test
    void keepsReplacementCharactersInHeaderAndReadsGzip() throws IOException {
        Path p = dir.resolve("w.csv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write("date,SWDR (W/m\uFFFD),OT\r\n2020-01-01 00:00,-9999,1\r\n2020-01-01 01:00,2,3".getBytes(StandardCharsets.UTF_8));
        }
        Series s = CsvSeriesReader.read(p);
        assertEquals("SWDR (W/m\uFFFD)", s.columns().get(0));
        assertEquals(-9999f, s.value(0, 0)); // sentinel numbers are kept as numbers
        assertEquals(3f, s.value(1, 1));
    }

    @Test
    void loneCrEndingsAndLongNumbers() throws IOException {
        // 20 significant digits and 1e-40 (subnormal float) take the general Float.parseFloat path.
        Series s = CsvSeriesReader.read(write("cr.csv", "date,a,b\r2020-01-01,1234567890.1234567890,1e-40\r"));
        assertEquals(1, s.rows());
        assertEquals("2020-01-01", s.dates()[0]);
        assertEquals(Float.parseFloat("1234567890.1234567890"), s.value(0, 0));
        assertEquals(Float.parseFloat("1e-40"), s.value(0, 1));
    }

    @Test
    void everyEtth1ValueIsBitIdenticalToFloatParseFloat() throws IOException {
        Path p = TestData.sharedFile("ETT-small/ETTh1.csv");
        Series s = CsvSeriesReader.read(p);
        java.util.List<String> lines = Files.readAllLines(p);
        assertEquals(17420, s.rows());
        assertEquals(lines.size() - 1, s.rows());
        for (int r = 0; r < s.rows(); r++) {
            String[] cells = lines.get(r + 1).split(",");
            assertEquals(cells[0], s.dates()[r]);
            for (int c = 0; c < s.cols(); c++) {
                if (Float.floatToRawIntBits(Float.parseFloat(cells[c + 1])) != Float.floatToRawIntBits(s.value(r, c))) {
                    fail("row " + r + " col " + c + ": " + cells[c + 1] + " -> " + s.value(r, c));
                }
            }
        }
    }

    @Test
    void emptyFile() throws IOException {
        DataFormatException e = bad("empty.csv", "", 1, null);
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    }

    @Test
    void blankHeader() throws IOException {
        DataFormatException e = bad("blank.csv", "\n2020-01-01,1,2\n", 1, null);
        assertTrue(e.getMessage().contains("blank header"), e.getMessage());
    }

    @Test
    void numericHeaderMeansMissingHeader() throws IOException {
        DataFormatException e = bad("nohdr.csv", "2016-07-01 00:00:00,1,2\n2016-07-01 01:00:00,3,4\n", 1, "column 1");
        assertTrue(e.getMessage().contains("missing header"), e.getMessage());
        bad("nohdr2.csv", "1.0,2.0\n3.0,4.0\n", 1, "column 1");
    }

    @Test
    void blankAndDuplicateColumnNames() throws IOException {
        bad("bn.csv", "date,a,,c\n2020-01-01 00:00,1,2,3\n", 1, "column 3");
        bad("dup.csv", "date,a,b,a\n2020-01-01 00:00,1,2,3\n", 1, "column 4 'a'");
    }

    @Test
    void headerOnlyHasNoRows() throws IOException {
        bad("hdr.csv", "date,a,b\n", 2, null);
    }

    @Test
    void raggedRows() throws IOException {
        DataFormatException shortRow = bad("short.csv", "date,a,b,c\n2020-01-01 00:00,1,2,3\n2020-01-01 01:00,1,2\n", 3, "column 4 'c'");
        assertTrue(shortRow.getMessage().contains("3 cells but the header has 4"), shortRow.getMessage());
        DataFormatException longRow = bad("long.csv", "date,a,b\r\n2020-01-01 00:00,1,2\r\n2020-01-01 01:00,1,2\r\n2020-01-01 02:00,1,2,3\r\n", 4, "'b'");
        assertTrue(longRow.getMessage().contains("4 cells but the header has 3"), longRow.getMessage());
    }

    @Test
    void nonNumericCell() throws IOException {
        DataFormatException e = bad("nn.csv", "date,HUFL,HULL\n2020-01-01 00:00,1,2\n2020-01-01 01:00,1,abc\n", 3, "column 3 'HULL'");
        assertTrue(e.getMessage().contains("'abc' is not a number"), e.getMessage());
        bad("nn2.csv", "date,a,b\n2020-01-01 00:00,1-2,2\n", 2, "column 2 'a'");
        bad("nn3.csv", "date,a,b\n2020-01-01 00:00,1.0f,2\n", 2, "column 2 'a'"); // Java-only float suffix is not CSV
    }

    @Test
    void missingCellIsRejectedWithPolicy() throws IOException {
        DataFormatException e = bad("miss.csv", "date,a,b,OT\n2020-01-01 00:00,1,2,3\n2020-01-01 01:00,1,,3\n", 3, "column 3 'b'");
        assertTrue(e.getMessage().contains(CsvSeriesReader.MISSING_POLICY), e.getMessage());
        DataFormatException last = bad("miss2.csv", "date,a,OT\n2020-01-01 00:00,1,\n", 2, "column 3 'OT'");
        assertTrue(last.getMessage().contains(CsvSeriesReader.MISSING_POLICY), last.getMessage());
        bad("miss3.csv", "date,a,OT\n,1,2\n", 2, "column 1 'date'");
    }

    @Test
    void nanAndInfinityAreRejectedWithPolicy() throws IOException {
        for (String tok : new String[] {"NaN", "nan", "NA", "inf", "-Infinity"}) {
            DataFormatException e = bad("nan.csv", "date,a,OT\n2020-01-01 00:00,1,2\n2020-01-01 01:00," + tok + ",2\n", 3, "column 2 'a'");
            assertTrue(e.getMessage().contains(CsvSeriesReader.MISSING_POLICY), e.getMessage());
        }
        DataFormatException big = bad("big.csv", "date,a,OT\n2020-01-01 00:00,1,1e40\n", 2, "column 3 'OT'");
        assertTrue(big.getMessage().contains("float32 range"), big.getMessage());
    }

    @Test
    void blankLineInsideData() throws IOException {
        bad("gap.csv", "date,a\n2020-01-01 00:00,1\n\n2020-01-01 01:00,2\n", 3, null);
    }

    @Test
    void ettm1GzipRowCountAndSpeed() throws IOException {
        Path p = TestData.sharedFile("ETT-small/ETTm1.csv.gz");
        CsvSeriesReader.read(p); // warm-up so the timing below is the steady-state reader
        long t0 = System.nanoTime();
        Series s = CsvSeriesReader.read(p);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("ETTm1.csv.gz read in " + ms + " ms");
        assertEquals(69680, s.rows());
        assertEquals(7, s.cols());
        assertEquals(java.util.List.of("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"), s.columns());
        assertEquals("2016-07-01 00:00:00", s.dates()[0]);
        assertEquals("2018-06-26 19:45:00", s.dates()[69679]);
        assertEquals(5.827000141143799f, s.value(0, 0));
    }

    @Test
    void weatherCrlfWithReplacementCharsAndSentinels() throws IOException {
        Series s = CsvSeriesReader.read(TestData.sharedFile("weather/weather.csv.gz"));
        assertEquals(52696, s.rows());
        assertEquals(21, s.cols());
        assertEquals("p (mbar)", s.columns().get(0));
        assertEquals("SWDR (W/m\uFFFD)", s.columns().get(16));
        assertEquals("max. PAR (\uFFFDmol/m\uFFFD/s)", s.columns().get(18));
        assertEquals("OT", s.columns().get(20)); // no stray '\r' on the last name
        assertEquals("2020-01-01 00:10:00", s.dates()[0]);
        assertEquals(1008.89f, s.value(0, 0));
        assertEquals(428.1f, s.value(0, 20));
        // README: 50 sentinels in OT, 30 in max. PAR, 1 in wv; kept as -9999.
        int[] counts = new int[s.cols()];
        for (int r = 0; r < s.rows(); r++) for (int c = 0; c < s.cols(); c++) if (s.value(r, c) == -9999f) counts[c]++;
        assertEquals(50, counts[20]);
        assertEquals(30, counts[18]);
        assertEquals(1, counts[s.indexOf("wv (m/s)")]);
    }

    @Test
    void exchangeRateWithoutFinalNewline() throws IOException {
        Series s = CsvSeriesReader.read(TestData.sharedFile("exchange_rate/exchange_rate.csv"));
        assertEquals(7588, s.rows());
        assertEquals(8, s.cols());
        assertEquals(java.util.List.of("0", "1", "2", "3", "4", "5", "6", "OT"), s.columns());
        assertEquals("2010/10/10 0:00", s.dates()[7587]);
        assertEquals(0.692689f, s.value(7587, 7));
    }

    @Test
    void acceptedDateFormatsParseToTheRightInstant() {
        String[][] ok = {
            {"2016-07-01 00:00:00", "2016-07-01T00:00"}, {"1990/1/1 0:00", "1990-01-01T00:00"},
            {"2020-02-29", "2020-02-29T00:00"}, {"2020-01-01T23:59:59.5", "2020-01-01T23:59:59.500"},
            {"2000-12-31 7:05", "2000-12-31T07:05"}, {"2021-03-04 05:06:07.123456789", "2021-03-04T05:06:07.123456789"}};
        for (String[] c : ok) {
            long[] w = new long[2];
            byte[] b = c[0].getBytes(StandardCharsets.US_ASCII);
            assertTrue(CsvSeriesReader.parseDate(b, 0, b.length, w), c[0]);
            java.time.LocalDateTime t = java.time.LocalDateTime.parse(c[1]);
            assertEquals(t.toEpochSecond(java.time.ZoneOffset.UTC), w[0], c[0]);
            assertEquals(t.getNano(), w[1], c[0]);
        }
        for (String bad : new String[] {"2021-02-29", "1900-02-29", "2020-04-31", "2020-13-01", "2020-00-01", "2020-01-00",
                "2020-01-01 24:00", "2020-01-01 00:60", "2020-01-01 00:00:60", "2020-01-01 00:0", "20-01-01", "2020-01/01",
                "01/02/2020", "2020-01-01 ", "2020-01-01T", "2020-01-01 00:00:00Z", "2020-01-01 00:00:00+01:00", "x", "",
                "2020-01-01 00:00:00.", "2020-01-01 00:00:00.1234567890", "\u00002020-01-01"}) {
            byte[] b = bad.getBytes(StandardCharsets.UTF_8);
            assertFalse(CsvSeriesReader.parseDate(b, 0, b.length, new long[2]), bad);
        }
    }

    @Test
    void badDateNamesLineColumnAndTheAcceptedFormats() throws IOException {
        DataFormatException e = bad("bd.csv", "date,a\n2020-01-01,1\n2020-02-30,2\n", 3, "column 1 'date'");
        assertTrue(e.getMessage().contains("'2020-02-30' is not a date; accepted: " + CsvSeriesReader.DATE_FORMATS), e.getMessage());
        bad("bin.csv", "date,a\n\u0001\u00ff\u0007,1\n", 2, "is not a date");
    }

    @Test
    void reversedAndRepeatedDatesAreRefusedNamingBothLines() throws IOException {
        DataFormatException rev = bad("rev.csv", "date,a\n2020-01-03,1\n2020-01-02,2\n2020-01-01,3\n", 3, "column 1 'date'");
        assertTrue(rev.getMessage().contains("'2020-01-02' is earlier than line 2's '2020-01-03'"), rev.getMessage());
        DataFormatException dup = bad("dup.csv", "date,a\n2020-01-01 00:00,1\n2020-01-01 01:00,2\n2020-01-01 01:00:00,3\n", 4,
                                      "column 1 'date'");
        assertTrue(dup.getMessage().contains("'2020-01-01 01:00:00' repeats line 3's date with different values"), dup.getMessage());
        // a repeated date with the same values in another spelling is still a different row
        bad("dup2.csv", "date,a\n2020-01-01 01:00,2\n2020-01-01 01:00:00,2\n", 3, "repeats line 2");
        // an exact copy of the row before is kept (weather.csv line 19046 is one)
        Series s = CsvSeriesReader.read(write("copy.csv", "date,a\n2020-01-01,1\n2020-01-02,2\n2020-01-02,2\n2020-01-03,3\n"));
        assertEquals(4, s.rows());
        // fractions of a second order the rows
        assertEquals(2, CsvSeriesReader.read(write("ms.csv", "date,a\n2020-01-01 00:00:00.25,1\n2020-01-01 00:00:00.5,2\n")).rows());
    }

    @Test
    void aFileWithoutADateColumnIsRefused() throws IOException {
        DataFormatException e = bad("nodate.csv", "a,b,c\n1,2,3\n", 1, "column 1 'a': no date column");
        assertTrue(e.getMessage().contains("date,<col1>,...,OT"), e.getMessage());
        bad("id.csv", "id,a\n2020-01-01,1\n", 1, "column 1 'id': no date column");
        for (String name : new String[] {"Date", "DATETIME", "timestamp", "time"})
            assertEquals(name, CsvSeriesReader.read(write("n.csv", name + ",a\n2020-01-01,1\n")).dateColumn());
        bad("ctl.csv", "date,a\u0000b\n2020-01-01,1\n", 1, "column 2: control character \\x00 in the header");
    }

    @Test
    void magnitudesAboveTheLimitAreRefusedUnlessAllowed() throws IOException {
        assertEquals(1e15f, CsvSeriesReader.read(write("lim.csv", "date,a\n2020-01-01,1e15\n")).value(0, 0));
        assertEquals(-1e15f, CsvSeriesReader.read(write("lim2.csv", "date,a\n2020-01-01,-1000000000000000\n")).value(0, 0));
        for (String v : new String[] {"1.001e15", "-2e15", "3.4e38", "340282346638528859811704183484516925440"}) {
            DataFormatException e = bad("huge.csv", "date,a,b\n2020-01-01,1,2\n2020-01-02,3," + v + "\n", 3, "column 3 'b'");
            assertTrue(e.getMessage().contains("'" + v + "' has a magnitude above 1e15") && e.getMessage().contains("--allow-extreme-values"),
                       e.getMessage());
            Series s = CsvSeriesReader.read(dir.resolve("huge.csv"), true);
            assertEquals(Float.parseFloat(v), s.value(1, 1));
        }
        // non-finite values stay refused with the flag
        Path inf = write("inf.csv", "date,a\n2020-01-01,1e39\n");
        assertThrows(DataFormatException.class, () -> CsvSeriesReader.read(inf, true));
    }

    @Test
    void everyBenchmarkFilePassesTheDateAndMagnitudeChecks() throws IOException {
        // README row counts; weather.csv's exact duplicate row (line 19046) is kept, so it stays 52,696
        String[][] files = {{"ETT-small/ETTh1.csv", "17420"}, {"ETT-small/ETTh2.csv", "17420"}, {"ETT-small/ETTm1.csv.gz", "69680"},
            {"ETT-small/ETTm2.csv.gz", "69680"}, {"weather/weather.csv.gz", "52696"}, {"exchange_rate/exchange_rate.csv", "7588"},
            {"illness/national_illness.csv", "966"}};
        for (String[] f : files) {
            Series s = CsvSeriesReader.read(TestData.sharedFile(f[0]));
            assertEquals(Integer.parseInt(f[1]), s.rows(), f[0]);
            assertEquals("date", s.dateColumn(), f[0]);
        }
    }
}
