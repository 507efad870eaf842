package data_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
)

func TestLoadSource(t *testing.T) {
	ctx := context.Background()
	gen, err := data.LoadSource(ctx, data.BuiltinGen, 3, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := data.Textures(ctx, data.TextureConfig{Set: data.GenSet, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if gen.Len() != want.Len() || strings.Join(gen.Classes(), ",") != strings.Join(want.Classes(), ",") {
		t.Fatalf("builtin-gen: %d images %v, want %d %v", gen.Len(), gen.Classes(), want.Len(), want.Classes())
	}
	a, b := make([]float32, data.Pixels), make([]float32, data.Pixels)
	gen.Image(5, a)
	want.Image(5, b)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("builtin-gen image 5 differs from Textures(GenSet, 3) at %d", i)
		}
	}
	if _, err := data.LoadSource(ctx, "", 1, data.LoadOptions{}); !errors.Is(err, data.ErrNoSource) {
		t.Fatalf("empty source: %v", err)
	}
	if _, err := data.LoadSource(ctx, t.TempDir()+"/missing", 1, data.LoadOptions{}); err == nil {
		t.Fatal("missing folder accepted")
	}
}
