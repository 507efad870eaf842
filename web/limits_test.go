package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/web"
)

// serve starts a server on f's index with cfg (DB filled in).
func serve(t *testing.T, f *fixture, cfg web.Config) (*web.Server, string) {
	t.Helper()
	cfg.DB = f.db
	s, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// TestSnapshotCacheBounded: filters that name the same
// collections share one snapshot, and distinct filters never hold more
// than MaxSnapshots.
func TestSnapshotCacheBounded(t *testing.T) {
	f := newFixture(t, 2, false)
	s, u := serve(t, f, web.Config{MaxSnapshots: 2})
	for n := 1; n <= 50; n++ {
		col := strings.TrimSuffix(strings.Repeat("market,", n), ",")
		if code, res := get(t, u+"/api/search/point?z=0.8,0&collection="+col); code != 200 || res.Searched != 10 {
			t.Fatalf("%d repeats: %d %+v", n, code, res)
		}
	}
	get(t, u+"/api/search/point?z=0.8,0&collection=+market+,,market")
	if n := web.CachedSnapshots(s); n != 1 {
		t.Fatalf("one collection spelled 51 ways: %d snapshots cached, want 1", n)
	}
	for _, col := range []string{"wildtrack", "market,wildtrack", "wildtrack,market", "", "market"} {
		if code, _ := get(t, u+"/api/search/point?z=0.8,0&collection="+url.QueryEscape(col)); code != 200 {
			t.Fatalf("collection %q: %d", col, code)
		}
		if n := web.CachedSnapshots(s); n > 2 {
			t.Fatalf("after %q: %d snapshots cached, the limit is 2", col, n)
		}
	}
}

// pngHeader is a PNG that declares w x h pixels of 16-bit RGBA (colour
// type 6, depth 16) but holds no pixel data: its header alone says what
// decoding it would cost.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		binary.Write(&b, binary.BigEndian, c.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 16, 6
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeBudget: an upload is refused from its header when
// its decoded size exceeds the budget (7000x7000 16-bit RGBA: 49 Mpx,
// under the 50 Mpx limit, 392 MB to decode, over a 256 MiB budget),
// before any decoding.
func TestDecodeBudget(t *testing.T) {
	f := newFixture(t, 2, false)
	_, u := serve(t, f, web.Config{Model: indextest.NewFake(), DecodeBudget: 256 << 20})
	code, res := upload(t, u+"/api/search/image", "bomb.png", pngHeader(7000, 7000))
	if code != 413 || !strings.Contains(res.Error, "MiB") {
		t.Fatalf("7000x7000 16-bit PNG: %d %q, want 413 refused by the decode budget", code, res.Error)
	}
	// A small budget refuses smaller images; within it they decode.
	_, u = serve(t, f, web.Config{Model: indextest.NewFake(), DecodeBudget: 1 << 20})
	if code, res := upload(t, u+"/api/search/image", "b.png", pngHeader(400, 400)); code != 413 {
		t.Fatalf("400x400 16-bit PNG with a 1 MiB budget: %d %q, want 413", code, res.Error)
	}
	b, _ := os.ReadFile(f.pngs["dots"])
	if code, res := upload(t, u+"/api/search/image", "q.png", b); code != 200 {
		t.Fatalf("32x32 PNG with a 1 MiB budget: %d %q", code, res.Error)
	}
}

// TestDecodeBudgetWaits: concurrent uploads share the budget; each fits
// alone and every one is answered.
func TestDecodeBudgetWaits(t *testing.T) {
	f := newFixture(t, 2, false)
	b, _ := os.ReadFile(f.pngs["dots"])
	// 32x32 gray PNG; the budget holds one at a time.
	one := index.DecodedBytes(image.Config{ColorModel: color.GrayModel, Width: 32, Height: 32})
	_, u := serve(t, f, web.Config{Model: indextest.NewFake(), DecodeBudget: one, DecodeSlots: 1})
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _ := upload(t, u+"/api/search/image", "q.png", b); code != 200 {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d of 8 concurrent uploads failed", bad.Load())
	}
}

// TestBodyLimits: every route's body is capped; a multipart body
// over the cap is refused with 413 and nothing is spooled to disk.
func TestBodyLimits(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := newFixture(t, 2, false)
	u := f.srv.URL
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("q", "dots")
	fw, _ := mw.CreateFormFile("junk", "z")
	fw.Write(make([]byte, 4<<20))
	mw.Close()
	r, err := http.Post(u+"/api/search/text", mw.FormDataContentType(), bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != 413 {
		t.Fatalf("4 MiB multipart to the text route: %d, want 413", r.StatusCode)
	}
	// Without a Content-Length (chunked), the cap still holds.
	r, err = http.Post(u+"/api/search/text", mw.FormDataContentType(), io.MultiReader(bytes.NewReader(body.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if r.StatusCode != 413 {
		t.Fatalf("chunked 4 MiB multipart to the text route: %d, want 413", r.StatusCode)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Fatalf("spooled to disk: %v", ents)
	}
	// A small form still works.
	r, err = http.PostForm(u+"/api/search/text", url.Values{"q": {"dots"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("small form: %d", r.StatusCode)
	}
	// Bodies on GET routes are capped too.
	req, _ := http.NewRequest("GET", u+"/api/info", bytes.NewReader(make([]byte, 1<<20)))
	r, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 413 {
		t.Fatalf("1 MiB body on GET /api/info: %d, want 413", r.StatusCode)
	}
}

// TestHostCheck: a request for a name other than loopback names
// (a DNS-rebinding page) is refused on every route; --allow-host names
// are served.
func TestHostCheck(t *testing.T) {
	f := newFixture(t, 2, false)
	do := func(u, host string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Host = host
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	for _, route := range []string{"/api/info", "/api/image/1", "/", "/api/search/text?q=dots"} {
		code, body := do(f.srv.URL+route, "attacker.test")
		if code != http.StatusMisdirectedRequest || strings.Contains(body, f.tmp) {
			t.Fatalf("Host attacker.test %s: %d %q", route, code, body)
		}
		for _, h := range []string{"localhost:8080", "127.0.0.1", "[::1]:80", "app.localhost"} {
			if code, body := do(f.srv.URL+route, h); code != 200 {
				t.Fatalf("Host %s %s: %d %q", h, route, code, body)
			}
		}
	}
	_, u := serve(t, f, web.Config{AllowHosts: []string{"lsconf.lan"}})
	if code, _ := do(u+"/api/info", "LSCONF.lan:8080"); code != 200 {
		t.Fatalf("allowed host: %d", code)
	}
	if code, _ := do(u+"/api/info", "other.lan"); code != http.StatusMisdirectedRequest {
		t.Fatalf("other host: %d", code)
	}
}

// TestSlowBodyTimesOut (slow bodies): a client that sends its
// headers and then a body too slowly is cut off.
func TestSlowBodyTimesOut(t *testing.T) {
	f := newFixture(t, 2, false)
	s, err := web.New(web.Config{DB: f.db})
	if err != nil {
		t.Fatal(err)
	}
	hs := web.NewHTTPServer(s, 300*time.Millisecond)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/search/text HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nq=do")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		_, err = c.Read(make([]byte, 1))
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server held a slow body for 10 s")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cut off after %v", d)
	}
}

// TestTextQueryNotEchoed: a huge word query gets a short error.
func TestTextQueryNotEchoed(t *testing.T) {
	f := newFixture(t, 2, false)
	q := strings.Repeat("leopard ", 6000)
	r, err := http.PostForm(f.srv.URL+"/api/search/text", url.Values{"q": {q}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 413 || len(b) > 2048 {
		t.Fatalf("48 KB query: %d, %d-byte answer", r.StatusCode, len(b))
	}
	// Within the limit, unknown words are named but the message is clipped.
	q = strings.Repeat("leopardx ", 450)
	r, err = http.PostForm(f.srv.URL+"/api/search/text", url.Values{"q": {q}})
	if err != nil {
		t.Fatal(err)
	}
	var out searchJSON
	json.NewDecoder(r.Body).Decode(&out)
	r.Body.Close()
	if r.StatusCode != 400 || len(out.Error) > 1024 || !strings.Contains(out.Error, "leopardx") {
		t.Fatalf("4 KB unknown words: %d, %d-byte error", r.StatusCode, len(out.Error))
	}
}

// countingModel counts Encode calls and the images in them.
type countingModel struct {
	*indextest.Fake
	mu     sync.Mutex
	calls  int
	images int
}

func (m *countingModel) Encode(images []float32, n int) ([]float32, error) {
	m.mu.Lock()
	m.calls++
	m.images += n
	m.mu.Unlock()
	return m.Fake.Encode(images, n)
}

// TestImageQueriesBatched: uploads that arrive together are
// encoded together, and each gets its own answer.
func TestImageQueriesBatched(t *testing.T) {
	f := newFixture(t, 4, false)
	fake := indextest.NewFake()
	fake.Delay = 50 * time.Millisecond
	m := &countingModel{Fake: fake}
	_, u := serve(t, f, web.Config{Model: m})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		cls := indextest.Classes[i%len(indextest.Classes)]
		b, _ := os.ReadFile(f.pngs[cls])
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, res := upload(t, u+"/api/search/image?k=3", "q.png", b)
			if code != 200 || len(res.Results) != 3 || res.Results[0].Label != cls {
				errs <- fmt.Errorf("query %s: %d %+v", cls, code, res)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if m.images != 20 || m.calls >= 20 {
		t.Fatalf("20 concurrent uploads: %d encode calls for %d images, want fewer calls than images", m.calls, m.images)
	}
	t.Logf("20 concurrent uploads: %d encode calls", m.calls)
}

// TestImageRouteRegularFilesOnly: an indexed file replaced by a
// FIFO or by a huge sparse file is refused at once, not waited on or read.
func TestImageRouteRegularFilesOnly(t *testing.T) {
	f := newFixture(t, 2, false)
	ctx := context.Background()
	idx, err := search.Open(ctx, f.db, search.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var paths []string
	for i := range 2 {
		rec, err := f.db.Record(ctx, idx.Entry(i).ID)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
		paths = append(paths, rec.File())
	}
	os.Remove(paths[0])
	if err := syscall.Mkfifo(paths[0], 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(paths[1])
	big, _ := os.Create(paths[1])
	big.Truncate(3 << 30)
	big.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	for _, id := range ids {
		r, err := client.Get(fmt.Sprintf("%s/api/image/%d", f.srv.URL, id))
		if err != nil {
			t.Fatalf("record %d: %v (the route hung)", id, err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 404 || len(b) > 2048 {
			t.Fatalf("record %d: %d, %d bytes", id, r.StatusCode, len(b))
		}
	}
}
