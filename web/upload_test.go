package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/web"
)

// multipartBody is a multipart body with the given parts (a part named
// "image" is a file part), and its content type.
func multipartBody(t testing.TB, parts ...[2]string) ([]byte, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[0] == "image" {
			w, err = mw.CreateFormFile("image", "q.png")
		} else {
			w, err = mw.CreateFormField(p[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	mw.Close()
	return body.Bytes(), mw.FormDataContentType()
}

// TestUploadStreamed: the upload's image part is found among other parts,
// a body without one is a 400, an image part over the limit is a 413 also
// when the body does not state its length (chunked), and the query's k is
// read from the URL.
func TestUploadStreamed(t *testing.T) {
	f := newFixture(t, 4, false)
	u := f.srv.URL + "/api/search/image"
	png, err := os.ReadFile(f.pngs["dots"])
	if err != nil {
		t.Fatal(err)
	}
	post := func(url string, body io.Reader, ct string) int {
		t.Helper()
		r, err := http.Post(url, ct, body)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode
	}
	b, ct := multipartBody(t, [2]string{"note", "first"}, [2]string{"image", string(png)}, [2]string{"after", "x"})
	if code, res := postJSON(t, u+"?k=3", b, ct); code != 200 || len(res.Results) != 3 {
		t.Fatalf("image among other parts, k=3: %d, %d results", code, len(res.Results))
	}
	b, ct = multipartBody(t, [2]string{"note", "no image"})
	if code := post(u, bytes.NewReader(b), ct); code != 400 {
		t.Fatalf("no image part: %d, want 400", code)
	}
	if code := post(u+"?k=0", bytes.NewReader(b), ct); code != 400 {
		t.Fatalf("k=0: %d, want 400", code)
	}
	// 1 MiB limit (the fixture's MaxUpload): 2 MiB in a chunked body.
	b, ct = multipartBody(t, [2]string{"image", strings.Repeat("x", 2<<20)})
	if code := post(u, io.MultiReader(bytes.NewReader(b)), ct); code != 413 {
		t.Fatalf("chunked 2 MiB upload: %d, want 413", code)
	}
	// Exactly at the limit: read, then refused as no image (415).
	b, ct = multipartBody(t, [2]string{"image", strings.Repeat("x", 1<<20)})
	if code := post(u, io.MultiReader(bytes.NewReader(b)), ct); code != 415 {
		t.Fatalf("chunked upload at the limit: %d, want 415", code)
	}
	b, ct = multipartBody(t, [2]string{"image", strings.Repeat("x", 1<<20+1)})
	if code := post(u, bytes.NewReader(b), ct); code != 413 {
		t.Fatalf("upload one byte over the limit: %d, want 413", code)
	}
}

// postJSON posts body and decodes the search answer.
func postJSON(t *testing.T, url string, body []byte, ct string) (int, searchJSON) {
	t.Helper()
	r, err := http.Post(url, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out searchJSON
	json.NewDecoder(r.Body).Decode(&out)
	return r.StatusCode, out
}

// TestUploadReadOnce: the server holds an upload's bytes once: serving a
// 4 MiB upload allocates under 1.25 times its size (the old path parsed
// the body into a growing form buffer and copied it again: 6.4 times).
func TestUploadReadOnce(t *testing.T) {
	f := newFixture(t, 2, false)
	s, err := web.New(web.Config{DB: f.db, Model: indextest.NewFake(), MaxUpload: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	const size = 4 << 20
	b, ct := multipartBody(t, [2]string{"image", strings.Repeat("x", size)})
	serveOnce := func() (uint64, int) {
		r := httptest.NewRequest("POST", "/api/search/image", bytes.NewReader(b))
		r.Host = "127.0.0.1"
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		s.ServeHTTP(w, r)
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc, w.Code
	}
	serveOnce() // warm up
	alloc, code := serveOnce()
	if code != 415 {
		t.Fatalf("a 4 MiB non-image: %d, want 415", code)
	}
	t.Logf("%d bytes allocated for a %d-byte upload", alloc, size)
	if alloc > size*5/4 {
		t.Fatalf("a %d-byte upload allocated %d bytes (%.1fx)", size, alloc, float64(alloc)/size)
	}
}

// TestUploadBudget: uploads are held in memory within the upload budget:
// with room for one, later uploads wait, in arrival order, while the first
// is still being sent, and go through when it is done; a client that left
// while waiting does not hold the queue up.
func TestUploadBudget(t *testing.T) {
	f := newFixture(t, 4, false)
	png, err := os.ReadFile(f.pngs["dots"])
	if err != nil {
		t.Fatal(err)
	}
	body, ct := multipartBody(t, [2]string{"image", string(png)})
	// Room for one upload of this size (the budget is raised to one
	// MaxUpload + 1).
	s, u := serve(t, f, web.Config{Model: indextest.NewFake(), MaxUpload: int64(len(body)), UploadBudget: 1})
	u += "/api/search/image"

	// A: sends half its body, then stalls.
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) }) // before the server closes
	reqA, _ := http.NewRequest("POST", u, pr)
	reqA.ContentLength = int64(len(body))
	doneA := postAsync(reqA, ct)
	pw.Write(body[:len(body)/2])
	waitFor(t, "the first upload to take its bytes", func() bool { return web.UploadBytesHeld(s) > 0 })
	if held := web.UploadBytesHeld(s); held != int64(len(body)) {
		t.Fatalf("a %d-byte upload holds %d bytes of the budget", len(body), held)
	}
	// C: waits behind A, then leaves; B waits behind A and C.
	ctx, cancel := context.WithCancel(context.Background())
	reqC, _ := http.NewRequestWithContext(ctx, "POST", u, bytes.NewReader(body))
	doneC := postAsync(reqC, ct)
	waitFor(t, "the second upload to wait", func() bool { return web.UploadsWaiting(s) == 1 })
	reqB, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	doneB := postAsync(reqB, ct)
	waitFor(t, "the third upload to wait", func() bool { return web.UploadsWaiting(s) == 2 })
	select {
	case code := <-doneB:
		t.Fatalf("an upload past the budget answered %d while the first held it", code)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if code := <-doneC; code != 0 {
		t.Fatalf("the cancelled upload answered %d", code)
	}
	// (The server notices the leaver when its turn comes: reading its
	// body fails at once, and its bytes pass on to B.)
	pw.Write(body[len(body)/2:])
	pw.Close()
	if code := <-doneA; code != 200 {
		t.Fatalf("first upload: %d", code)
	}
	select {
	case code := <-doneB:
		if code != 200 {
			t.Fatalf("waiting upload: %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting upload never went through")
	}
	if held := web.UploadBytesHeld(s); held != 0 {
		t.Fatalf("%d bytes still held after every upload", held)
	}
}

// postAsync sends req (a multipart body of type ct) and delivers its
// status, 0 when it failed.
func postAsync(req *http.Request, ct string) chan int {
	req.Header.Set("Content-Type", ct)
	done := make(chan int, 1)
	go func() {
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		done <- r.StatusCode
	}()
	return done
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
