package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// TestImageRouteStreams: /api/image/{id} streams the file: 8 concurrent
// requests of a 32 MiB file (a PNG padded after its end) allocate far less
// than one copy of it, and the bytes arrive whole.
func TestImageRouteStreams(t *testing.T) {
	f := newFixture(t, 2, false)
	ctx := context.Background()
	id, err := f.db.RecordID(ctx, "market", "dots/dots_000.png")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(f.tmp, "market", "dots", "dots_000.png")
	const pad = 32 << 20
	fh, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.Write(make([]byte, pad)); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	st, _ := os.Stat(p)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const clients = 8
	var wg sync.WaitGroup
	got := make([]int64, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := http.Get(f.srv.URL + "/api/image/" + strconv.FormatInt(id, 10))
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Body.Close()
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("status %d, type %q", r.StatusCode, r.Header.Get("Content-Type"))
			}
			got[i], _ = io.Copy(io.Discard, r.Body)
		}()
	}
	wg.Wait()
	runtime.ReadMemStats(&after)
	for i, n := range got {
		if n != st.Size() {
			t.Fatalf("client %d got %d bytes, the file has %d", i, n, st.Size())
		}
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > pad/2 {
		t.Fatalf("%d clients of a %d MiB file allocated %d MiB: the route holds files in memory", clients, pad>>20, alloc>>20)
	}
}

// failAfter is a model whose Encode fails after ok calls.
type failAfter struct {
	*indextest.Fake
	ok int
}

func (f *failAfter) Encode(images []float32, n int) ([]float32, error) {
	if f.ok == 0 {
		return nil, errors.New("no space left on device")
	}
	f.ok--
	return f.Fake.Encode(images, n)
}

// TestInfoMarksPartial: a collection whose indexing stopped early is
// marked partial in /api/info and /api/collections.
func TestInfoMarksPartial(t *testing.T) {
	f := newFixture(t, 2, false)
	dir := filepath.Join(f.tmp, "cut")
	if _, err := indextest.WriteCollection(dir, 3, 9); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.IndexFolder(context.Background(), &failAfter{Fake: indextest.NewFake(), ok: 1}, dir, index.Options{Batch: 2}); err == nil {
		t.Fatal("indexing with a failing model succeeded")
	}
	for _, route := range []string{"/api/info", "/api/collections"} {
		r, err := http.Get(f.srv.URL + route)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Collections []index.Collection `json:"collections"`
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if route == "/api/collections" {
			err = json.Unmarshal(b, &body.Collections)
		} else {
			err = json.Unmarshal(b, &body)
		}
		if err != nil {
			t.Fatalf("%s: %v in %s", route, err, b)
		}
		marked := map[string]bool{}
		for _, c := range body.Collections {
			marked[c.Name] = c.Partial
		}
		if !marked["cut"] || marked["market"] || len(marked) != 3 {
			t.Fatalf("%s: partial marks %v, want only cut", route, marked)
		}
	}
}
