package dev.mambamixer.engine.io;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A test hook for the crash tests of run folders: with the system property
 * {@value #PROPERTY}{@code =N} the process halts ({@link Runtime#halt}, like a SIGKILL: no shutdown
 * hooks, no flushes) at the N-th crash point it reaches; with {@value #WAIT_PROPERTY}{@code =true}
 * as well it announces the point on stderr and waits there instead, so the test can send a real
 * SIGKILL in the middle of that save or write. Crash points sit inside checkpoint saves (after
 * each file, between the two renames) and history writes (a history line is then written half, as
 * a torn line). Without the property every call is one read of a final field.
 */
public final class CrashPoints {
    /** System property: halt at this (1-based) crash point. */
    public static final String PROPERTY = "mambamixer.crashAt";
    /** System property: wait at the crash point (for a SIGKILL from outside) instead of halting. */
    public static final String WAIT_PROPERTY = "mambamixer.crashAt.wait";
    /** Exit status of a halt at a crash point. */
    public static final int HALT_STATUS = 86;

    private static final long CRASH_AT = Long.getLong(PROPERTY, 0L);
    private static final boolean WAIT = Boolean.getBoolean(WAIT_PROPERTY);
    private static final AtomicLong REACHED = new AtomicLong();

    private CrashPoints() {}

    /** True when the process should crash here; the caller may do a partial write first, then call {@link #halt}. */
    static boolean due() {
        return CRASH_AT > 0 && REACHED.incrementAndGet() == CRASH_AT;
    }

    /** Counts a crash point and halts when it is the chosen one. */
    static void reached(String where) {
        if (due()) halt(where);
    }

    /** Halts now; stderr names the crash point so a test can count the kinds it hit. */
    static void halt(String where) {
        System.err.println("crash point " + CRASH_AT + ": " + where);
        System.err.flush();
        while (WAIT) {   // this thread stays inside the save or write until the SIGKILL arrives
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                break;
            }
        }
        Runtime.getRuntime().halt(HALT_STATUS);
    }
}
