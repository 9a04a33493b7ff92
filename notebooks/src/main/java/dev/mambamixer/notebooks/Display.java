package dev.mambamixer.notebooks;

import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The kernel's two display functions, as every IJava-family kernel (IJava, JJava, rapaio) offers
 * them in a notebook: {@code display(obj)} shows an object and returns its display id,
 * {@code updateDisplay(id, obj)} replaces what that display shows. The helper only ever reaches the
 * kernel through this interface, so it runs unchanged under all of them. In a notebook:
 *
 * <pre>{@code Workbench.useDisplay(o -> display(o), (id, o) -> updateDisplay(id, o));}</pre>
 */
public interface Display {
    /** Shows {@code o} as a new output; returns the id to update it by. */
    String show(Object o);

    /** Replaces the output shown under {@code id} by {@code o}. */
    void update(String id, Object o);

    static Display of(Function<Object, String> display, BiConsumer<String, Object> updateDisplay) {
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(updateDisplay, "updateDisplay");
        return new Display() {
            @Override public String show(Object o) { return display.apply(o); }
            @Override public void update(String id, Object o) { updateDisplay.accept(id, o); }
        };
    }

    /** Outside a notebook: prints each object's text form (a {@link Picture}'s summary) to stdout. */
    static Display console() {
        return new Display() {
            private int next;
            @Override public synchronized String show(Object o) {
                String id = "console-" + next++;
                System.out.println(o);
                return id;
            }
            @Override public void update(String id, Object o) { System.out.println(o); }
        };
    }
}
