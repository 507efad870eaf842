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
// The decisions (views, non-finite points, errors, n_d > 2 projections,
// colours, curves, confusion matrices, grids) are in docs/plots.md.
package plot
