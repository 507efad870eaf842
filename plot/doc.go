// Package plot draws lsconf's figures: the latent-space (LS) scatter of the
// paper's Figures 5, 7, 8 and 9, the f_d curve of Figure 6, training
// curves, confusion matrices, the image result grids of Figures 10-13, and
// grids of figures (Figures 7-9 side by side).
//
// Inputs are plain data (slices, image.Image) plus, where the paper's
// geometry matters, a *latent.Layout and *latent.Sectors; the package
// imports no other lsconf package.
//
// # Vector figures
//
// Scatter, FDCurve, Curves, TrainingCurves and Confusion return a
// *Figure, a drawing of fixed size rendered only when written:
// Save(fig, "dir/name") writes dir/name.png (DefaultDPI) and dir/name.svg,
// each through a temporary file and a rename; (*Figure).WritePNG and
// WriteSVG write to any io.Writer (a web handler) and (*Figure).Image
// renders for a Grid. Drawing uses gonum.org/v1/plot's vg canvases and its
// bundled Liberation Sans font: no system font, no network. The axes are
// the package's own (not gonum's plot.Plot), so a data area is exactly the
// rectangle laid out for it.
//
// # Raster figures
//
// ResultGrid (a query and its top-k results with scores) and Grid (already
// rendered figures with row and column captions) return an *image.RGBA;
// SavePNG writes one atomically and LoadPNG reads a saved figure back.
// Gray32 turns the project's 32x32 float32 pixels into an image.
//
// # Decisions
//
//   - Scatter view: square and symmetric about the origin with equal scales
//     on both axes (the data area is a square of Side inches showing
//     [-Half, Half] on both axes), so r_c circles are round. View{Half: 2}
//     (ConfiguredHalf) for configured runs, View{Half: 40} (WideHalf) for
//     the paper's wide view of ce runs, View{} for automatic: the largest
//     |coordinate| of the points, circles and query, plus 3%, rounded up to
//     1, 2, 2.5 or 5 times a power of ten.
//   - Non-finite points (NaN or Inf coordinates) are skipped and counted,
//     not an error: a diverged ce run should still be drawn. Points outside
//     a fixed view are not drawn and are counted too. Both counts are
//     printed under the figure and returned in Figure.Notes. No points at
//     all give a valid figure with the note "no points to draw".
//   - Scatter errors: points of different dimensions, label and point
//     slices of different lengths, labels outside -1..n_classes-1, class
//     names that do not match the layout, sectors with n_d != 2, a
//     non-finite query, a negative or non-finite view.
//   - Label -1 means unlabeled: drawn grey, listed as "unlabeled".
//   - n_d > 2: points are projected orthogonally on a plane chosen from the
//     layout's centres by PlaneFor (the best of PCA, polygon plane and
//     their "spread" refinements by the smallest distance between
//     projected centres), so configured clusters stay apart; without a
//     layout, the two leading principal components of the points. The axis
//     labels name the plane. The projection of an r_c ball is a disc of
//     radius r_c, so circles keep their radius; the LS origin stays at the
//     figure's origin.
//   - Colours: Okabe-Ito (without black) then three of Paul Tol's muted
//     colours, ten in all; class i uses colour i mod 10 and, from the
//     eleventh class on, another marker shape (square, triangle, diamond).
//     Black is kept for the centres and circles, light grey for prohibited
//     sectors, a white star with a black edge for the query.
//   - Points are drawn cloud by cloud, each cloud in input order (not
//     grouped by class), so no class hides the others systematically;
//     generalization points are large with a thin dark outline.
//   - Training curves: three panels (loss total and CE; L_G alone, since
//     as a sum over the batch its scale differs; accuracy in percent on a
//     fixed 0-100 axis). Accuracies are given as fractions; a value
//     outside [0, 1] is an error (it catches percentages passed by
//     mistake). NaN means "not measured that epoch": lines join the
//     measured values across it. Infinite values are skipped and counted.
//   - Confusion matrix: rows are true classes, shading is the share of the
//     row (row-normalised), cells show the count and the share, rows
//     without samples are white; the overall accuracy is printed under it.
//   - Result grid: nearest-neighbour upscaling (96 px by default) so the
//     32x32 pixels stay visible; scores with 3 decimals; the query's box
//     for a text query grows to fit all its words. PNG only.
//   - Figure grid: every image keeps its size unless MaxCellWidth is set,
//     which scales all of them by one common factor (so figures of one
//     kind keep one scale); images are centred in their cells.
//   - SVG text is not embedded: viewers substitute a sans-serif font.
package plot
