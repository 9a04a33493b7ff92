package dev.mambamixer.notebooks.kernel;

import dev.mambamixer.notebooks.Picture;
import dev.mambamixer.notebooks.Pictures;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.rapaio.jupyter.kernel.display.DisplayData;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.DisplayTransformer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

/**
 * Renderer registration for the rapaio Java kernel (the one scripts/install-kernel.sh installs):
 * the kernel finds this class with {@code ServiceLoader} on its classpath at start-up, so the
 * helper's objects ({@link Pictures#SUPPORTED}: runs, captures, forecasts, averaging matrices,
 * models, pictures) display by themselves as PNG with their text summary as text/plain.
 */
public final class RapaioDisplayProvider implements DisplayProvider {

    @Override public List<DisplayRenderer> getDisplayRenderers() {
        List<DisplayRenderer> out = new ArrayList<>();
        for (Class<?> type : Pictures.SUPPORTED) out.add(new PictureRenderer(type));
        return out;
    }

    @Override public List<DisplayTransformer> getDisplayTransformers() { return List.of(); }

    /** Renders one type as image/png + text/plain, whatever MIME type was asked for. */
    private record PictureRenderer(Class<?> type) implements DisplayRenderer {
        @Override public Class<?> rendererClass() { return type; }

        @Override public boolean canRender(String mime) { return true; }

        @Override public DisplayData render(String mime, Object o) {
            Picture p = Pictures.of(o);
            DisplayData d = DisplayData.withType("image/png", Base64.getEncoder().encodeToString(p.png()));
            d.putText(p.text());
            return d;
        }
    }
}
