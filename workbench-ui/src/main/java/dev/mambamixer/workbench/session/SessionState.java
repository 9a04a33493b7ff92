package dev.mambamixer.workbench.session;

/** Life cycle of a {@link TrainingSession}; the run view model derives the buttons' enabled states from it. */
public enum SessionState {
    /** No model (nothing trained since start or reset). */
    IDLE,
    /** Loading data and building the model. */
    STARTING,
    RUNNING,
    /** Parked between two steps (the model can be saved or inspected). */
    PAUSED,
    /** Stop requested; finishing the current step. */
    STOPPING,
    /** Training ended; the model is kept and can be saved or explored. */
    FINISHED,
    /** The run could not start or threw; the previous view stays. */
    FAILED;

    public boolean active() { return this == STARTING || this == RUNNING || this == PAUSED || this == STOPPING; }
}
