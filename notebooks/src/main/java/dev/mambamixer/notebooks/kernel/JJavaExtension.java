package dev.mambamixer.notebooks.kernel;

import dev.mambamixer.notebooks.Picture;
import dev.mambamixer.notebooks.Pictures;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.common.Image;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

/**
 * Renderer registration for JJava (and kernels built on its base library): JJava loads
 * {@code META-INF/services/org.dflib.jjava.jupyter.Extension} from the jars on its classpath, so
 * the helper's objects display by themselves as PNG, with their text summary as text/plain.
 */
public final class JJavaExtension implements Extension {
    @Override public void install(BaseKernel kernel) {
        registerAll(kernel.getRenderer());
    }

    /** Registers a renderer for every type of {@link Pictures#SUPPORTED}. */
    public static void registerAll(Renderer renderer) {
        for (Class<?> type : Pictures.SUPPORTED) register(renderer, type);
    }

    private static <T> void register(Renderer renderer, Class<T> type) {
        renderer.createRegistration(type)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((o, ctx) -> {
                    Picture p = Pictures.of(o);
                    Image.renderImage(p, ctx);
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, p::text);
                });
    }
}
