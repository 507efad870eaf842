// Package saebench measures the paper's Table 1 SAE (a supervised
// autoencoder: Double/Down encoder, heads a and b, classifier
// 2->32->64->5) on GoMLX's pure-Go backend, as lsconf's fork of
// gomlx/compute runs it: one Adam train step (CE + 0.2 L_G, batch norm
// with batch statistics) and the encoder alone (batch norm with running
// statistics), at a width divisor W and batch size B.
//
// It builds the network itself, in several graph formulations, so that the
// cost of each formulation and of each backend change can be measured side
// by side; package model adopts the fastest (docs/speed.md says which).
//
//   - ConvIm2col: 9 shifted slices of the zero-padded NHWC input
//     concatenated on channels, one Dot with a [9*Cin, Cout] kernel
//     (package model's first formulation). ConvConvolve: graph.Convolve on
//     NHWC input with an HWIO kernel (ConvGeneral, whose two gradients
//     GoMLX's autodiff also emits as ConvGeneral ops).
//   - NormGraph builds batch norm from graph ops (ReduceMean, Sub, ...);
//     NormFused uses the backend's BatchNormForTraining / ForInference
//     ops, whose gradient is the BatchNormGradient op.
//   - ReluMax is Max(x, 0) (GoMLX builds its gradient from Sign ops);
//     ReluWhere is Where(x > 0, x, 0) with a scalar 0 (its gradient is one
//     Where).
//   - PoolReshape is a reshape to [B, H/2, 2, W/2, 2, C] and ReduceMax;
//     PoolWindow is graph.MaxPool (ReduceWindow, whose gradient is
//     SelectAndScatterMax).
//
// The benchmarks (BenchmarkTrainStepW1/W4/W8, BenchmarkEncodeW1/W4/W8)
// report img/s, the convolutions' effective GFLOP/s and CPU milliseconds
// per image; flags (-saebench.conv, .norm, .pool, .relu, .par) choose the
// variants, the defaults being the fastest formulation at parallelism 2.
// compare.py runs them beside PyTorch's peer (bench/torch_sae.py) in
// interleaved rounds and prints medians and ratios.
//
// Decisions: kernels are stored HWIO ([3, 3, Cin, Cout]), the same memory
// as package model's [9*Cin, Cout] (rows ordered dy, dx, cin); convolutions
// have no bias (the batch norm cancels it); heads a and b are separate
// dense layers as in the paper; parameters are initialised as PyTorch does
// (uniform in +-1/sqrt(fan_in)) from an explicit seed; the input batch is
// random in [0, 1) with random labels, fixed per run; the running variance
// is updated with the unbiased batch variance, as PyTorch does; the FLOP
// count is the convolutions' (3x the forward multiply-adds for a train
// step, ~1.36 GFLOP per image at W = 1).
package saebench
