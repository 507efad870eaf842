package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/web"
)

// fixture is a served index of two fake collections.
type fixture struct {
	db   *index.DB
	srv  *httptest.Server
	tmp  string
	pngs map[string]string // class -> a query PNG outside the index
}

func newFixture(t *testing.T, perClass int, empty bool) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{tmp: t.TempDir(), pngs: map[string]string{}}
	db, err := index.Open(filepath.Join(f.tmp, "idx.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	m := indextest.NewFake()
	if !empty {
		for i, name := range []string{"market", "wildtrack"} {
			dir := filepath.Join(f.tmp, name)
			if _, err := indextest.WriteCollection(dir, perClass, uint64(i+1)); err != nil {
				t.Fatal(err)
			}
			if _, err := db.IndexFolder(ctx, m, dir, index.Options{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rng := rand.New(rand.NewPCG(42, 42))
	for c, name := range indextest.Classes {
		p := filepath.Join(f.tmp, "query_"+name+".png")
		if err := indextest.WritePNG(p, indextest.Image(c, rng)); err != nil {
			t.Fatal(err)
		}
		f.pngs[name] = p
	}
	s, err := web.New(web.Config{DB: db, Model: m, Decoder: m, MaxUpload: 1 << 20, ReloadEvery: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(s)
	t.Cleanup(f.srv.Close)
	return f
}

type searchJSON struct {
	Error      string   `json:"error"`
	KnownWords []string `json:"known_words"`
	Searched   int      `json:"searched"`
	Query      struct {
		Point []float64 `json:"point"`
	} `json:"query"`
	Results []struct {
		ID         int64   `json:"id"`
		Score      float32 `json:"score"`
		Label      string  `json:"label"`
		Collection string  `json:"collection"`
	} `json:"results"`
}

func get(t *testing.T, url string) (int, searchJSON) {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out searchJSON
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &out); err != nil && r.Header.Get("Content-Type") == "application/json" {
		t.Fatalf("%s: %v in %q", url, err, b)
	}
	return r.StatusCode, out
}

func upload(t *testing.T, url, name string, content []byte) (int, searchJSON) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", name)
	fw.Write(content)
	mw.Close()
	return postJSON(t, url, body.Bytes(), mw.FormDataContentType())
}

func TestAPISearches(t *testing.T) {
	f := newFixture(t, 12, false)
	u := f.srv.URL
	b, _ := os.ReadFile(f.pngs["dots"])
	code, res := upload(t, u+"/api/search/image?k=10", "q.png", b)
	if code != 200 || len(res.Results) != 10 || res.Searched != 120 {
		t.Fatalf("image search: %d %+v", code, res)
	}
	for _, r := range res.Results {
		if r.Label != "dots" || r.Score <= 0 || r.Score > 1 {
			t.Fatalf("image search for dots: %+v", res.Results)
		}
	}
	// Cross-collection: the query image searched in one collection only.
	code, res = upload(t, u+"/api/search/image?k=5&collection=wildtrack", "q.png", b)
	if code != 200 || len(res.Results) != 5 || res.Searched != 60 {
		t.Fatalf("image search in wildtrack: %d %+v", code, res)
	}
	for _, r := range res.Results {
		if r.Collection != "wildtrack" {
			t.Fatalf("result outside the collection: %+v", r)
		}
	}
	code, res = get(t, u+"/api/search/text?q=horizontal+stripes&k=10")
	if code != 200 || len(res.Results) != 10 || res.Results[0].Label != "hlines" {
		t.Fatalf("text search: %d %+v", code, res)
	}
	code, res = get(t, u+"/api/search/text?q=plaid&random=1&seed=3")
	if code != 200 || res.Results[0].Label != "squares" {
		t.Fatalf("random text search: %d %+v", code, res)
	}
	code, res = get(t, u+"/api/search/point?z=0.85,0&k=3")
	if code != 200 || len(res.Results) != 3 || res.Results[0].Label != "uniform" {
		t.Fatalf("point search: %d %+v", code, res)
	}
	id := res.Results[0].ID
	code, res = get(t, fmt.Sprintf("%s/api/search/record?id=%d&k=100", u, id))
	if code != 200 || len(res.Results) != 100 {
		t.Fatalf("record search: %d %d results", code, len(res.Results))
	}
	for _, r := range res.Results {
		if r.ID == id {
			t.Fatal("record search returned the query record")
		}
	}
	r, err := http.Get(fmt.Sprintf("%s/api/image/%d", u, id))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("image route: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if _, err := index.DecodeImage(img); err != nil {
		t.Fatal(err)
	}
	var pts struct {
		Total, Shown int
		Points       []struct{ Z []float32 }
	}
	pr, _ := http.Get(u + "/api/points?limit=50")
	json.NewDecoder(pr.Body).Decode(&pts)
	pr.Body.Close()
	if pts.Total != 120 || pts.Shown > 50 || pts.Shown < 40 || len(pts.Points[0].Z) != 2 {
		t.Fatalf("points: %+v", pts)
	}
	// The page's view plane and placeholder come from the index: its
	// layout (n_d = 2: the LS itself) and its own vocabulary.
	var info struct {
		View struct {
			Name    string       `json:"name"`
			Centers [][2]float64 `json:"centers"`
		} `json:"view"`
		Examples []string `json:"examples"`
	}
	ir, _ := http.Get(u + "/api/info")
	json.NewDecoder(ir.Body).Decode(&info)
	ir.Body.Close()
	if !strings.Contains(info.View.Name, "n_d = 2") || len(info.View.Centers) != 5 || len(info.Examples) < 3 {
		t.Fatalf("info view %+v, examples %q", info.View, info.Examples)
	}
	for _, ex := range info.Examples {
		if code, res := get(t, u+"/api/search/text?q="+url.QueryEscape(ex)); code != 200 || len(res.Results) == 0 {
			t.Errorf("example %q: %d %+v", ex, code, res)
		}
	}
}

func TestAPIBadInput(t *testing.T) {
	f := newFixture(t, 3, false)
	u := f.srv.URL
	cases := []struct {
		what string
		code int
		do   func() (int, searchJSON)
	}{
		{"non-image upload", 415, func() (int, searchJSON) { return upload(t, u+"/api/search/image", "x.png", []byte("hello, I am text")) }},
		{"huge upload", 413, func() (int, searchJSON) { return upload(t, u+"/api/search/image", "x.png", make([]byte, 2<<20)) }},
		{"k out of range", 400, func() (int, searchJSON) { return get(t, u+"/api/search/text?k=0&q=plaid") }},
		{"no file", 400, func() (int, searchJSON) { return postJSON(t, u+"/api/search/image", []byte("x"), "text/plain") }},
		{"unknown words", 400, func() (int, searchJSON) { return get(t, u+"/api/search/text?q=leopard+print") }},
		{"empty words", 400, func() (int, searchJSON) { return get(t, u+"/api/search/text?q=") }},
		{"bad point", 400, func() (int, searchJSON) { return get(t, u+"/api/search/point?z=1,2,3") }},
		{"NaN point", 400, func() (int, searchJSON) { return get(t, u+"/api/search/point?z=NaN,0") }},
		{"huge point", 400, func() (int, searchJSON) { return get(t, u+"/api/search/point?z=1e155,0") }},
		{"huge point, two coordinates", 400, func() (int, searchJSON) { return get(t, u+"/api/search/point?z=5e153,-5e153") }},
		{"unknown collection", 404, func() (int, searchJSON) { return get(t, u+"/api/search/text?q=plaid&collection=nope") }},
		{"unknown record", 404, func() (int, searchJSON) { return get(t, u+"/api/search/record?id=99999") }},
		{"path as image id", 400, func() (int, searchJSON) { return get(t, u+"/api/image/..%2f..%2fetc%2fpasswd") }},
		{"dotted image id", 400, func() (int, searchJSON) { return get(t, u+"/api/image/1.png") }},
		{"missing image id", 404, func() (int, searchJSON) { return get(t, u+"/api/image/424242") }},
		{"unknown route", 404, func() (int, searchJSON) { return get(t, u+"/api/nothing") }},
	}
	for _, c := range cases {
		code, res := c.do()
		if code != c.code || res.Error == "" {
			t.Fatalf("%s: %d %+v, want %d with an error message", c.what, code, res, c.code)
		}
		if c.what == "unknown words" && (!strings.Contains(res.Error, "leopard") || len(res.KnownWords) < 10) {
			t.Fatalf("unknown words: %+v", res)
		}
	}
	// The farthest point accepted answers finite distances.
	if code, res := get(t, u+"/api/search/point?z=-6e153,0"); code != 200 || len(res.Results) == 0 {
		t.Fatalf("far point: %d %+v", code, res)
	}
	// A path traversal in the URL never reaches a file.
	r, err := http.Get(u + "/api/image/../../etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode == 200 || bytes.Contains(b, []byte("root:")) {
		t.Fatalf("traversal: %d %q", r.StatusCode, b)
	}
}

func TestAPIEmptyIndexAndWrongModel(t *testing.T) {
	f := newFixture(t, 0, true)
	code, res := get(t, f.srv.URL+"/api/search/text?q=plaid")
	if code != 409 || !strings.Contains(res.Error, "empty") {
		t.Fatalf("empty index: %d %+v", code, res)
	}
	code, res = get(t, f.srv.URL+"/api/points")
	if code != 409 {
		t.Fatalf("empty points: %d %+v", code, res)
	}
	r, _ := http.Get(f.srv.URL + "/api/info")
	var info map[string]any
	json.NewDecoder(r.Body).Decode(&info)
	r.Body.Close()
	if info["empty"] != true {
		t.Fatalf("info: %v", info)
	}
	// A served index refuses another model.
	g := newFixture(t, 1, false)
	other := indextest.NewFake()
	other.Name = "other"
	if _, err := web.New(web.Config{DB: g.db, Model: other}); err == nil {
		t.Fatal("server with another model: no error")
	}
}

// TestSearchWhileIndexing fires searches while a collection is being
// indexed: every answer is a consistent ranking of some committed snapshot
// and, at the end, equals a fresh load.
func TestSearchWhileIndexing(t *testing.T) {
	f := newFixture(t, 4, false)
	ctx := context.Background()
	dir := filepath.Join(f.tmp, "late")
	if _, err := indextest.WriteCollection(dir, 30, 9); err != nil {
		t.Fatal(err)
	}
	m := indextest.NewFake()
	m.Delay = 5 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := f.db.IndexFolder(ctx, m, dir, index.Options{Batch: 5})
		done <- err
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				r, err := http.Get(f.srv.URL + "/api/search/text?q=vertical+stripes&k=20")
				if err != nil {
					errs <- err
					return
				}
				var res searchJSON
				json.NewDecoder(r.Body).Decode(&res)
				r.Body.Close()
				if r.StatusCode != 200 || len(res.Results) != 20 || res.Searched < 40 || res.Searched > 190 {
					errs <- fmt.Errorf("during indexing: %d, %d results of %d", r.StatusCode, len(res.Results), res.Searched)
					return
				}
				for j := 1; j < len(res.Results); j++ {
					if res.Results[j].Score > res.Results[j-1].Score {
						errs <- fmt.Errorf("unsorted results %+v", res.Results)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// The server catches up with the finished index (background reload).
	var code int
	var res searchJSON
	for i := 0; i < 200; i++ {
		if code, res = get(t, f.srv.URL+"/api/search/text?q=vertical+stripes&k=20"); res.Searched == 190 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	e, err := search.Open(ctx, f.db, search.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wr, err := e.Run(ctx, search.Spec{Text: "vertical stripes"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := wr.Results
	if code != 200 || res.Searched != 190 || len(res.Results) != 20 {
		t.Fatalf("after indexing: %d %+v", code, res)
	}
	for i := range want {
		if want[i].ID != res.Results[i].ID || want[i].Score != res.Results[i].Score {
			t.Fatalf("after indexing, result %d = %+v, want %+v", i, res.Results[i], want[i])
		}
	}
	rep, err := f.db.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("%+v %v", rep, err)
	}
}

// TestReloadThrottle: while the index changes, a snapshot younger than
// ReloadEvery keeps answering (consistently); an older one is reloaded in
// the background.
func TestReloadThrottle(t *testing.T) {
	f := newFixture(t, 2, false)
	s, err := web.New(web.Config{DB: f.db, ReloadEvery: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	_, res := get(t, srv.URL+"/api/search/text?q=plaid")
	if res.Searched != 20 {
		t.Fatalf("first search over %d records", res.Searched)
	}
	dir := filepath.Join(f.tmp, "more")
	indextest.WriteCollection(dir, 2, 5)
	if _, err := f.db.IndexFolder(context.Background(), indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, res = get(t, srv.URL+"/api/search/text?q=plaid"); res.Searched != 20 {
		t.Fatalf("within ReloadEvery: searched %d, want the cached 20", res.Searched)
	}
	time.Sleep(350 * time.Millisecond)
	// The next request starts a background reload and is answered from the
	// current snapshot; the new records appear shortly after.
	if _, res = get(t, srv.URL+"/api/search/text?q=plaid"); res.Searched != 20 && res.Searched != 30 {
		t.Fatalf("after ReloadEvery: searched %d", res.Searched)
	}
	for i := 0; res.Searched != 30; i++ {
		if i == 200 {
			t.Fatalf("the background reload did not land: searched %d, want 30", res.Searched)
		}
		time.Sleep(10 * time.Millisecond)
		_, res = get(t, srv.URL+"/api/search/text?q=plaid")
	}
}
