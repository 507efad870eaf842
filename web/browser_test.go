package web_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium finds Debian's chromium (installed by scripts/setup.sh).
func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("browser test skipped: chromium is not installed (scripts/setup.sh installs Debian's chromium with apt-get)")
	return ""
}

type hitView struct {
	Score string `json:"score"`
	Label string `json:"label"`
}

// TestBrowserSearchPage drives headless Chromium against the real server on
// 127.0.0.1: it uploads a query image through the page's file input and
// waits for 10 results with scores, then types a word query.
func TestBrowserSearchPage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	exe := chromium(t)
	f := newFixture(t, 12, false)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 120*time.Second)
	defer cancelT()

	const hits = `Array.from(document.querySelectorAll('#results .hit')).map(h => ({score: h.querySelector('.score').textContent, label: h.querySelector('img').alt}))`
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(30*time.Second))
	}
	status := func() string {
		s, _ := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS("#status")))
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#file:not([disabled])`)),
		poll(`document.querySelectorAll('#scatter circle').length > 100`),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{f.pngs["vlines"]}),
		poll(`document.querySelectorAll('#results .hit').length === 10`),
	)
	if err != nil {
		t.Fatalf("upload through the page: %v (status %q)", err, status())
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]hitView](hits))
	if err != nil {
		t.Fatal(err)
	}
	checkHits(t, "uploaded vlines image", got, "vlines")
	mark, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#querymark *').length`))
	if err != nil || mark == 0 {
		t.Fatalf("query point not marked on the scatter (%d elements, %v)", mark, err)
	}

	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#text`), "polka dots"),
		chromedp.Click(chromedp.CSS(`#go`)),
		poll(`document.querySelector('#queryview').textContent.includes('polka dots') && document.querySelectorAll('#results .hit').length === 10`),
	)
	if err != nil {
		t.Fatalf("word query through the page: %v (status %q)", err, status())
	}
	if got, err = chromedp.Run(ctx, chromedp.Evaluate[[]hitView](hits)); err != nil {
		t.Fatal(err)
	}
	checkHits(t, "words \"polka dots\"", got, "dots")

	// Pick an indexed image as the query: its record is not among the results.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#picks img.pick`)),
		poll(`document.querySelector('#queryview').textContent.includes('record') && document.querySelectorAll('#results .hit').length === 10`),
	)
	if err != nil {
		t.Fatalf("picking an indexed image: %v (status %q)", err, status())
	}
	self, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const q = document.querySelector('#queryview').textContent.match(/record (\d+)/)[1]; return Array.from(document.querySelectorAll('#results .hit')).some(h => h.dataset.id === q); })()`))
	if err != nil || self {
		t.Fatalf("picked record among its own results (%v, %v)", self, err)
	}

	// Clicking the scatter searches at that point and shows the decoded
	// image of the point: the fake decoder's brightness for a point near
	// the dots centre is the dots class's, ~0.9.
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(() => {
			const svg = document.querySelector('#scatter');
			const r = svg.getBoundingClientRect();
			const i = info.classes.indexOf('dots');
			const [x, y] = toScreen(info.layout.centers[i][0], info.layout.centers[i][1]);
			svg.dispatchEvent(new MouseEvent('click', {clientX: r.left + x / 400 * r.width, clientY: r.top + y / 400 * r.height, bubbles: true}));
		})()`),
		poll(`(() => { const im = document.querySelector('#queryview img'); return im && im.src.includes('/api/decode?z=') && im.complete && im.naturalWidth === 96; })()`),
		poll(`document.querySelectorAll('#results .hit').length === 10`),
	)
	if err != nil {
		t.Fatalf("clicking the scatter: %v (status %q)", err, status())
	}
	grey, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		const im = document.querySelector('#queryview img');
		const c = document.createElement('canvas'); c.width = 96; c.height = 96;
		const g = c.getContext('2d'); g.drawImage(im, 0, 0);
		return g.getImageData(48, 48, 1, 1).data[0] / 255;
	})()`))
	if err != nil || grey < 0.8 || grey > 1 {
		t.Fatalf("decoded image of the dots centre: brightness %v (%v), want ~0.9", grey, err)
	}
	if got, err = chromedp.Run(ctx, chromedp.Evaluate[[]hitView](hits)); err != nil {
		t.Fatal(err)
	}
	checkHits(t, "click on the dots centre", got, "dots")

	// Unknown words show the server's message on the page.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#text`), "leopard"),
		chromedp.Click(chromedp.CSS(`#go`)),
		poll(`document.querySelector('#status').className === 'error'`),
	)
	if st := status(); err != nil || !strings.Contains(st, "unknown words") || !strings.Contains(st, "plaid") {
		t.Fatalf("unknown words on the page: %q %v", st, err)
	}
	if out := os.Getenv("LSCONF_WEB_SCREENSHOT"); out != "" {
		chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(`#text`), "between squares and dots"),
			chromedp.Click(chromedp.CSS(`#go`)),
			poll(`document.querySelector('#queryview').textContent.includes('between')`),
			chromedp.Sleep(500*time.Millisecond))
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			os.WriteFile(out, png, 0o644)
		}
	}
}

func checkHits(t *testing.T, what string, got []hitView, label string) {
	t.Helper()
	if len(got) != 10 {
		t.Fatalf("%s: %d results on the page, want 10", what, len(got))
	}
	for _, h := range got {
		s, err := strconv.ParseFloat(h.Score, 64)
		if err != nil || s <= 0 || s > 1 {
			t.Fatalf("%s: result score %q", what, h.Score)
		}
		if h.Label != label {
			t.Fatalf("%s: result labelled %q, want %q: %+v", what, h.Label, label, got)
		}
	}
}
