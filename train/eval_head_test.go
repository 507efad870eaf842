package train

import (
	"math"
	"testing"
)

func TestHeadClassAndConfidence(t *testing.T) {
	logits := []float32{0, float32(math.Log(3)), 0}
	if c := HeadClass(logits); c != 1 {
		t.Fatalf("HeadClass = %d, want 1", c)
	}
	// softmax = (1, 3, 1)/5
	if p := HeadConfidence(logits); math.Abs(p-0.6) > 1e-6 {
		t.Fatalf("HeadConfidence = %v, want 0.6", p)
	}
	if c := HeadClass([]float32{2, 2, 1}); c != 0 {
		t.Fatalf("ties: HeadClass = %d, want the first, 0", c)
	}
}
