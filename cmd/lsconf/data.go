package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/internal/progress"
)

func newDataCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Generate the built-in texture sets, check an image folder",
		Long: `Work with the images lsconf trains on.

  lsconf data gen     writes a built-in texture set as an ImageFolder tree
  lsconf data check   loads an ImageFolder tree and reports what it found`,
	}
	cmd.AddCommand(newDataGenCmd(g), newDataCheckCmd(g), newDataImportCmd(g))
	return cmd
}

// dataGenSummary is what lsconf data gen reports.
type dataGenSummary struct {
	Dir          string   `json:"dir"`
	Set          string   `json:"set"`
	Seed         uint64   `json:"seed"`
	PerClass     int      `json:"per_class"`
	Images       int      `json:"images"`
	Classes      []string `json:"classes"`
	ClassMap     string   `json:"class_map"`
	ContactSheet string   `json:"contact_sheet"`
	Seconds      float64  `json:"seconds"`
}

func newDataGenCmd(g *globalOptions) *cobra.Command {
	var out, set string
	var perClass int
	var seed uint64
	var force, asJSON bool
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Write a built-in texture set as an ImageFolder tree (PNG files, class map, contact sheet)",
		Long: `Render a built-in clothing-texture set and write it as an ImageFolder tree:
DIR/<class>/<nnnn>.png (64x64 colour base images), DIR/classes.json (the class
map: class names in label order, counts, set, seed) and DIR/contact.png (a
contact sheet: per class, colour images and below them the 32x32 grayscale
the model sees).

--set train is the training set (5 classes: dots, hlines, squares, uniform,
vlines; 130 images per class by default); --set gen is the shifted
"generalization" set (16 per class by default: 80 images rendered like small,
poor person-camera crops), never used for training. The same --seed always
gives the same bytes.

The tree is written to a temporary folder next to DIR and renamed into place,
so an interrupted run leaves nothing half-written. A non-empty DIR is refused;
--force replaces it, but only if it holds an lsconf data set (its classes.json
says so).`,
		Example: `  lsconf data gen --out textures
  lsconf data gen --out textures-gen --set gen --seed 7
  lsconf data gen --out big --per-class 1000 --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("data gen: give --out DIR")
			}
			kind := data.SetKind(set)
			if kind != data.TrainSet && kind != data.GenSet {
				return fmt.Errorf("data gen: --set %q (want train or gen)", set)
			}
			if perClass < 0 {
				return fmt.Errorf("data gen: --per-class %d", perClass)
			}
			if err := checkDataTarget("data gen", out, force); err != nil {
				return err
			}
			start := time.Now()
			per := perClass
			if per == 0 {
				per = data.DefaultTrainPerClass
				if kind == data.GenSet {
					per = data.DefaultGenPerClass
				}
			}
			total := per * len(data.TextureClasses())
			var bar *progress.Bar
			if !g.quiet {
				bar = progress.New(cmd.ErrOrStderr(), "render", total)
			}
			base, err := data.Textures(cmd.Context(), data.TextureConfig{Set: kind, PerClass: per, Seed: seed,
				Progress: func(int) { bar.Add(1) }})
			bar.Finish()
			if err != nil {
				return err
			}
			if !g.quiet {
				bar = progress.New(cmd.ErrOrStderr(), "write", total)
			}
			// checkGenTarget has refused a folder that is not an empty
			// folder or, with --force, an lsconf data set: replacing is safe.
			err = data.WriteImageFolderAtomic(cmd.Context(), out, base, data.ClassMap{Set: set, Seed: &seed, PerClass: per},
				func(int) { bar.Add(1) }, true)
			bar.Finish()
			if err != nil {
				return fmt.Errorf("data gen: %w", err)
			}
			s := dataGenSummary{Dir: out, Set: set, Seed: seed, PerClass: per, Images: base.Len(), Classes: base.ClassNames,
				ClassMap: filepath.Join(out, data.ClassMapFile), ContactSheet: filepath.Join(out, data.ContactSheetFile),
				Seconds: time.Since(start).Seconds()}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the %s set (seed %d): %d images, %d per class of %v, to %s\nclass map %s\ncontact sheet %s\n",
				s.Set, s.Seed, s.Images, s.PerClass, s.Classes, s.Dir, s.ClassMap, s.ContactSheet)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write (must not exist, or be empty; see --force)")
	cmd.Flags().StringVar(&set, "set", "train", "which set: train or gen (the generalization set)")
	cmd.Flags().IntVar(&perClass, "per-class", 0, "images per class (0 = 130 for train, 16 for gen)")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the images")
	cmd.Flags().BoolVar(&force, "force", false, "replace DIR if it holds an lsconf data set")
	jsonFlag(cmd, &asJSON, "the summary")
	return cmd
}

// checkDataTarget refuses to write into a non-empty folder, unless force
// and the folder is an lsconf data set.
func checkDataTarget(what, out string, force bool) error {
	st, err := os.Stat(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %s exists and is not a folder", what, out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("%s: %s is not empty (--force replaces it if it holds an lsconf data set)", what, out)
	}
	cm, err := data.ReadClassMap(filepath.Join(out, data.ClassMapFile))
	if err != nil || cm.Generator != data.Generator {
		return fmt.Errorf("%s: refusing to replace %s: it does not hold an lsconf data set (no %s written by lsconf)", what, out, data.ClassMapFile)
	}
	return nil
}

func newDataCheckCmd(g *globalOptions) *cobra.Command {
	var sheet, augSheet, fit string
	var strict, allowEmpty, asJSON bool
	var dataSeed uint64
	cmd := &cobra.Command{
		Use:   "check SOURCE",
		Short: "Load a data source and report classes, counts and skipped files",
		Long: `SOURCE is any data source lsconf train takes: a folder, "builtin",
"builtin-gen", "fashion-mnist" or "idx:DIR". Built-in and IDX sources are
loaded as train loads them and their images are counted per class and split.

A folder is loaded as lsconf train would (one sub-folder per class; class names = folder
names in sorted order; PNG, JPEG or GIF of any size and colour) and report the
classes, the images per class, and every file that was skipped with its reason
(unreadable, not an image, corrupt, larger than the decompression-bomb limit,
symbolic link loops) or ignored (top-level files, hidden files).

It fails, as training would, when DIR has no class folders, a single class, or
a class folder without usable images (unless --allow-empty); --strict fails on
any skipped file. --sheet FILE also writes a contact sheet PNG, --aug-sheet FILE
a sheet of augmented images as training sees them (each followed by its
horizontal and vertical mirror).`,
		Example: `  lsconf data check ~/photos/fabrics
  lsconf data check textures --sheet sheet.png --json
  lsconf data check fashion-mnist`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !data.IsFolderSource(args[0]) {
				if sheet != "" || augSheet != "" {
					return errors.New("data check: --sheet and --aug-sheet are for folders")
				}
				rep, err := data.DescribeSource(cmd.Context(), args[0], dataSeed)
				if err != nil {
					return err
				}
				return emit(cmd, asJSON, rep, func(w io.Writer) error {
					printSourceReport(w, rep)
					return nil
				})
			}
			var bar *progress.Bar
			opts := data.LoadOptions{Strict: strict, AllowEmptyClasses: allowEmpty, Fit: fit}
			if !g.quiet {
				opts.Progress = func(done, total int) {
					if bar == nil {
						bar = progress.New(cmd.ErrOrStderr(), "load", total)
					}
					bar.Set(done)
				}
			}
			base, rep, err := data.LoadImageFolder(cmd.Context(), args[0], opts)
			bar.Finish()
			if rep != nil {
				if asJSON {
					if perr := printJSON(cmd.OutOrStdout(), rep); perr != nil {
						return perr
					}
				} else {
					printLoadReport(cmd.OutOrStdout(), rep)
				}
			}
			if err != nil {
				return err
			}
			if sheet != "" {
				if err := writeSheet(sheet, data.ContactSheet(base, 12)); err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(cmd.OutOrStdout(), "contact sheet %s\n", sheet)
				}
			}
			if augSheet != "" {
				aug, err := data.NewAugmentedSet(base, 1, data.DefaultAugment(), 1)
				if err != nil {
					return err
				}
				img, err := data.SetSheet(aug, 12, 0)
				if err != nil {
					return err
				}
				if err := writeSheet(augSheet, img); err != nil {
					return err
				}
				if !asJSON {
					fmt.Fprintf(cmd.OutOrStdout(), "augmented sheet %s\n", augSheet)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&sheet, "sheet", "", "write a contact sheet PNG of the loaded images to this file")
	cmd.Flags().StringVar(&augSheet, "aug-sheet", "", "write a sheet of augmented images (default augmentation, each with its two mirrors: what training sees) to this file")
	cmd.Flags().StringVar(&fit, "fit", "stretch", "how non-square images become square: stretch or crop (the centred square)")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail on any skipped file")
	cmd.Flags().BoolVar(&allowEmpty, "allow-empty", false, "accept class folders without usable images")
	cmd.Flags().Uint64Var(&dataSeed, "data-seed", 1, "seed of the built-in textures")
	jsonFlag(cmd, &asJSON, "the load report")
	return cmd
}

// printSourceReport prints a built-in or IDX source's classes and counts.
func printSourceReport(w io.Writer, rep *data.SourceReport) {
	where := ""
	if rep.Dir != "" {
		where = " (" + rep.Dir + ")"
	}
	fmt.Fprintf(w, "%s%s: %d classes\n", rep.Source, where, len(rep.Classes))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "class"
	for _, sp := range rep.Splits {
		head += "\t" + sp.Name
	}
	fmt.Fprintln(tw, head)
	for c, name := range rep.Classes {
		row := name
		for _, sp := range rep.Splits {
			row += fmt.Sprintf("\t%d", sp.Counts[c])
		}
		fmt.Fprintln(tw, row)
	}
	row := "total"
	for _, sp := range rep.Splits {
		row += fmt.Sprintf("\t%d", sp.Total)
	}
	fmt.Fprintln(tw, row)
	tw.Flush()
}

func printLoadReport(w io.Writer, rep *data.LoadReport) {
	fmt.Fprintf(w, "%s: %d images in %d classes\n", rep.Root, rep.Loaded, len(rep.Classes))
	for c, name := range rep.Classes {
		fmt.Fprintf(w, "  %-20s %6d  (label %d)\n", name, rep.Counts[c], c)
	}
	if n := len(rep.Skipped); n > 0 {
		fmt.Fprintf(w, "%d skipped:\n", n)
		for _, s := range rep.Skipped {
			fmt.Fprintf(w, "  %s: %s\n", s.Path, s.Reason)
		}
	}
	if n := len(rep.Ignored); n > 0 {
		fmt.Fprintf(w, "%d ignored (not in a class folder, or hidden)\n", n)
	}
	if rep.ClassMapNote != "" {
		fmt.Fprintf(w, "note: %s\n", rep.ClassMapNote)
	}
}

// writeSheet writes a sheet PNG atomically.
func writeSheet(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("sheet %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes())
}

func newDataImportCmd(g *globalOptions) *cobra.Command {
	var out, split string
	var perClass int
	var force, asJSON bool
	cmd := &cobra.Command{
		Use:   "import SOURCE",
		Short: "Write an IDX data set (fashion-mnist, idx:DIR) as an ImageFolder tree, for index, search and encode",
		Long: `Write one split of an IDX data set as an ImageFolder tree:
DIR/<class>/<nnnn>.png, DIR/classes.json and DIR/contact.png, as lsconf data
gen writes them. SOURCE is "fashion-mnist" (Debian's dataset-fashion-mnist)
or "idx:DIR". train, eval and plot read IDX sources directly; index, encode
and search read image files, so import a split first.

Each image is written as the model sees it in training (28x28 centred on
32x32, every pixel a 2x2 block of a 64x64 PNG), so the loader reads back
exactly the training pixels. --per-class keeps the first N images of each
class (0: all; Fashion-MNIST's test split is 1,000 per class).

The tree is written to a temporary folder next to DIR and renamed into
place. A non-empty DIR is refused; --force replaces it if it holds an
lsconf data set.`,
		Example: `  lsconf data import fashion-mnist --split test --out fmnist-test
  lsconf index --run runs/fm --images fmnist-test --db fm.db
  lsconf data import idx:~/mnist --split test --per-class 100 --out mnist-small`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("data import: give --out DIR")
			}
			if !data.IsIDXSource(args[0]) {
				return fmt.Errorf("data import: %q is not an IDX source (want %q or %sDIR)", args[0], data.FashionMNIST, data.IDXPrefix)
			}
			if err := checkDataTarget("data import", out, force); err != nil {
				return err
			}
			var bar *progress.Bar
			s, err := data.ImportIDX(cmd.Context(), args[0], split, perClass, out, true, func(done, total int) {
				if bar == nil && !g.quiet {
					bar = progress.New(cmd.ErrOrStderr(), "write", total)
				}
				bar.Set(done)
			})
			bar.Finish()
			if err != nil {
				return fmt.Errorf("data import: %w", err)
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the %s split of %s: %d images of %d classes (%v) to %s\n",
				s.Split, s.Source, s.Images, len(s.Classes), s.Counts, s.Dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write (must not exist, or be empty; see --force)")
	cmd.Flags().StringVar(&split, "split", "test", "which split: train or test")
	cmd.Flags().IntVar(&perClass, "per-class", 0, "at most this many images per class, the first ones (0 = all)")
	cmd.Flags().BoolVar(&force, "force", false, "replace DIR if it holds an lsconf data set")
	jsonFlag(cmd, &asJSON, "the summary")
	return cmd
}
