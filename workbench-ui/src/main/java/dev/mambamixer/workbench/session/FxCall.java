package dev.mambamixer.workbench.session;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javafx.application.Platform;

/** Runs a piece of code on the FX thread from another thread and waits for its result (scripts, tests). */
public final class FxCall {
    private FxCall() {}

    /** {@code s} on the FX thread; its exception is rethrown (wrapped) here; waits at most {@code seconds}. */
    public static <T> T call(Supplier<T> s, int seconds) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                f.complete(s.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(seconds, TimeUnit.SECONDS);
    }
}
