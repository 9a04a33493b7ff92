package dev.mambamixer.workbench;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The window fits the screen it opens on; an explicit size is checked. */
class LayoutRulesTest {
    @Test void windowFitsSmallScreensAndStaysAt1440x900OnLargeOnes() {
        assertArrayEquals(new int[] {1280, 672}, WorkbenchApp.fitToScreen(1280, 672.5));   // 1280×720 minus a panel
        assertArrayEquals(new int[] {1440, 900}, WorkbenchApp.fitToScreen(2560, 1400));
        assertArrayEquals(new int[] {320, 240}, WorkbenchApp.fitToScreen(100, 100));
        assertArrayEquals(new int[] {1280, 720}, WorkbenchApp.windowSize("1280x720"));
        assertThrows(IllegalArgumentException.class, () -> WorkbenchApp.windowSize("big"));
    }

    @Test void errorDialogsGrowWithTheirMessage() {
        assertEquals(3, dev.mambamixer.workbench.view.MainViewAccess.dialogRows("short"));
        assertEquals(4, dev.mambamixer.workbench.view.MainViewAccess.dialogRows("line one\nline two\nline three"));
        assertEquals(20, dev.mambamixer.workbench.view.MainViewAccess.dialogRows("x".repeat(5000)));
    }
}
