package dev.mambamixer.workbench.vm;

import java.util.Optional;

/**
 * What each view shows and what to look for in it, in the app's own words (shown by the "?" of a
 * view and in Help → About the views). Sections refer to docs/MODEL.md, the project's account of
 * the model.
 */
public enum ViewGuide {
    CURVES("Training curves",
           "The training loss of every step (faded: raw; solid: smoothed by the EMA slider), the validation MSE and MAE of "
           + "TSM2 or the held-out loss and accuracy of teaching tasks and ViM2 at each evaluation, the learning rate "
           + "(dashed, right axis) and the throughput.",
           "Validation turning up while the training loss still falls (over-fitting: the run keeps the best weights); a "
           + "jump after a learning-rate change; throughput drops (another program, a pause).",
           "§6.5, §7.5"),
    TOKEN_SELECTION("Token selection",
           "For one sequence of the chosen layer's token mixer: Δ, the step size, per inner channel (rows) and position "
           + "(columns); also B, C, the gate and the retention. A large Δ writes that input into the state (it is "
           + "selected); a small Δ keeps the state and ignores the input.",
           "Columns where many channels have a large Δ: the positions the mixer writes. On teaching tasks these should "
           + "be the marked data tokens. A row that is the same at every position selects nothing (it acts as a fixed "
           + "filter). 'per row' colours show where each channel selects regardless of its overall level.",
           "§3.1, §5.1, §8"),
    CHANNEL_SELECTION("Channel selection",
           "The channel (variate) mixer's mean Δ over its inner channels for every variate (rows) and patch (columns), "
           + "one panel per scan direction, both on one colour scale.",
           "Variates with a consistently larger Δ (written into the cross-variate state more), patches where that "
           + "changes, and differences between the two directions. A 'narrow range' note means the differences are "
           + "small in absolute terms, however strong the colours look.",
           "§5.2, §6.3"),
    ATTENTION("Implicit attention",
           "The selective scan written exactly as an attention matrix: α[t, s] is how much output position t reads input "
           + "position s, computed from Δ, A, B and C; the mean |α| over channels, or one channel's signed α (both "
           + "directions of a bidirectional mixer: lower and upper triangle).",
           "A diagonal band (recent inputs), vertical stripes (positions every later output reads: the selected ones), "
           + "and on induction heads a bright cell from the second occurrence of a token back to the one after its first. "
           + "Use log10 colours when one cell dwarfs the rest.",
           "§3.2"),
    AVERAGING("Weighted averaging",
           "Each mixer's learned weights over the outputs of all earlier mixers (rows: mixers; columns: the outputs they "
           + "average), the initial weights outlined, and how the weights moved during training.",
           "Weights leaving the identity initialisation: a mixer that reads further back than its direct predecessor, "
           + "or one that ignores its direct input.",
           "§5.3"),
    FORECAST("Forecast",
           "TSM2's forecast of a validation or test window: history, ground truth and prediction per variate "
           + "(standardised units), with the window's MSE and MAE.",
           "Forecasts lagging the truth, flattening towards the mean (under-fitting), variates much worse than the "
           + "others.",
           "§6"),
    DIAGNOSTICS("Diagnostics",
           "The update:parameter ratio of every parameter group (how much one AdamW step changes the weights, log scale) "
           + "and the spread of Δ per mixer and direction over training (median and p5–p95).",
           "Ratios far above 1e-2 (the learning rate is too high for that group) or below 1e-5 (the group is not "
           + "learning); a Δ band that collapses (the mixer stopped selecting).",
           "§3.1, §6.5"),
    VISION("Vision",
           "For a held-out probe image and one SS2D token mixer of ViM2: a token map per scan direction laid over the "
           + "image, Δ or the exact implicit attention of the query token (click a patch to move it), and the map "
           + "merged over the four directions.",
           "Attention that follows the digit's strokes rather than the background; directions that read differently "
           + "(row-major along rows, column-major along columns); on the cluttered canvas, the digit's tokens read more "
           + "than the clutter's after training.",
           "§7.2, §7.5"),
    RESULTS("Results",
           "The held-out evaluation of a ViM2 run: the confusion matrix (rows: true class), accuracy per class, and the "
           + "most confidently wrong images.",
           "Pairs of classes confused with each other (4 and 9, 3 and 5), and wrong images the model is sure about: "
           + "often unusual handwriting, sometimes a wrong label.",
           "§7.5");

    /** The tab title this guide belongs to. */
    public final String view;
    public final String shows, lookFor;
    /** Sections of docs/MODEL.md that explain the quantities. */
    public final String modelSections;

    ViewGuide(String view, String shows, String lookFor, String modelSections) {
        this.view = view;
        this.shows = shows;
        this.lookFor = lookFor;
        this.modelSections = modelSections;
    }

    /** The guide of the view titled {@code view}, if there is one. */
    public static Optional<ViewGuide> of(String view) {
        for (ViewGuide g : values()) if (g.view.equals(view)) return Optional.of(g);
        return Optional.empty();
    }

    /** "What this shows: … What to look for: … More: docs/MODEL.md §3.2." */
    public String text() {
        return "What this shows: " + shows + "\nWhat to look for: " + lookFor + "\nMore: docs/MODEL.md " + modelSections + ".";
    }
}
