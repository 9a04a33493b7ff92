package dev.mambamixer.engine.train;

/** Forecast errors in standardised space (MODEL.md §6.2): mean over windows x horizon x variates. */
public record Metrics(double mse, double mae, long windows) {}
