package dev.mambamixer.notebooks;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.introspect.Introspector;
import dev.mambamixer.engine.model.Tsm2;
import dev.mambamixer.notebooks.kernel.JJavaExtension;
import dev.mambamixer.notebooks.kernel.RapaioDisplayProvider;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.ServiceLoader;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.rapaio.jupyter.kernel.display.DisplayRenderer;
import org.rapaio.jupyter.kernel.display.spi.DisplayProvider;

/** The renderers the kernels find by themselves produce a real PNG plus the text summary. */
class KernelRenderersTest {

    private static BufferedImage decode(String base64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(base64)));
    }

    @Test
    void rapaioFindsTheProviderAndRendersAnAveragingMatrixAsPngAndText() throws Exception {
        DisplayProvider provider = ServiceLoader.load(DisplayProvider.class).stream()
            .map(ServiceLoader.Provider::get).filter(p -> p instanceof RapaioDisplayProvider).findFirst()
            .orElseThrow(() -> new AssertionError("RapaioDisplayProvider not registered in META-INF/services"));
        var data = Workbench.sampleData(48, 12);
        Tsm2 model = Workbench.tsm2(data, 16, 1);
        var avg = Introspector.averaging(model);
        DisplayRenderer r = provider.getDisplayRenderers().stream()
            .filter(x -> x.rendererClass().isAssignableFrom(avg.getClass())).findFirst().orElseThrow();
        var d = r.render("text/html", avg);
        BufferedImage img = decode((String) d.data().get("image/png"));
        Picture expected = Pictures.averaging(avg);
        assertEquals(expected.getWidth(), img.getWidth());
        assertEquals(expected.getHeight(), img.getHeight());
        assertEquals(expected.text(), d.data().get("text/plain"));
        assertTrue(expected.text().contains("β_{1,0}=1.000") && expected.text().contains("θ_{1,1}=1.000"),
                   expected.text());   // identity initialisation: each mixer reads the one before
    }

    @Test
    void jjavaRendererGivesPngAndTextForAPicture() throws Exception {
        Renderer renderer = new Renderer();
        JJavaExtension.registerAll(renderer);
        Picture p = Pictures.message(300, 60, "hello from the helper");
        DisplayData d = renderer.render(p);
        BufferedImage img = decode((String) d.getData(MIMEType.IMAGE_PNG));
        assertEquals(300, img.getWidth());
        assertEquals(60, img.getHeight());
        assertEquals("hello from the helper", d.getData(MIMEType.TEXT_PLAIN));
        assertTrue(ServiceLoader.load(org.dflib.jjava.jupyter.Extension.class).stream()
                       .anyMatch(x -> x.type() == JJavaExtension.class), "extension registered in META-INF/services");
    }
}
