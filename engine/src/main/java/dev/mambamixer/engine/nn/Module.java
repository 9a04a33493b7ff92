package dev.mambamixer.engine.nn;

import java.util.List;

/** Anything that owns parameters. Forward/backward signatures differ per layer (llm.c style). */
public interface Module {
    /** All trainable parameters, in a stable order (checkpoint and optimiser order). */
    List<Parameter> parameters();
}
