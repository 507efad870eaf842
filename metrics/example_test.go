package metrics_test

import (
	"fmt"
	"math"

	"github.com/lsconf/lsconf/metrics"
)

func ExampleEvaluate() {
	// four points on a line, two classes; score = -distance
	x := []float64{0, 1, 5, 7}
	labels := []int{0, 0, 1, 1}
	r, _ := metrics.Evaluate(labels, func(q int, dst []float64) {
		for i := range x {
			dst[i] = -math.Abs(x[i] - x[q])
		}
	}, metrics.Options{K: 2})
	fmt.Printf("P@1 %.2f  P@2 %.2f  MAP@R %.2f  MRR %.2f\n", r.P1, r.PK, r.MAPR, r.MRR)
	// Output: P@1 1.00  P@2 0.50  MAP@R 1.00  MRR 1.00
}

func ExampleCluster() {
	// by hand: MI = NMI * (ln 3 + H(2/6, 4/6)) / 2 = 0.6365 nats, EMI = 0.2668
	// (hypergeometric), AMI = (0.6365 - 0.2668) / (0.8676 - 0.2668)
	c, _ := metrics.Cluster([]int{0, 0, 1, 1, 2, 2}, []int{0, 0, 1, 1, 1, 1})
	fmt.Printf("NMI %.4f  AMI %.4f\n", c.NMI, c.AMI)
	// Output: NMI 0.7337  AMI 0.6154
}

func ExampleDetect() {
	o, _ := metrics.Detect([]float64{3, 2, 2}, []float64{2, 1, 0})
	fmt.Printf("AUROC %.4f  FPR@95%%TPR %.4f\n", o.AUROC, o.FPRAt95TPR)
	// Output: AUROC 0.8889  FPR@95%TPR 0.3333
}
