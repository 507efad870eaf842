package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/train"
)

func newIndexCmd(g *globalOptions) *cobra.Command {
	var runDir, images, dbPath, collection, builtin string
	var batch int
	var dataSeed uint64
	var keepMissing, asJSON, check bool
	cmd := &cobra.Command{
		Use:   "index",
		Short: "Encode a folder of images once and store the encodings in a search index",
		Long: `Encode every image below a folder with a trained run and store its path, content
hash, label (the ImageFolder sub-folder, if any), LS encoding z and class
similarity vector v in a SQLite index (one file, WAL journal).

Each folder is a named collection (default: the folder's name); one index holds
any number of collections encoded by the same run, so that a query image from
one collection can search another (see "lsconf search --collection"). Indexing
with another run than the one that built the index is refused.

Re-running resumes: images already stored with the same content are skipped,
changed files are re-encoded, files that disappeared are removed (unless
--keep-missing). A killed run loses at most the batch in flight.

Only lsconf's own databases are opened (SQLite application id and schema), and a
database that fails SQLite's quick check is refused; --check --db FILE runs the
full check (integrity, duplicates, orphans, every v recomputed from its z) and
exits non-zero when it fails.`,
		Example: `  lsconf index --run runs/ceg --images ~/market --db textures.db
  lsconf index --run runs/ceg --images ~/wildtrack --db textures.db --collection wildtrack
  lsconf search --db textures.db --image ~/market/dots/0001.png --collection wildtrack
  lsconf index --run runs/ceg --builtin gen --db gen.db && lsconf search eval --db gen.db
  lsconf index --check --db textures.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if check {
				return runIndexCheck(cmd, dbPath, asJSON)
			}
			if (images == "") == (builtin == "") || dbPath == "" {
				return errors.New("index: give --db FILE and one of --images DIR or --builtin gen|train")
			}
			run, err := openModel(runDir, g)
			if err != nil {
				return err
			}
			defer run.Close()
			db, err := index.Open(dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			var bar io.Writer
			if !g.quiet {
				bar = os.Stderr
			}
			absRun, _ := filepath.Abs(runDir)
			opts := index.Options{Collection: collection, Batch: batch, Prune: !keepMissing, RunDir: absRun, Progress: bar}
			var res index.Result
			if builtin != "" {
				res, err = indexBuiltin(cmd, db, run, builtin, dataSeed, cmd.Flags().Changed("data-seed"), opts)
			} else {
				res, err = db.IndexFolder(cmd.Context(), run, images, opts)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), res)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "collection %s: %d images, %d encoded (%d changed), %d already indexed, %d removed, %.1fs\n",
				res.Collection, res.Images, res.Encoded, res.Changed, res.Skipped, res.Removed, res.Seconds)
			if n := len(res.Unreadable); n > 0 {
				fmt.Fprintf(out, "%d files could not be decoded and were skipped:\n", n)
				for i, p := range res.Unreadable {
					if i == 10 {
						fmt.Fprintf(out, "  ... and %d more\n", n-10)
						break
					}
					fmt.Fprintf(out, "  %s\n", p)
				}
			}
			printSkips(out, "entries were not indexed", res.NotIndexed)
			return nil
		},
	}
	cmd.Flags().StringVar(&runDir, "run", "", "trained run folder (made by lsconf train)")
	cmd.Flags().StringVar(&images, "images", "", "folder of images (ImageFolder: one sub-folder per label, or unlabelled images)")
	cmd.Flags().StringVar(&builtin, "builtin", "", "index a built-in generated set instead: gen (the generalization set) or train (its base images)")
	cmd.Flags().Uint64Var(&dataSeed, "data-seed", 0, "seed of the --builtin set (default: the data seed recorded in the run)")
	cmd.Flags().StringVar(&dbPath, "db", "", "index database file (created when missing)")
	cmd.Flags().StringVar(&collection, "collection", "", "collection name (default: the folder's name)")
	cmd.Flags().IntVar(&batch, "batch", index.DefaultBatch, "images per encoding batch and transaction")
	cmd.Flags().BoolVar(&keepMissing, "keep-missing", false, "keep records whose files are gone")
	jsonFlag(cmd, &asJSON, "the summary")
	cmd.Flags().BoolVar(&check, "check", false, "run the full integrity check of --db and exit (non-zero when it fails)")
	return cmd
}

// indexBuiltin indexes a built-in texture set (data.Textures) as the
// collection "builtin-<set>-<seed>" (or opts.Collection). Its seed is the
// run's recorded data seed unless given, so "gen" is the generalization set
// the run was evaluated on.
func indexBuiltin(cmd *cobra.Command, db *index.DB, run *train.Run, kind string, seed uint64, seedGiven bool, opts index.Options) (index.Result, error) {
	var k data.SetKind
	switch kind {
	case "gen":
		k = data.GenSet
	case "train":
		k = data.TrainSet
	default:
		return index.Result{}, fmt.Errorf("index: --builtin %q, want gen or train", kind)
	}
	if !seedGiven {
		seed = run.Info().Data.DataSeed
	}
	set, err := data.Textures(cmd.Context(), data.TextureConfig{Set: k, Seed: seed})
	if err != nil {
		return index.Result{}, fmt.Errorf("index: built-in %s set: %w", kind, err)
	}
	name := fmt.Sprintf("builtin-%s-%d", kind, seed)
	if opts.Collection == "" {
		opts.Collection = name
	}
	opts.Source = name
	return db.IndexSet(cmd.Context(), run, name, set, opts)
}
