package train

import (
	"strings"
	"testing"

	"github.com/lsconf/lsconf/model"
)

func TestEpochLineLabelsUntrainedLG(t *testing.T) {
	m := MetricsLine{Epoch: 1, Train: TrainMeans{Loss: 0.5, CE: 0.5, LG: 5.155e15, Acc: 0.8}}
	ce := epochLine(m, 3, model.ModeCE)
	if !strings.Contains(ce, "diagnostic, not trained: L_G") || strings.Contains(ce, "ce 0.5 L_G") {
		t.Errorf("ce epoch line %q: L_G must be labelled a diagnostic", ce)
	}
	if g := epochLine(m, 3, model.ModeCEG); strings.Contains(g, "diagnostic") || !strings.Contains(g, "L_G 5.155e+15") {
		t.Errorf("ce+g epoch line %q", g)
	}
}
