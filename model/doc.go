// Package model is the supervised autoencoder of the paper's Table 1 as
// GoMLX graphs on the pure-Go backend: the encoder (Double at 32x32, four
// Down blocks to 2x2, flatten, heads a and b, z = a + b, optionally the
// polar encoder configuration), the classifier n_d -> 32 -> 64 -> n_c, the
// losses L_CE and L_G, and an Adam train step, run by Net.
//
// The decisions where the paper is silent (layout, convolution,
// initialisation, batch norm, pooling, ReLU, heads, encoder configuration,
// L_G, Adam, inference batches) are in docs/training.md.
// Every exported function that runs graphs recovers GoMLX's panics and
// returns errors; graph-building functions (Forward, Conv3x3, ...) panic
// like GoMLX's own ops.
package model
