package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/train"
	"github.com/lsconf/lsconf/web"
)

func newServeCmd(g *globalOptions) *cobra.Command {
	var dbPath, addr, runDir, vocabFile string
	var maxUpload, uploadBudget int64
	var noModel bool
	var allowHosts []string
	rt := train.DefaultRoundTrip()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve an index: a search web page and its JSON API",
		Long: `Serve the search page (upload or pick a query image, type words, see the top-k
grid with scores and the LS scatter of the index) and its JSON API:
  GET  /api/info, /api/collections, /api/points?collection=&limit=
  POST /api/search/image (multipart "image")      GET /api/search/text?q=words
  GET  /api/search/point?z=x,y                     GET /api/search/record?id=N
  GET  /api/image/{id}  (an indexed image, by record id only)
  GET  /api/decode?z=x,y  (the decoder's image of an LS point, round-trip corrected as
                           in lsconf decode (--round-trip), when the run has a decoder)
Every search route takes k= and collection=. Image queries need the run that
built the index (--run, default the run folder recorded in the index); without
it the other queries still work. Nothing is fetched from the network.

Limits (docs/search.md): requests whose Host is not an IP address, localhost or
a name given with --allow-host are refused (a DNS-rebinding guard); bodies are
capped (--max-upload for images, 64 KiB elsewhere), and the uploads held in
memory at once are bounded by --upload-budget (later ones wait their turn);
slow clients time out.`,
		Example: `  lsconf serve --db textures.db
  lsconf serve --db textures.db --addr 127.0.0.1:9000 --run runs/ceg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := openIndex("serve", dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := cmd.Context()
			if rt.Iterations < 0 {
				return fmt.Errorf("serve: --round-trip %d is negative (0 decodes a clicked point plainly)", rt.Iterations)
			}
			if uploadBudget < 0 {
				return fmt.Errorf("serve: --upload-budget %d is negative (0 means the default, %d MiB)", uploadBudget, web.DefaultUploadBudget>>20)
			}
			cfg, closeRun, err := serveConfig(ctx, db, serveOptions{runDir: runDir, vocabFile: vocabFile, noModel: noModel, roundTrip: rt,
				maxUpload: maxUpload, uploadBudget: uploadBudget, allowHosts: allowHosts}, g)
			if err != nil {
				return err
			}
			defer closeRun()
			srv, err := web.New(cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			hs := web.NewHTTPServer(srv, 0)
			if !g.quiet {
				fmt.Fprintf(os.Stderr, "lsconf: serving %s on http://%s/ (Ctrl-C stops)\n", dbPath, ln.Addr())
			}
			return serveUntilDone(watchDB(ctx, db, dbWatchEvery), hs, ln)
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "", "index database file")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	cmd.Flags().StringVar(&runDir, "run", "", "run that encodes uploaded images (default: the run recorded in the index)")
	cmd.Flags().BoolVar(&noModel, "no-model", false, "do not load a model (no image uploads)")
	cmd.Flags().StringVar(&vocabFile, "vocab", "", "extra vocabulary file")
	cmd.Flags().StringSliceVar(&allowHosts, "allow-host", nil, "also answer requests for this host name (repeatable; IP addresses and localhost always work)")
	cmd.Flags().Int64Var(&maxUpload, "max-upload", 8<<20, "largest accepted upload in bytes")
	cmd.Flags().IntVar(&rt.Iterations, "round-trip", rt.Iterations, "most round-trip corrections of a clicked LS point before it is decoded, as in lsconf decode (0 = plain decoding)")
	cmd.Flags().Int64Var(&uploadBudget, "upload-budget", 0, "bytes of uploads held in memory at once; later uploads wait (0: 256 MiB; at least --max-upload)")
	return cmd
}

// serveOptions are serve's settings that shape the web server.
type serveOptions struct {
	runDir, vocabFile       string
	noModel                 bool
	roundTrip               train.RoundTrip
	maxUpload, uploadBudget int64
	allowHosts              []string
}

// serveConfig assembles the web server's configuration from serve's
// settings: the vocabulary, and the run that encodes image queries and,
// when it has a decoder, decodes clicked points with the round-trip
// correction. closeRun releases the run; call it when serving ends.
func serveConfig(ctx context.Context, db *index.DB, o serveOptions, g *globalOptions) (cfg web.Config, closeRun func(), err error) {
	closeRun = func() {}
	cfg = web.Config{DB: db, MaxUpload: o.maxUpload, UploadBudget: o.uploadBudget, AllowHosts: o.allowHosts}
	if o.vocabFile != "" {
		b, err := os.ReadFile(o.vocabFile)
		if err != nil {
			return cfg, closeRun, fmt.Errorf("serve: vocabulary: %w", err)
		}
		cfg.Vocab = []string{string(b)}
	}
	if o.noModel {
		return cfg, closeRun, nil
	}
	run, err := serveModel(ctx, db, o.runDir, g)
	if err != nil || run == nil {
		return cfg, closeRun, err
	}
	cfg.Model = run
	if run.HasDecoder() {
		cfg.Decoder = train.RoundTripDecoder{Run: run, RoundTrip: o.roundTrip}
	}
	return cfg, func() { run.Close() }, nil
}

// serveModel opens the run that encodes image queries: runDir, or the run
// the index records (nil, with a note on stderr, when that one cannot be
// opened: image queries are then disabled).
func serveModel(ctx context.Context, db *index.DB, runDir string, g *globalOptions) (*train.Run, error) {
	dir, given := indexRun(ctx, db, runDir)
	if dir == "" {
		return nil, nil
	}
	run, err := openModel(dir, g)
	switch {
	case err == nil:
		return run, nil
	case given:
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "serve: image queries disabled: cannot open the index's run %s: %v\n", dir, err)
	return nil, nil
}

// dbWatchEvery is how often serve checks that its index file is still the
// one it opened.
const dbWatchEvery = 2 * time.Second

// watchDB returns a context cancelled, with the reason as its cause, when
// db's file is deleted or replaced (index.DB.Replaced): serving the old
// data silently would answer from an index that no longer exists.
func watchDB(ctx context.Context, db *index.DB, every time.Duration) context.Context {
	wctx, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
				if err := db.Replaced(); errors.Is(err, index.ErrReplaced) {
					cancel(err)
					return
				}
			}
		}
	}()
	return wctx
}

// serveUntilDone serves on ln until the server fails or ctx is cancelled
// (then it shuts down, giving requests 5 s to finish). A cancel caused by
// a replaced or deleted index is returned as the error.
func serveUntilDone(ctx context.Context, hs *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		if cause := context.Cause(ctx); errors.Is(cause, index.ErrReplaced) {
			return fmt.Errorf("serve: stopped: %w; start lsconf serve again to serve the file there now", cause)
		}
		return nil
	}
}
