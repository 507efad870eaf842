package latent

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The reference vectors are independent float64 values made by
// testdata/make_vectors.py (numpy). testdata/vectors.json is a copy of the
// project's shared/reference/vectors.json; when the shared folder is next
// to the checkout, the copy is checked against it.

type refVectors struct {
	Params struct {
		NC  int     `json:"n_c"`
		DC  float64 `json:"d_c"`
		RC  float64 `json:"r_c"`
		BC  float64 `json:"b_c"`
		KG  float64 `json:"k_g"`
		Rd  float64 `json:"R_d"`
		Kb  float64 `json:"k_b"`
		Rd2 float64 `json:"R_d_closed_form_2dc_sin_pi_over_nc"`
	} `json:"params"`
	Centers [][]float64 `json:"centers"`
	FD      struct {
		X    []float64 `json:"x"`
		R034 []float64 `json:"r=0.34"`
		R2   []float64 `json:"r=2"`
	} `json:"f_d"`
	LG struct {
		Z       [][]float64 `json:"z"`
		Y       []int       `json:"y"`
		DistOwn []float64   `json:"dist_to_own_center"`
		PerFD   []float64   `json:"per_sample_f_d"`
		Sum     float64     `json:"L_G_sum"`
		Mean    float64     `json:"L_G_mean"`
		KGSum   float64     `json:"k_g_times_L_G_sum"`
	} `json:"L_G"`
	V []struct {
		Name string    `json:"name"`
		Z    []float64 `json:"z"`
		D    []float64 `json:"d"`
		V    []float64 `json:"v"`
	} `json:"v"`
	Sim []struct {
		A   string   `json:"a"`
		B   string   `json:"b"`
		Sim *float64 `json:"sim"`
	} `json:"sim"`
	Polar []struct {
		InputDeg       float64   `json:"input_deg"`
		Z              []float64 `json:"z"`
		PhiDeg         float64   `json:"phi_deg"`
		ResidueDeg     float64   `json:"residue_deg"`
		Shifted        bool      `json:"shifted"`
		FloatSensitive bool      `json:"float_sensitive"`
		ZNew           []float64 `json:"z_new"`
	} `json:"polar"`
}

func loadRef(t *testing.T) *refVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatalf("read reference vectors: %v", err)
	}
	if shared, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference", "vectors.json")); err == nil {
		if !bytes.Equal(b, shared) {
			t.Fatalf("latent/testdata/vectors.json differs from shared/reference/vectors.json: copy the shared file again")
		}
	}
	var r refVectors
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("parse reference vectors: %v", err)
	}
	return &r
}

// rel1e9 checks got against want to 1e-9 relative; scale sets the absolute
// floor for values near zero (the magnitude of the quantity's vector).
func rel1e9(t *testing.T, what string, got, want, scale float64) {
	t.Helper()
	tol := 1e-9 * math.Max(math.Abs(want), scale)
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.17g, want %.17g (diff %.3g > %.3g)", what, got, want, math.Abs(got-want), tol)
	}
}

func paperLayout(t *testing.T) *Layout {
	t.Helper()
	l, err := Circle(PaperNC, PaperDC, PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestReferenceParams(t *testing.T) {
	ref := loadRef(t)
	l, err := Circle(ref.Params.NC, ref.Params.DC, ref.Params.RC)
	if err != nil {
		t.Fatal(err)
	}
	rel1e9(t, "R_d", l.Rd(), ref.Params.Rd, 0)
	rel1e9(t, "R_d closed form", l.Rd(), ref.Params.Rd2, 0)
	rel1e9(t, "k_b", l.Kb(), ref.Params.Kb, 0)
	rel1e9(t, "b_c", l.Bc(), ref.Params.BC, 0)
	rel1e9(t, "k_g", PaperKG, ref.Params.KG, 0)
	for i, c := range ref.Centers {
		for k := range c {
			rel1e9(t, "centre", l.Center(i)[k], c[k], ref.Params.DC)
		}
	}
}

func TestReferenceFD(t *testing.T) {
	ref := loadRef(t)
	for i, x := range ref.FD.X {
		rel1e9(t, "f_d(x, 0.34)", FD(x, 0.34), ref.FD.R034[i], 1)
		rel1e9(t, "f_d(x, 2)", FD(x, 2), ref.FD.R2[i], 1)
	}
}

func TestReferenceLG(t *testing.T) {
	ref := loadRef(t)
	l := paperLayout(t)
	for j, z := range ref.LG.Z {
		d, err := l.Distances(z)
		if err != nil {
			t.Fatal(err)
		}
		rel1e9(t, "distance to own centre", d[ref.LG.Y[j]], ref.LG.DistOwn[j], 1)
		rel1e9(t, "per-sample f_d", FD(d[ref.LG.Y[j]], PaperRC), ref.LG.PerFD[j], 1)
	}
	sum, err := l.LG(ref.LG.Z, ref.LG.Y, Sum)
	if err != nil {
		t.Fatal(err)
	}
	rel1e9(t, "L_G sum", sum, ref.LG.Sum, 0)
	rel1e9(t, "k_g L_G", PaperKG*sum, ref.LG.KGSum, 0)
	mean, err := l.LG(ref.LG.Z, ref.LG.Y, Mean)
	if err != nil {
		t.Fatal(err)
	}
	rel1e9(t, "L_G mean", mean, ref.LG.Mean, 0)
}

func TestReferenceV(t *testing.T) {
	ref := loadRef(t)
	l := paperLayout(t)
	for _, p := range ref.V {
		d, err := l.Distances(p.Z)
		if err != nil {
			t.Fatal(err)
		}
		v, err := l.V(p.Z)
		if err != nil {
			t.Fatal(err)
		}
		for i := range v {
			rel1e9(t, p.Name+" d", d[i], p.D[i], 1)
			rel1e9(t, p.Name+" v", v[i], p.V[i], 1)
		}
		v32 := make([]float32, l.NC())
		l.V32([]float32{float32(p.Z[0]), float32(p.Z[1])}, v32)
		for i := range v32 {
			if math.Abs(float64(v32[i])-p.V[i]) > 1e-5 {
				t.Errorf("%s V32[%d] = %v, want %v", p.Name, i, v32[i], p.V[i])
			}
		}
	}
}

func TestReferenceSim(t *testing.T) {
	ref := loadRef(t)
	l := paperLayout(t)
	vs := map[string][]float64{}
	for _, p := range ref.V {
		v, err := l.V(p.Z)
		if err != nil {
			t.Fatal(err)
		}
		vs[p.Name] = v
	}
	for _, c := range ref.Sim {
		got, ok := SimOK(vs[c.A], vs[c.B])
		if c.Sim == nil {
			// Reference 0/0: our convention is sim 0, reported as outside.
			if ok || got != 0 {
				t.Errorf("sim(%s, %s) = %v ok=%v, want 0 and not ok (both outside)", c.A, c.B, got, ok)
			}
			if !Outside(vs[c.A]) || !Outside(vs[c.B]) {
				t.Errorf("%s and %s should be outside the configured space", c.A, c.B)
			}
			continue
		}
		if !ok {
			t.Errorf("sim(%s, %s) not ok, want %v", c.A, c.B, *c.Sim)
		}
		rel1e9(t, "sim("+c.A+", "+c.B+")", got, *c.Sim, 1)
		s32 := Sim32(f32(vs[c.A]), f32(vs[c.B]))
		if math.Abs(float64(s32)-*c.Sim) > 1e-6 {
			t.Errorf("Sim32(%s, %s) = %v, want %v", c.A, c.B, s32, *c.Sim)
		}
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func TestReferencePolar(t *testing.T) {
	ref := loadRef(t)
	s := PaperEq6()
	agree := 0
	for _, row := range ref.Polar {
		phi := math.Atan2(row.Z[1], row.Z[0])
		x, y, err := s.Apply(row.Z[0], row.Z[1])
		if err != nil {
			t.Fatal(err)
		}
		if s.IsProhibitedPoint(x, y) {
			t.Errorf("input %v deg: output (%v, %v) is in a prohibited range", row.InputDeg, x, y)
		}
		if row.FloatSensitive {
			// Within rounding of a sector boundary: exact math and float64
			// may disagree on the shift; the output must be one of the two
			// answers and lie in no prohibited range (checked above).
			rot := math.Atan2(row.Z[1], row.Z[0]) + math.Pi/6
			isPlain := math.Abs(x-row.Z[0]) < 1e-8 && math.Abs(y-row.Z[1]) < 1e-8
			isRot := math.Abs(x-math.Cos(rot)) < 1e-8 && math.Abs(y-math.Sin(rot)) < 1e-8
			if !isPlain && !isRot {
				t.Errorf("input %v deg (float-sensitive): output (%v, %v) is neither the input nor its pi/6 rotation", row.InputDeg, x, y)
			}
			if s.Shifted(phi) == row.Shifted {
				agree++
			} else {
				t.Logf("input %v deg (float-sensitive): atan2 here %.17g rad, numpy's %.17g deg; shifted here %v, numpy %v",
					row.InputDeg, phi, row.PhiDeg, s.Shifted(phi), row.Shifted)
			}
			continue
		}
		rel1e9(t, "phi", phi*180/math.Pi, row.PhiDeg, 180)
		if got := s.Shifted(phi); got != row.Shifted {
			t.Errorf("input %v deg: shifted = %v, want %v", row.InputDeg, got, row.Shifted)
		}
		if got := FloorMod(FloorMod(phi, math.Pi/3), 2*math.Pi/9) * 180 / math.Pi; math.Abs(got-row.ResidueDeg) > 1e-9*60 {
			t.Errorf("input %v deg: residue %v deg, want %v", row.InputDeg, got, row.ResidueDeg)
		}
		rel1e9(t, "z_new[0]", x, row.ZNew[0], 1)
		rel1e9(t, "z_new[1]", y, row.ZNew[1], 1)
	}
	t.Logf("float-sensitive rows whose shift decision matches numpy's bit for bit: %d", agree)
}
