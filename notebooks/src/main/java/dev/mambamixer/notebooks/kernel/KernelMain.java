package dev.mambamixer.notebooks.kernel;

import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.LogManager;
import org.rapaio.jupyter.kernel.MainApp;
import org.rapaio.jupyter.kernel.channels.Channels;
import org.rapaio.jupyter.kernel.core.ConnectionProperties;
import org.rapaio.jupyter.kernel.core.Transform;

/**
 * Starts the rapaio Java kernel (what {@code org.rapaio.jupyter.kernel.MainApp} does for a
 * connection file) with two changes:
 *
 * <ul>
 *   <li>Start-up race fixed: rapaio 3.0.1 starts its socket threads before it creates the message
 *       handler table, and only creates it after JShell is ready (seconds on a loaded machine). A
 *       {@code kernel_info_request} arriving in between (Jupyter sends one at once) makes the shell
 *       thread die with a NullPointerException and the kernel never answers ("Kernel didn't
 *       respond in N seconds", seen under load). An empty table set beforehand makes the kernel
 *       drop those early requests instead; Jupyter repeats them until one is answered.</li>
 *   <li>Quiet: the kernel logs warnings only (rapaio logs every message at INFO on stderr).</li>
 * </ul>
 *
 * If rapaio's internals ever differ (another version), the fix is skipped with a note on stderr
 * and the kernel starts as rapaio's own main would.
 */
public final class KernelMain {
    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) throw new IllegalArgumentException("usage: KernelMain <connection file>");
        LogManager.getLogManager().readConfiguration(new ByteArrayInputStream(
            (".level=WARNING\nhandlers=java.util.logging.ConsoleHandler\n"
             + "java.util.logging.ConsoleHandler.level=WARNING\n").getBytes(StandardCharsets.UTF_8)));
        ConnectionProperties props = Transform.fromJson(Files.readString(Path.of(args[0])), ConnectionProperties.class);
        if (props.transport().equals("ipc")) throw new IllegalArgumentException("ipc transport is not supported");
        Channels channels = new Channels(props);
        try {
            Field handlers = Channels.class.getDeclaredField("handlers");
            handlers.setAccessible(true);
            handlers.set(channels, new ConcurrentHashMap<>());
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("KernelMain: start-up race fix not applied (" + e + "); starting rapaio as is");
        }
        channels.connect(MainApp.kernel);
        channels.joinUntilClose();
    }
}
