/**
 * The one place where MambaMixer charts are built (JFreeChart only, no JavaFX, works headless):
 * training curves ({@link dev.mambamixer.charts.CurveChart}), heatmaps
 * ({@link dev.mambamixer.charts.Heatmap}) and adapters for the engine's introspection captures.
 * The workbench UI shows the returned {@code JFreeChart}s in a ChartViewer; notebooks render them
 * with {@link dev.mambamixer.charts.ChartImages}. Every factory applies {@link dev.mambamixer.charts.Theme}.
 * The one chart JFreeChart has no plot for, a sweep's parallel coordinates
 * ({@link dev.mambamixer.charts.ParallelCoordinates}), is drawn with Java2D in the same theme into an image.
 */
package dev.mambamixer.charts;
