package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/metrics"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/search"
)

// searchOutput is the JSON of lsconf search.
type searchOutput struct {
	DB      string          `json:"db"`
	Query   search.Query    `json:"query"`
	Kind    string          `json:"kind"`
	Input   string          `json:"input"`
	K       int             `json:"k"`
	Results []searchHitJSON `json:"results"`
	// Partial names the searched collections whose indexing has not
	// finished (index.Collection.Partial): their results are incomplete.
	Partial []string `json:"partial,omitempty"`
}

type searchHitJSON struct {
	search.Result
	Path string `json:"path"`
}

// searchFlags are lsconf search's flags.
type searchFlags struct {
	db, image, text, point, grid, runDir, vocab string
	collections                                 []string
	k                                           int
	record                                      int64
	json, random                                bool
	seed                                        uint64
}

func newSearchCmd(g *globalOptions) *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "search",
		Short: "Search an index by an image, by words or by an LS point (top-k by sim, eq 15)",
		Long: `Rank the images of an index by their similarity (eq 15 of the paper) to a query:
  --image PATH   an image file, encoded with the run that built the index
                 (--run, default the run folder recorded in the index)
  --text WORDS   words mapped to an LS point by the vocabulary (paper 6.3):
                 class names and synonyms ("plaid", "horizontal stripes",
                 "polka dots"), "between squares and dots", "0.7 squares +
                 0.3 dots", "random hlines" (or --random); --vocab FILE adds
                 entries ("phrase, phrase = expression" per line)
  --point X,Y    an LS point
  --record ID    an image of the index (excluded from its own results)

--collection restricts the search to collections of the index (repeatable):
a query image from one collection searches another, with a model trained on
neither. --grid writes the query and its results as a PNG mosaic with scores.`,
		Example: `  lsconf search --db textures.db --text "polka dots"
  lsconf search --db textures.db --image query.png --k 10 --grid top10.png
  lsconf search --db textures.db --image market/dots/0001.png --collection wildtrack
  lsconf search --db textures.db --text "0.7 squares + 0.3 dots" --json
  lsconf search eval --db textures.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd, g)
		},
	}
	cmd.Flags().StringVar(&f.db, "db", "", "index database file")
	cmd.Flags().StringVar(&f.image, "image", "", "query image file (PNG, JPEG or GIF)")
	cmd.Flags().StringVar(&f.text, "text", "", "query words (see the vocabulary forms above)")
	cmd.Flags().StringVar(&f.point, "point", "", "query LS point, comma-separated (n_d values)")
	cmd.Flags().Int64Var(&f.record, "record", 0, "query by an indexed image's record id")
	cmd.Flags().IntVar(&f.k, "k", 10, "number of results")
	cmd.Flags().StringSliceVar(&f.collections, "collection", nil, "search only these collections (repeatable; default all)")
	cmd.Flags().StringVar(&f.grid, "grid", "", "write the query and results as a PNG mosaic with scores")
	cmd.Flags().StringVar(&f.runDir, "run", "", "run that encodes --image (default: the run recorded in the index)")
	cmd.Flags().StringVar(&f.vocab, "vocab", "", "extra vocabulary file (\"phrase, phrase = expression\" lines)")
	cmd.Flags().BoolVar(&f.random, "random", false, "text queries: a random point inside the cluster instead of its centre")
	cmd.Flags().Uint64Var(&f.seed, "seed", 1, "seed of --random points")
	jsonFlag(cmd, &f.json, "the query and results")
	cmd.AddCommand(newSearchEvalCmd())
	return cmd
}

// run is lsconf search: flags -> search.Spec -> Searcher.Run -> grid and
// output.
func (f *searchFlags) run(cmd *cobra.Command, g *globalOptions) error {
	spec := search.Spec{Text: f.text, Point: f.point, Record: f.record, Random: f.random, Seed: f.seed, ReadRecords: true}
	probe := spec
	if f.image != "" {
		probe.Pixels = []float32{}
	}
	kind, err := probe.Kind()
	if err != nil {
		return errors.New("search: give exactly one query: --image PATH, --text WORDS, --point X,Y or --record ID")
	}
	if f.k < 1 {
		return fmt.Errorf("search: --k %d, want at least 1", f.k)
	}
	db, err := openIndex("search", f.db)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := cmd.Context()
	opt := search.OpenOptions{Collections: f.collections}
	if f.vocab != "" {
		text, err := search.LoadVocabFile(f.vocab)
		if err != nil {
			return err
		}
		opt.Vocab = []string{text}
	}
	e, err := search.Open(ctx, db, opt)
	if err != nil {
		return err
	}
	if e.Len() == 0 {
		return fmt.Errorf("search: index %s has no records%s", f.db, inCollections(f.collections))
	}
	out := searchOutput{DB: f.db, K: f.k, Kind: kind}
	if out.Partial, err = partialCollections(ctx, db, f.collections); err != nil {
		return err
	}
	for _, c := range out.Partial {
		if !g.quiet {
			fmt.Fprintf(os.Stderr, "warning: collection %q is partial: its indexing has not finished (run lsconf index again to complete it)\n", c)
		}
	}
	grid := report.ResultGridInput{}
	switch kind {
	case search.KindImage:
		out.Input = f.image
		b, err := os.ReadFile(f.image)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if spec.Pixels, err = index.DecodeImage(b); err != nil {
			return fmt.Errorf("search: %s: %w", f.image, err)
		}
		dir, _ := indexRun(ctx, db, f.runDir)
		run, err := openModel(dir, g)
		if err != nil {
			return fmt.Errorf("search: the image query needs the run that built the index: %w", err)
		}
		defer run.Close()
		spec.Model = run
		grid.QueryPixels, grid.QueryCaption = spec.Pixels, filepath.Base(f.image)
	case search.KindText:
		out.Input = f.text
	case search.KindPoint:
		out.Input = f.point
	default:
		out.Input = fmt.Sprint(f.record)
		if rec, err := db.Record(ctx, f.record); err == nil {
			grid.QueryCaption = strings.TrimSpace(fmt.Sprintf("#%d %s", rec.ID, rec.Label))
			grid.QueryPixels, _ = rec.Pixels()
		}
	}
	res, err := e.Run(ctx, spec, f.k)
	if err != nil {
		return err
	}
	out.Query = res.Query
	if !g.quiet {
		if t := out.Query.Target; t != nil && t.Note != "" {
			fmt.Fprintf(os.Stderr, "note: %s\n", t.Note)
		}
		if out.Query.Note != "" {
			fmt.Fprintf(os.Stderr, "note: %s\n", out.Query.Note)
		}
		fmt.Fprintf(os.Stderr, "note: %s\n", search.OutsideRule(e.Identity().Outside, out.Query.Unknown))
	}
	for i, r := range res.Results {
		out.Results = append(out.Results, searchHitJSON{Result: r, Path: displayPath(res.Records[i])})
	}
	if f.grid != "" {
		grid.Title = fmt.Sprintf("lsconf search: %s query, top %d", out.Kind, len(res.Records))
		grid.Response, grid.QueryText = res, out.Input
		if err := writeResultGrid(f.grid, grid); err != nil {
			return err
		}
		if !g.quiet {
			fmt.Fprintf(os.Stderr, "wrote %s\n", f.grid)
		}
	}
	return emit(cmd, f.json, out, func(w io.Writer) error {
		printResults(w, out, res.Searched)
		return nil
	})
}

func inCollections(c []string) string {
	if len(c) == 0 {
		return ""
	}
	return " in collection(s) " + strings.Join(c, ", ")
}

// displayPath is the record's file, or collection/key for generated sets.
func displayPath(r index.Record) string {
	if f := r.File(); f != "" {
		return f
	}
	return r.Collection + "/" + r.Path
}

func printResults(w io.Writer, out searchOutput, searched int) {
	desc := fmt.Sprintf("%s query %q", out.Kind, out.Input)
	if t := out.Query.Target; t != nil {
		var parts []string
		for _, term := range t.Terms {
			parts = append(parts, fmt.Sprintf("%.2f %s", term.Weight, term.Class))
		}
		desc += " -> " + strings.Join(parts, " + ")
		if t.Random {
			desc += " (random point)"
		}
	}
	if p := out.Query.Point; p != nil {
		desc += fmt.Sprintf(" at %s", fmtPoint(p))
	}
	fmt.Fprintf(w, "%s, top %d of %d\n", desc, len(out.Results), searched)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tscore\toutside\tid\tlabel\tcollection\tpath")
	for _, r := range out.Results {
		fmt.Fprintf(tw, "%d\t%.4f\t%s\t%d\t%s\t%s\t%s\n", r.Rank, r.Score, outsideCell(r.Result), r.ID, r.Label, r.Collection, r.Path)
	}
	tw.Flush()
}

// outsideCell is a result's outside score (Result.OutsideScore), starred when the record is outside the configured space.
func outsideCell(r search.Result) string {
	c := fmt.Sprintf("%.2f", r.OutsideScore)
	if r.Outside {
		c += "*"
	}
	return c
}

func fmtPoint(p []float64) string {
	s := make([]string, len(p))
	for i, x := range p {
		s[i] = fmt.Sprintf("%.3f", x)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// writeResultGrid draws the query and its results (paper Figures 10-13).
func writeResultGrid(path string, in report.ResultGridInput) error {
	m, err := report.ResultGrid(in)
	if err != nil {
		return fmt.Errorf("grid: %w", err)
	}
	return plot.SavePNG(m, path)
}

func newSearchEvalCmd() *cobra.Command {
	var dbPath, by string
	var collections []string
	var k int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Retrieval quality of an index: P@k, P@1, R-precision, MAP@R, MRR by class label, NMI and AMI",
		Long: `Every labelled image of the index (labels that are class names of the run) is a
query against the other images (itself excluded); precision@k is the share of
its top k with the same label. Each class word (the class centre) is a query
too. Prints the mean over image queries, per class, and per class word; then the
metric-learning figures of the image queries (Musgrave et al. 2020): P@1,
R-precision, MAP@R and MRR, exact (every query ranked against every record,
ties ordered against the query), and NMI / AMI of the nearest-cluster label
against the label. Definitions: docs/search.md.

--by sim (the default) ranks by sim (eq 15), as lsconf search does; --by
distance ranks by Euclidean distance in the LS, the ranking that compares a ce
run (whose encodings ignore the configured clusters, so every sim is 0) with a
ce+g run on the same footing.`,
		Example: `  lsconf index --run runs/ceg --images gen --db gen-ceg.db
  lsconf search eval --db gen-ceg.db --json
  lsconf search eval --db gen-ce.db --by distance`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rank, err := search.ParseRanking(by)
			if err != nil {
				return fmt.Errorf("search eval: --by: %w", err)
			}
			db, err := openIndex("search eval", dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			e, err := search.Open(cmd.Context(), db, search.OpenOptions{Collections: collections})
			if err != nil {
				return err
			}
			ev, err := e.EvaluateBy(k, rank)
			if err != nil {
				return err
			}
			out := map[string]any{"db": dbPath, "model_id": e.Identity().ModelID, "eval": ev}
			return emit(cmd, asJSON, out, func(w io.Writer) error {
				return printEval(w, dbPath, e, ev, rank)
			})
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "", "index database file")
	cmd.Flags().StringSliceVar(&collections, "collection", nil, "evaluate only these collections (default all)")
	cmd.Flags().IntVar(&k, "k", 10, "precision at k")
	cmd.Flags().StringVar(&by, "by", string(search.BySim), "ranking: sim (eq 15) or distance (Euclidean in the LS)")
	jsonFlag(cmd, &asJSON, "the evaluation")
	return cmd
}

// printEval is search eval's table.
func printEval(w io.Writer, dbPath string, e *search.Searcher, ev search.Eval, rank search.Ranking) error {
	k := ev.K
	fmt.Fprintf(w, "index %s (model %s): %d records, %d labelled queries, %d outside the configured space\n",
		dbPath, e.Identity().ModelID, ev.Records, ev.Labelled, ev.Outside)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "class\timage P@%d\tword P@%d\tP@1\tR-precision\tMAP@R\tMRR\n", k, k)
	row := func(name string, p, word float64, s metrics.Scores) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", name, p, word, s.P1, s.RPrecision, s.MAPR, s.MRR)
	}
	for _, c := range e.Identity().Classes {
		row(c, ev.ImagePerClass[c], ev.WordP[c], ev.Metrics.PerClass[c])
	}
	row("mean", ev.ImageP, ev.WordMean, ev.Metrics.Retrieval)
	if err := tw.Flush(); err != nil {
		return err
	}
	m := ev.Metrics
	fmt.Fprintf(w, "nearest cluster vs label: NMI %.3f, AMI %.3f", m.Clustering.NMI, m.Clustering.AMI)
	if m.Skipped > 0 {
		fmt.Fprintf(w, "; %d queries without another image of their label skipped", m.Skipped)
	}
	if m.Sampled {
		fmt.Fprintf(w, "; %d of %d labelled images used as queries", m.Retrieval.Queries+m.Skipped, ev.Labelled)
	}
	how := "by sim, eq 15"
	if rank == search.ByDistance {
		how = "by Euclidean distance in the LS"
	}
	fmt.Fprintf(w, "\n(%s; exact; ties ordered against the query; docs/search.md)\n", how)
	return nil
}

// partialCollections names the collections among names (all when none)
// that are marked partial.
func partialCollections(ctx context.Context, db *index.DB, names []string) ([]string, error) {
	cols, err := db.Collections(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cols {
		if c.Partial && (len(names) == 0 || slices.Contains(names, c.Name)) {
			out = append(out, c.Name)
		}
	}
	return out, nil
}
