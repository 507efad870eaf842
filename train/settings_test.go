package train

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTypedSettings: the string settings of a run are typed; a name is
// checked once, where it is read (run.json here, a flag in the CLI), and
// the recorded JSON is the plain name, as before they were typed.
func TestTypedSettings(t *testing.T) {
	good := `{"mode":"ce+g","encoder":"sectors","width":8,"epochs":1,"batch_size":64,"lr":0.001,"lr_schedule":"cosine","k_g":0.2,"head":"dense","lg_reduction":"mean","seed":1,"bn_momentum":0.1,"bn_epsilon":0.00001}`
	var c Config
	if err := json.Unmarshal([]byte(good), &c); err != nil {
		t.Fatal(err)
	}
	if c.Encoder != "sectors" || c.LRSchedule != "cosine" || c.LGReduction.Reduction().String() != "mean" {
		t.Fatalf("read %+v", c)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var in, out map[string]any
	json.Unmarshal([]byte(good), &in)
	json.Unmarshal(b, &out)
	for k, v := range in {
		if out[k] != v {
			t.Errorf("%s written back as %v, read as %v", k, out[k], v)
		}
	}
	for _, bad := range []struct{ name, field, value string }{
		{"schedule", "lr_schedule", "cosinus"},
		{"reduction", "lg_reduction", "median"},
		{"encoder", "encoder", "hyperbolic"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			js := strings.Replace(good, `"`+bad.field+`":"`, `"`+bad.field+`":"`+bad.value+`-`, 1)
			var c Config
			if err := json.Unmarshal([]byte(js), &c); err == nil {
				t.Fatalf("%s %q accepted: %+v", bad.field, bad.value, c)
			}
		})
	}
	var d DataInfo
	if err := json.Unmarshal([]byte(`{"split":"shipped","train_len":1,"test_len":1,"gen_len":0}`), &d); err != nil || d.Split != "shipped" {
		t.Fatalf("IDX split: %+v, %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"split":"sideways","train_len":1,"test_len":1,"gen_len":0}`), &d); err == nil {
		t.Fatal("split sideways accepted")
	}
}
