package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
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
