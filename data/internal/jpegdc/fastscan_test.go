package jpegdc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// samePixels reports whether a and b are the same image (bounds and
// colours).
func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// checkSame decodes j with the fast scan (DecodeBytes) and the reader path
// (Decode) and fails unless both refuse it or both give the same image. A
// progressive file whose AC scans the reader path refuses may decode with
// DecodeBytes, which does not read them.
func checkSame(t *testing.T, name string, j []byte) (ok bool) {
	t.Helper()
	fast, ferr := DecodeBytes(j)
	slow, serr := Decode(bytes.NewReader(j))
	if ferr == nil && serr != nil && progressive(j) {
		return true
	}
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("%s: fast scan error %v, reader error %v", name, ferr, serr)
	}
	if ferr != nil {
		return false
	}
	if !samePixels(fast, slow) {
		t.Fatalf("%s: the fast scan's image differs from the reader's", name)
	}
	return true
}

// progressive reports whether j's frame header is progressive.
func progressive(j []byte) bool {
	var d decoder
	d.decode(bytes.NewReader(j), true)
	return d.progressive
}

// photo is a random JPEG of w x h (gray or colour) with smooth gradients
// and noise of the given amplitude.
func photo(t testing.TB, rng *rand.Rand, w, h, noise, q int, gray bool) []byte {
	t.Helper()
	var src image.Image
	if gray {
		g := image.NewGray(image.Rect(0, 0, w, h))
		for i := range g.Pix {
			g.Pix[i] = uint8((i%w)*255/w + rng.IntN(noise+1))
		}
		src = g
	} else {
		c := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c.SetRGBA(x, y, color.RGBA{uint8(x*255/w + rng.IntN(noise+1)), uint8(y*255/h + rng.IntN(noise+1)), uint8(rng.IntN(noise + 1)), 255})
			}
		}
		src = c
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFastScanMatchesReader: the fast scan gives exactly the reader
// path's image for Go's JPEG test files (every chroma subsampling, a
// restart interval, RGB, CMYK, gray; progressive files, of which
// DecodeBytes keeps the DC coefficients only) and for random photos of
// many sizes and qualities; on truncated and corrupted files both refuse
// or both give the same image (but see checkSame).
func TestFastScanMatchesReader(t *testing.T) {
	files, err := filepath.Glob("testdata/*.jpeg")
	if err != nil || len(files) < 20 {
		t.Fatalf("test files: %d, %v", len(files), err)
	}
	var inputs [][]byte
	decoded := 0
	for _, f := range files {
		j, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkSame(t, f, j) {
			decoded++
		}
		inputs = append(inputs, j)
	}
	if decoded < len(files)-1 { // one file is truncated
		t.Fatalf("only %d of %d test files decoded", decoded, len(files))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 24; i++ {
		w, h := 8+rng.IntN(300), 8+rng.IntN(200)
		q := []int{1, 30, 75, 90, 100}[i%5]
		j := photo(t, rng, w, h, []int{0, 8, 64, 255}[i%4], q, i%3 == 0)
		if !checkSame(t, "photo", j) {
			t.Fatalf("photo %dx%d q%d refused", w, h, q)
		}
		inputs = append(inputs, j)
	}
	// Truncated and corrupted copies: both paths agree, and nothing
	// panics.
	refused := 0
	for _, j := range inputs {
		for k := 0; k < 6; k++ {
			c := bytes.Clone(j[:len(j)*(k+1)/7])
			if !checkSame(t, "truncated", c) {
				refused++
			}
			c = bytes.Clone(j)
			for n := 0; n < 1+k; n++ {
				c[len(c)/4+rng.IntN(len(c)*3/4)] = byte(rng.IntN(256))
			}
			checkSame(t, "corrupted", c)
		}
	}
	if refused == 0 {
		t.Fatal("no truncated file was refused")
	}
}

// TestFastScanRestartResync: a restart interval whose data is followed by
// stray bytes before its RST marker resyncs at the marker, as the reader
// path does.
func TestFastScanRestartResync(t *testing.T) {
	j, err := os.ReadFile("testdata/video-001.restart2.jpeg")
	if err != nil {
		t.Fatal(err)
	}
	// Insert two non-marker bytes before the first RST0 marker.
	i := bytes.Index(j, []byte{0xff, rst0Marker})
	if i < 0 {
		t.Fatal("no RST0 marker")
	}
	c := append(append(bytes.Clone(j[:i]), 0x12, 0x34), j[i:]...)
	if !checkSame(t, "stray bytes before RST0", c) {
		t.Fatal("stray bytes before a restart marker refused")
	}
}

// cpuTime is the process's CPU time (user + system, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkScan compares the fast scan with the reader path on a
// 1024x768 photo-like JPEG (quality 90, noise 64); -benchtime 20x. It
// reports MB/s of JPEG and cpu-ms/op, the CPU time per decode (on a loaded
// machine it says more than the wall time).
func BenchmarkScan(b *testing.B) {
	j := photo(b, rand.New(rand.NewPCG(1, 2)), 1024, 768, 64, 90, false)
	b.Logf("%d bytes", len(j))
	for _, c := range []struct {
		name string
		dec  func() (image.Image, error)
	}{
		{"reader", func() (image.Image, error) { return Decode(bytes.NewReader(j)) }},
		{"fast", func() (image.Image, error) { return DecodeBytes(j) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			t0, c0 := time.Now(), cpuTime()
			for b.Loop() {
				if _, err := c.dec(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(j))*float64(b.N)/time.Since(t0).Seconds()/1e6, "MB/s")
			b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}

// FuzzFastScan: on any input the fast scan and the reader path agree
// (both refuse, or the same image), and neither panics.
func FuzzFastScan(f *testing.F) {
	for _, name := range []string{"video-001.q50.420.jpeg", "video-001.restart2.jpeg", "video-005.gray.q50.jpeg", "video-001.q50.444.jpeg", "video-001.separate.dc.progression.jpeg"} {
		j, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(j)
	}
	f.Fuzz(func(t *testing.T, j []byte) {
		if cfg, err := DecodeConfig(bytes.NewReader(j)); err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		checkSame(t, "fuzz", j)
	})
}

// TestProgressiveDCOnly: a progressive file in memory keeps 4 bytes a
// block (its DC coefficients), not the 256 of every coefficient: decoding
// Go's progressive test files allocates under a quarter of what the
// reader path does, for the same image.
func TestProgressiveDCOnly(t *testing.T) {
	files, _ := filepath.Glob("testdata/*progressive.jpeg")
	if len(files) < 5 {
		t.Fatalf("%d progressive test files", len(files))
	}
	alloc := func(f func()) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f()
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	for _, f := range files {
		j, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !progressive(j) || !checkSame(t, f, j) {
			t.Fatalf("%s: not a progressive file that decodes", f)
		}
		fast := alloc(func() { DecodeBytes(j) })
		slow := alloc(func() { Decode(bytes.NewReader(j)) })
		if fast*4 > slow {
			t.Fatalf("%s: DecodeBytes allocated %d bytes, the reader path %d", f, fast, slow)
		}
	}
}

// TestFastScanJPEGTranVariants: large photos rewritten by libjpeg-turbo's
// jpegtran (optimised Huffman tables, a restart marker every MCU row,
// progressive) decode to the reader path's image with DecodeBytes; it logs
// the CPU time of both. Skipped without jpegtran (scripts/setup.sh
// installs Debian's libjpeg-turbo-progs).
func TestFastScanJPEGTranVariants(t *testing.T) {
	jt, err := exec.LookPath("jpegtran")
	if err != nil {
		t.Skip("jpegtran is not installed (libjpeg-turbo-progs)")
	}
	sizes := [][2]int{{1024, 768}}
	if !testing.Short() {
		sizes = append(sizes, [2]int{4000, 3000})
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, sz := range sizes {
		base := photo(t, rng, sz[0], sz[1], 32, 90, false)
		for _, v := range []struct {
			name string
			args []string
		}{{"baseline", nil}, {"optimised", []string{"-optimize"}}, {"restart every row", []string{"-restart", "1"}}, {"progressive", []string{"-progressive"}}} {
			cmd := exec.Command(jt, v.args...)
			cmd.Stdin = bytes.NewReader(base)
			j, err := cmd.Output()
			if err != nil {
				t.Fatalf("jpegtran %v: %v", v.args, err)
			}
			if progressive(j) != (v.name == "progressive") {
				t.Fatalf("%s: progressive %v", v.name, progressive(j))
			}
			if !checkSame(t, v.name, j) {
				t.Fatalf("%dx%d %s refused", sz[0], sz[1], v.name)
			}
			fast, slow := cpuPer(func() { DecodeBytes(j) }), cpuPer(func() { Decode(bytes.NewReader(j)) })
			t.Logf("%dx%d %s (%d KB): DecodeBytes %.1f cpu-ms, reader path %.1f cpu-ms (%.1fx)", sz[0], sz[1], v.name, len(j)>>10, fast, slow, slow/fast)
		}
	}
}

// cpuPer is the CPU time of f in ms, the least of 3 runs.
func cpuPer(f func()) float64 {
	best := math.Inf(1)
	for i := 0; i < 3; i++ {
		c0 := cpuTime()
		f()
		best = min(best, float64(cpuTime()-c0)/1e6)
	}
	return best
}
