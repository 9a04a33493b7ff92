package dev.mambamixer.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CPU thread count option (read once, when the pool is created). */
class ParallelThreadsTest {
    @AfterEach
    void clear() { System.clearProperty("mambamixer.cpu.threads"); }

    @Test
    void propertyOverridesTheCoreCountAndBadValuesAreNamed() {
        System.setProperty("mambamixer.cpu.threads", "3");
        assertEquals(3, Parallel.configuredThreads());
        System.setProperty("mambamixer.cpu.threads", "zero");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Parallel::configuredThreads);
        assertTrue(e.getMessage().contains("'zero'"), e.getMessage());
        System.setProperty("mambamixer.cpu.threads", "0");
        assertThrows(IllegalArgumentException.class, Parallel::configuredThreads);
        System.clearProperty("mambamixer.cpu.threads");
        if (System.getenv("MAMBAMIXER_CPU_THREADS") == null)
            assertEquals(Runtime.getRuntime().availableProcessors(), Parallel.configuredThreads());
    }
}
