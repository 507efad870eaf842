package train

import (
	"errors"
	"testing"

	"github.com/lsconf/lsconf/data"
)

// TestCheckHash: a run's sets with one pixel changed since training are
// reported (eval refuses them unless --force-data).
func TestCheckHash(t *testing.T) {
	g := &data.GraySet{ClassNames: []string{"a", "b"}, Pix: make([]uint8, 4*data.Pixels), Labels: []int{0, 1, 0, 1}, Name: "t"}
	sets := Sets{Train: g, Test: g}
	h, err := DataHash(sets)
	if err != nil {
		t.Fatal(err)
	}
	d := DataInfo{Hash: h}
	if err := d.CheckHash(sets); err != nil {
		t.Fatalf("same data: %v", err)
	}
	g.Pix[5] = 1
	if err := d.CheckHash(sets); !errors.Is(err, ErrDataChanged) {
		t.Fatalf("changed pixel: %v, want ErrDataChanged", err)
	}
	if err := (DataInfo{}).CheckHash(sets); err != nil {
		t.Fatalf("no recorded hash: %v", err)
	}
}
