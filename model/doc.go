// Package model is the supervised autoencoder of the paper's Table 1 as
// GoMLX graphs on the pure-Go backend: the encoder (Double at 32x32, four
// Down blocks to 2x2, flatten, heads a and b, z = a + b, optionally the
// polar encoder configuration), the classifier n_d -> 32 -> 64 -> n_c, the
// losses L_CE and L_G, and an Adam train step, run by Net.
//
// Decisions where the paper is silent (see also docs/training.md):
//   - Layout: NHWC float32, input [B, 32, 32, 1]; a width divisor W divides
//     every convolution's channels (64/W ... 512/W); W = 1 is Table 1.
//   - Convolution: GoMLX's Convolve (the backend's ConvGeneral, also for
//     both gradients) with an HWIO kernel stored as [9*Cin, Cout] (rows
//     ordered dy, dx, cin); lsconf's fork of gomlx/compute runs it as an
//     implicit GEMM (docs/speed.md). Conv3x3Im2col, the first formulation
//     (nine shifted slices of the input, zero padded by concatenation, one
//     product with a hand-written gradient, MatMulFast), is kept as the
//     tests' reference.
//   - No convolution bias: the batch norm after each convolution cancels it.
//   - Initialisation as PyTorch's defaults: kernels and dense biases
//     uniform in +-1/sqrt(fan_in); batch-norm scale 1, shift 0; running mean
//     0, running variance 1. Seeded (math/rand/v2 PCG), deterministic.
//   - Batch norm: the backend's BatchNormForTraining / ForInference ops
//     (the fork provides them; batchNormTrainOps is the same from graph ops
//     and the tests' reference). In training the batch's mean and biased
//     variance normalise, and the running averages are updated with
//     PyTorch's rule, momentum 0.1 and the unbiased variance; epsilon 1e-5.
//     Inference uses the running averages. As in PyTorch, they lag behind
//     fast-moving weights in very short runs.
//   - Max pool 2x2 is GoMLX's MaxPool (ReduceWindow); its gradient goes to
//     one maximum of each window, as PyTorch's.
//   - ReLU is Where(x > 0, x, 0) with a scalar 0; its gradient at 0 is 0.
//   - Heads: z = flat*(Wa + Wb) + (ba + bb), the same function and the same
//     gradients as a + b, at the cost of one product.
//   - Encoder configuration (SectorTransform): latent's float64 rule decides
//     the rotation, evaluated in float64 inside the graph (so it decides as
//     latent does on float64(z)); the output is z rotated by that angle
//     (eq 7 as a rotation: its gradient is the rotation, finite at the
//     origin). Rounding to float32 can put a point on or over a boundary;
//     then the angle is moved SectorMargin32 (1e-5 rad) into the allowed
//     side, and a point still prohibited (only subnormal coordinates) maps
//     to the origin. Coordinates are clamped to +-1e30 first.
//   - L_G (GeometricLoss) is eq 8 with a sum (default) or mean over the
//     batch; f_d is written exp(ReLU(x - r)) - 1 because GoMLX's Expm1 has
//     no gradient (the same value to rounding, exactly 0 inside a cluster);
//     the distance's gradient at distance 0 is 0, as latent.LGGrad says.
//   - The loss is L_CE (batch mean) in mode "ce" and L_CE + k_g L_G in
//     "ce+g"; L_G is computed and reported in both modes.
//   - Adam is PyTorch's (no weight decay, eps 1e-8 outside the square
//     root); the bias corrections are computed in float64 on the host.
//   - Inference runs in batches of InferBatch, the last one padded to the
//     next power of two (at most 7 compiled graphs; one image is not padded
//     to 64). An encoding does not depend on the batch it was computed in
//     beyond float32 rounding (the matmul tiles change with the batch size;
//     tested to 1e-5 relative).
//
// Every exported function that runs graphs recovers GoMLX's panics and
// returns errors; graph-building functions (Forward, Conv3x3, ...) panic
// like GoMLX's own ops.
package model
