// Package latent holds the latent-space (LS) mathematics of the paper
// "Latent space configuration for improved generalization in supervised
// autoencoder neural networks": where the class clusters are (Layout), the
// distance function f_d (eq 9), the geometric loss L_G (eq 8) and its
// gradient, the class similarity vectors v (eq 11-14), the similarity
// sim (eq 15), nearest-cluster labels, and the polar / sector encoder
// configuration (eq 4-7).
//
// It is pure Go with no ML framework: the GoMLX graphs in package model are
// tested against these float64 functions, and search ranks stored encodings
// with them.
//
// Conventions (see also ../SPEC.md in the project's shared folder):
//   - Centres of the paper's layout sit at angles 2*pi*i/n_c, centre 0 on +x.
//   - Distances are Euclidean.
//   - L_G is a sum over the batch by default (eq 8 as written); Mean is an
//     option.
//   - sim of two points that are both outside every cluster's reach (both v
//     sums are 0) is 0, and such points are reported as outside the
//     configured space.
//   - "mod" in eq 6 is floored (result in [0, m)), as Python's % and
//     numpy.mod compute it.
package latent
