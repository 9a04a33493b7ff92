package dev.mambamixer.engine.tensor;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.ScanDims;
import org.junit.jupiter.api.Test;

class ScanDimsTest {
    @Test
    void chunkCountRoundsUp() {
        assertEquals(3, new ScanDims(2, 130, 4, 16, 64).chunks());
        assertArrayEquals(new int[] {2, 1, 4, 16}, new ScanDims(2, 63, 4, 16, 64).checkpointShape());
        assertThrows(IllegalArgumentException.class, () -> new ScanDims(0, 1, 1, 1, 1));
    }
}
