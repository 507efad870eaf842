// Package metrics computes the retrieval, clustering and open-set metrics
// metric-learning papers report, exactly (every query is ranked against
// every candidate; no approximate search), in pure Go.
//
// Retrieval (Musgrave, Belongie and Lim, "A Metric Learning Reality
// Check", ECCV 2020, as pytorch-metric-learning's AccuracyCalculator
// computes them): for a query with label y, its results are all other
// items (the query itself is excluded) ranked by score, and an item is
// relevant when its label is y. R is the number of relevant items.
//
//   - P@k: relevant items among the first k results, divided by k.
//     P@1 is P@k with k = 1.
//   - R-precision: P@R.
//   - MAP@R: (1/R) * sum over i = 1..R of P@i * rel(i), where rel(i) is 1
//     when the result at rank i is relevant.
//   - MRR: the mean over queries of 1 / (rank of the first relevant
//     result), over the whole ranking.
//
// Queries with R = 0 (the only item of their label, e.g. a class of size
// 1) are left out of every retrieval mean and counted in Skipped, as
// AccuracyCalculator leaves out "lone" queries. Means are over queries
// (micro), with per-label means beside them.
//
// Ties: results with equal scores are ordered pessimistically, every
// non-relevant item before every relevant one. The order is deterministic,
// does not depend on how the items happen to be numbered (ordering ties by
// id would credit or penalise an embedding for the order of the files),
// and never credits an embedding for scores it cannot tell apart: a query
// whose scores are all equal (e.g. all 0, a point outside every cluster)
// gets P@k = 0. The figures are therefore lower bounds when ties occur.
//
// Clustering: NMI and AMI of a predicted assignment (lsconf: the
// nearest-cluster label) against the true labels, with natural logarithms
// and arithmetic normalisation (the mean of the two entropies), and AMI
// with the exact expected mutual information under the permutation model
// (Vinh, Epps and Bailey, JMLR 2010), as scikit-learn's
// normalized_mutual_info_score and adjusted_mutual_info_score with their
// defaults, including their conventions for degenerate labelings.
//
// Open set: AUROC of a score meant to be higher for "outside" items
// (positives) than for known ones (negatives), ties counted half (the
// Mann-Whitney statistic), and the false-positive rate at 95% true-positive
// rate: the share of negatives scoring at or above the highest threshold
// that keeps at least 95% of the positives at or above it (tied scores
// pass or fail a threshold together, as in scikit-learn's roc_curve).
package metrics
