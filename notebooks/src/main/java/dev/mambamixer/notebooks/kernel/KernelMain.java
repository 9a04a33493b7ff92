package dev.mambamixer.notebooks.kernel;

import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.LogManager;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.channels.LoopThread;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts the rapaio Java kernel (what {@code org.rapaio.jupyter.kernel.MainApp} does with a
 * connection file) with two start-up races of rapaio 3.0.1 fixed; each made about one kernel start
 * in five never answer on this 2-core machine ("Kernel didn't respond in N seconds"):
 *
 * <ol>
 *   <li>{@code LoopThread.start()} calls {@code Thread.start()} before setting its
 *       {@code running} flag, so a socket thread that gets scheduled at once reads false and exits
 *       silently: a kernel without its shell (or control) thread. After start-up, every socket
 *       thread that is not alive is started again with the same loop (flag set first).</li>
 *   <li>The socket threads start before the message-handler table exists, which is created only
 *       after JShell is ready (seconds under load); a {@code kernel_info_request} arriving in
 *       between (Jupyter sends one at once) kills the shell thread with a NullPointerException.
 *       An empty table set beforehand makes the kernel drop those early requests instead; Jupyter
 *       repeats them until one is answered.</li>
 * </ol>
 *
 * The kernel logs warnings only (rapaio logs every message at INFO on stderr); set the
 * environment variable {@code MAMBAMIXER_KERNEL_LOG=INFO} to see them. If rapaio's internals ever
 * differ (another version), the fixes are skipped with a note on stderr.
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: KernelMain <connection file>");
        // The kernel later redirects System.err into the notebook; report dying kernel threads on the real stderr.
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            stderr.println("KernelMain: kernel thread " + t.getName() + " died:");
            e.printStackTrace(stderr);
        });
        String level = System.getenv().getOrDefault("MAMBAMIXER_KERNEL_LOG", "WARNING");
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(
            (".level=" + level + "\nhandlers=java.util.logging.ConsoleHandler\n"
             + "java.util.logging.ConsoleHandler.level=" + level + "\n").getBytes(StandardCharsets.UTF_8)));
        ConnectionProperties props = Transform.fromJson(Files.readString(Path.of(args[0])), ConnectionProperties.class);
        if (props.transport().equals("ipc")) throw new IllegalArgumentException("ipc transport is not supported");
        Channels channels = new Channels(props);
        try {
            Field handlers = Channels.class.getDeclaredField("handlers");
            handlers.setAccessible(true);
            handlers.set(channels, new ConcurrentHashMap<>());
        } catch (ReflectiveOperationException | RuntimeException e) {
            stderr.println("KernelMain: early-message fix not applied (" + e + ")");
        }
        channels.connect(MainApp.kernel);   // binds the sockets, starts their threads, then JShell (seconds)
        try {
            int revived = reviveSocketThreads(channels);
            if (revived > 0 && !level.equals("WARNING"))
                stderr.println("KernelMain: restarted " + revived + " socket thread(s) that exited at start");
        } catch (ReflectiveOperationException | RuntimeException e) {
            stderr.println("KernelMain: socket-thread fix not applied (" + e + ")");
        }
        channels.joinUntilClose();
    }

    /** Starts again every channel's loop thread that is no longer alive; returns how many. */
    static int reviveSocketThreads(Channels channels) throws ReflectiveOperationException {
        Field set = Channels.class.getDeclaredField("channels");
        set.setAccessible(true);
        Field running = LoopThread.class.getDeclaredField("running");
        Field sleep = LoopThread.class.getDeclaredField("sleep");
        Field body = LoopThread.class.getDeclaredField("loopBody");
        running.setAccessible(true);
        sleep.setAccessible(true);
        body.setAccessible(true);
        int revived = 0;
        for (Object channel : (Set<?>) set.get(channels)) {
            for (Class<?> c = channel.getClass(); c != null && c != Thread.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (f.getType() != LoopThread.class) continue;
                    f.setAccessible(true);
                    LoopThread old = (LoopThread) f.get(channel);
                    if (old == null || old.isAlive()) continue;
                    LoopThread fresh = new LoopThread(old.getName(), sleep.getLong(old), (Runnable) body.get(old));
                    running.setBoolean(fresh, true);   // before the thread can look at it
                    fresh.start();
                    f.set(channel, fresh);
                    revived++;
                }
            }
        }
        return revived;
    }
}
