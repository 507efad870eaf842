package web_test

import (
	"image/png"
	"net/http"
	"testing"
)

// TestAPIDecode asks the fake decoder for the image of a point: a 96x96
// PNG whose brightness the fake encoder maps back to the point's angle;
// a malformed point is a 400.
func TestAPIDecode(t *testing.T) {
	f := newFixture(t, 2, false)
	r, err := http.Get(f.srv.URL + "/api/decode?z=0.85,0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("status %d, type %q", r.StatusCode, r.Header.Get("Content-Type"))
	}
	img, err := png.Decode(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 96 || b.Dy() != 96 {
		t.Errorf("decoded image %v, want 96x96", b)
	}
	// Angle 0 is brightness (0 + pi/5) / 2pi = 0.1.
	if g, _, _, _ := img.At(40, 40).RGBA(); g>>8 < 20 || g>>8 > 32 {
		t.Errorf("decoded brightness %d of 255, want ~26", g>>8)
	}
	for _, bad := range []string{"", "1", "x,y", "1,2,3"} {
		r, err := http.Get(f.srv.URL + "/api/decode?z=" + bad)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("z=%q: status %d, want 400", bad, r.StatusCode)
		}
	}
}
