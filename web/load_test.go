package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/web"
)

// netModel is an index.Model over a model.Net of the Table 1 SAE (random
// weights: the cost of an encoding does not depend on them).
type netModel struct {
	net    *model.Net
	layout *latent.Layout
	// padded makes every call encode model.InferBatch images, one call at
	// a time: how the server encoded before batching (the peer).
	padded bool
	mu     sync.Mutex
}

func (m *netModel) ID() string               { return "bench-w8" }
func (m *netModel) Layout() *latent.Layout   { return m.layout }
func (m *netModel) Classes() []string        { return indextest.Classes }
func (m *netModel) Sectors() *latent.Sectors { return nil }
func (m *netModel) Encode(images []float32, n int) ([]float32, error) {
	if !m.padded {
		z, _, err := m.net.Infer(images, n)
		return z, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []float32
	for i := 0; i < n; i++ {
		buf := make([]float32, model.InferBatch*index.Pixels)
		copy(buf, images[i*index.Pixels:(i+1)*index.Pixels])
		z, _, err := m.net.Infer(buf, model.InferBatch)
		if err != nil {
			return nil, err
		}
		out = append(out, z[:len(z)/model.InferBatch]...)
	}
	return out, nil
}

// benchIndex is the width-8 model (random weights) and an index of 40
// images a class built with it, in tmp.
func benchIndex(b *testing.B, tmp string) (*index.DB, *model.Net, *latent.Layout, string) {
	b.Helper()
	be, err := engine.New(engine.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(be.Finalize)
	l, err := latent.Circle(len(indextest.Classes), latent.PaperDC, latent.PaperRC)
	if err != nil {
		b.Fatal(err)
	}
	cfg := model.Config{NC: len(indextest.Classes), ND: 2, Width: 8}
	w, err := model.Init(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	net, err := model.NewNet(be, cfg, w)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { net.Close() })
	db, err := index.Open(filepath.Join(tmp, "idx.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	dir := filepath.Join(tmp, "market")
	if _, err := indextest.WriteCollection(dir, 40, 1); err != nil {
		b.Fatal(err)
	}
	batched := &netModel{net: net, layout: l}
	if _, err := db.IndexFolder(context.Background(), batched, dir, index.Options{}); err != nil {
		b.Fatal(err)
	}
	return db, net, l, dir
}

// BenchmarkImageUploads serves an index on 127.0.0.1
// and has 20 concurrent clients upload 32x32 PNG queries, with the width-8
// model: batched (this server: queued uploads encoded as one batch, graphs
// sized for the batch) against the peer measured in the same run (each
// upload encoded alone, padded to a 64-image batch, one at a time). It
// reports uploads/s, p50 and p99 latency, and the speed-up. The work is
// bounded: 20 clients x 3 uploads for the peer, 20 x 30 batched, per
// iteration; run with -benchtime=1x.
func BenchmarkImageUploads(b *testing.B) {
	db, net, l, dir := benchIndex(b, b.TempDir())
	batched := &netModel{net: net, layout: l}
	png, err := os.ReadFile(filepath.Join(dir, indextest.Classes[0], "0000.png"))
	if err != nil {
		entries, _ := os.ReadDir(filepath.Join(dir, indextest.Classes[0]))
		png, err = os.ReadFile(filepath.Join(dir, indextest.Classes[0], entries[0].Name()))
		if err != nil {
			b.Fatal(err)
		}
	}
	const clients = 20
	var rates [2]float64
	for i, c := range []struct {
		name    string
		m       *netModel
		perUser int
	}{
		{"peer-padded64-serial", &netModel{net: net, layout: l, padded: true}, 3},
		{"batched", batched, 30},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, err := web.New(web.Config{DB: db, Model: c.m})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(s) // 127.0.0.1 only
			defer srv.Close()
			for b.Loop() {
				lat, el := uploadLoad(b, srv.URL+"/api/search/image?k=10", png, clients, c.perUser)
				rate := float64(len(lat)) / el.Seconds()
				rates[i] = rate
				b.ReportMetric(rate, "uploads/s")
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
			}
		})
	}
	if rates[0] > 0 && rates[1] > 0 {
		fmt.Printf("image uploads, width 8, %d clients: batched %.1f/s, peer %.2f/s, speed-up %.1fx\n", clients, rates[1], rates[0], rates[1]/rates[0])
	}
}

// uploadLoad has clients concurrent clients post perUser image queries
// each to url and returns the sorted latencies and the elapsed time; a
// failed upload fails the benchmark. The multipart body is built once and
// each client sends it (a client on another machine builds its own; here
// the load generator shares the server's cores, and takes as little of
// them as it can).
func uploadLoad(b *testing.B, url string, img []byte, clients, perUser int) ([]time.Duration, time.Duration) {
	body, ct := multipartBody(b, [2]string{"image", string(img)})
	var mu sync.Mutex
	var lat []time.Duration
	var failed int
	start := time.Now()
	var wg sync.WaitGroup
	for u := 0; u < clients; u++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < perUser; k++ {
				t0 := time.Now()
				code, _ := uploadB(url, body, ct)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if code != 200 {
					failed++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if failed > 0 {
		b.Fatalf("%d of %d uploads failed", failed, len(lat))
	}
	slices.Sort(lat)
	return lat, el
}

// uploadB posts one multipart body and returns the status.
func uploadB(url string, body []byte, contentType string) (int, error) {
	r, err := http.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r.StatusCode, nil
}

// BenchmarkJPEGUploads has 20 concurrent clients upload photo-like JPEGs
// (1024x768 and 4000x3000) to a server with the width-8 model, 20 and 10
// uploads each per iteration (400 and 200 uploads; run with
// -benchtime=1x). It reports uploads/s, p50,
// p99 and the largest latency, the process's CPU time per upload (server
// and clients, user + system: on a loaded machine it says more than the
// wall time) and its peak RSS (VmHWM, which includes the benchmark's own
// JPEG encoding).
func BenchmarkJPEGUploads(b *testing.B) {
	db, net, l, _ := benchIndex(b, b.TempDir())
	s, err := web.New(web.Config{DB: db, Model: &netModel{net: net, layout: l}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	const clients = 20
	for _, sz := range []struct{ w, h, noise, q, perUser int }{{1024, 768, 64, 90, 20}, {4000, 3000, 24, 90, 10}} {
		j, err := indextest.PhotoJPEG(sz.w, sz.h, sz.noise, sz.q, 1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dx%d-%dKB", sz.w, sz.h, len(j)>>10), func(b *testing.B) {
			for b.Loop() {
				c0 := cpuTime()
				lat, el := uploadLoad(b, srv.URL+"/api/search/image?k=10", j, clients, sz.perUser)
				b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(len(lat)), "cpu-ms/upload")
				b.ReportMetric(float64(len(lat))/el.Seconds(), "uploads/s")
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
				b.ReportMetric(float64(lat[len(lat)-1].Milliseconds()), "max-ms")
				b.ReportMetric(float64(vmHWM()>>20), "peak-RSS-MiB")
			}
		})
	}
}

// cpuTime is the process's CPU time (user + system, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident set size in bytes (Linux; 0
// elsewhere).
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
