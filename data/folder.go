package data

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // registers GIF decoding
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsconf/lsconf/internal/parallel"
)

// Limits of LoadImageFolder unless LoadOptions say otherwise.
const (
	// DefaultMaxPixels bounds an image's width*height, read from its
	// header before decoding (a decompression-bomb guard).
	DefaultMaxPixels = 50_000_000
	// DefaultMaxFileBytes bounds the size of an image file.
	DefaultMaxFileBytes = 256 << 20
	// DefaultMaxDepth bounds how deep folders nest inside a class folder.
	DefaultMaxDepth = 8
)

// LoadOptions tune LoadImageFolder. The zero value is the default.
type LoadOptions struct {
	// MaxPixels, MaxFileBytes, MaxDepth: 0 means the Default... value.
	MaxPixels    int
	MaxFileBytes int64
	MaxDepth     int
	// Strict makes every skipped file an error instead of a counted skip.
	Strict bool
	// AllowEmptyClasses keeps class folders without usable images (with
	// count 0, so labels still follow the folder names) instead of failing.
	AllowEmptyClasses bool
	// MinClasses is the fewest class folders accepted (0 = 2). A single
	// class usually means the path points at a class folder itself.
	MinClasses int
	// Fit is how a non-square image becomes square: "stretch" (default:
	// resize the whole image, like torchvision's Resize((32, 32))) or
	// "crop" (the centred square).
	Fit string
	// Log, if set, receives one line per skipped file.
	Log io.Writer
	// Workers decode in parallel (0 = GOMAXPROCS); the result does not
	// depend on it.
	Workers int
	// DecodeBudget bounds the bytes of the images decoded at once by the
	// workers (0 = DefaultDecodeBudget): memory is bounded by it, not by
	// the images or the worker count. An image larger than the whole
	// budget is skipped with the reason.
	DecodeBudget int64
	// Progress, if set, is called after each file with the number done
	// and the total (from one goroutine at a time).
	Progress func(done, total int)
}

// Skip is a file or folder LoadImageFolder did not use, and why.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// LoadReport says what LoadImageFolder found.
type LoadReport struct {
	Root    string   `json:"root"`
	Classes []string `json:"classes"`
	Counts  []int    `json:"counts"`
	Loaded  int      `json:"loaded"`
	// Skipped are entries inside class folders that were not loaded:
	// unreadable, not an image, corrupt, too large, symlink loops, folders
	// nested too deep.
	Skipped []Skip `json:"skipped"`
	// Ignored are entries that are not meant as images: files at the top
	// level (such as classes.json or a contact sheet) and hidden entries
	// (".name", __MACOSX) anywhere.
	Ignored []Skip `json:"ignored"`
	// ClassMapNote is set when the folder's classes.json disagrees with
	// its class folders (the folders win).
	ClassMapNote string `json:"class_map_note,omitempty"`
}

// LoadImageFolder loads an ImageFolder tree: root/<class>/.../<image>,
// one top-level folder per class, class names (and label order) = the
// folder names in sorted (byte) order. Images may be PNG, JPEG or GIF
// (first frame), any size and colour; the format is recognised from the
// content, not the extension. Each is converted to an RGB base image of
// BaseSize x BaseSize: transparent pixels over black, area averaging both
// ways (each output pixel is the mean of the source area it covers; an
// upscale repeats pixels), after an optional centre crop (Fit). Colour is
// kept for the colour jitter; grayscale comes later.
//
// Files in nested folders of a class folder belong to that class (as
// torchvision's ImageFolder). The files are those of SelectFiles, the one
// selection rule the index uses too: hidden entries (".name") and
// __MACOSX are ignored at every level, symbolic links are followed (loops
// and folders reached twice skipped), folders nested deeper than MaxDepth,
// unreadable entries, names that are not UTF-8 and special files are
// skipped and listed. Every file read is capped at MaxFileBytes.
//
// Errors: root missing or not a folder, no class folders, fewer than
// MinClasses, two class folders that are one folder (a link), a class folder without usable images (unless
// AllowEmptyClasses), any skipped file with Strict. Otherwise every
// unusable file is a counted skip in the report (and a line on Log),
// never a silent one and never a label from anywhere but its top-level
// folder.
func LoadImageFolder(ctx context.Context, root string, opts LoadOptions) (*Base, *LoadReport, error) {
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MinClasses <= 0 {
		opts.MinClasses = 2
	}
	if opts.Fit == "" {
		opts.Fit = "stretch"
	}
	if opts.Fit != "stretch" && opts.Fit != "crop" {
		return nil, nil, fmt.Errorf("load %s: fit %q (want stretch or crop)", root, opts.Fit)
	}
	sel, err := SelectFiles(root, SelectOptions{MaxDepth: opts.MaxDepth, Log: opts.Log})
	if sel == nil {
		return nil, nil, fmt.Errorf("load %w", err)
	}
	rep := &LoadReport{Root: root, Skipped: sel.Skipped, Ignored: sel.Ignored}
	if err != nil {
		return nil, rep, fmt.Errorf("load %w", err)
	}
	w := &walker{opts: SelectOptions{Log: opts.Log}, sel: &Selection{}}
	topImages := 0
	for _, f := range sel.Top {
		rep.Ignored = append(rep.Ignored, Skip{f.Rel, "file at the top level, not in a class folder"})
		if IsImageName(f.Rel) {
			topImages++
		}
	}
	classDirs := sel.Classes
	if len(classDirs) == 0 {
		hint := ""
		if topImages > 0 {
			hint = fmt.Sprintf(" (it holds %d image files directly: put them in one sub-folder per class, or point at the parent folder)", topImages)
		}
		return nil, rep, fmt.Errorf("load %s: no class folders%s", root, hint)
	}
	if len(classDirs) < opts.MinClasses {
		return nil, rep, fmt.Errorf("load %s: %d class folder (%s); need at least %d, one sub-folder per class (is this a class folder itself?)",
			root, len(classDirs), strings.Join(classDirs, ", "), opts.MinClasses)
	}
	rep.Classes = classDirs
	rep.Counts = make([]int, len(classDirs))
	files := sel.Files
	if opts.Strict && len(rep.Skipped) > 0 {
		s := rep.Skipped[0]
		return nil, rep, fmt.Errorf("load %s: %s: %s (and %d more skipped; strict)", root, s.Path, s.Reason, len(rep.Skipped)-1)
	}
	// Decode in parallel.
	out := make([][]uint8, len(files))
	reasons := make([]string, len(files))
	var progress func(int)
	if opts.Progress != nil {
		progress = func(done int) { opts.Progress(done, len(files)) }
	}
	budget := NewDecodeBudget(opts.DecodeBudget, 0)
	cerr := parallel.For(ctx, len(files), opts.Workers, func(i int) {
		out[i], reasons[i] = loadImage(ctx, files[i].Path, opts, budget)
	}, progress)
	if cerr != nil {
		return nil, rep, fmt.Errorf("load %s: %w", root, cerr)
	}
	b := &Base{ClassNames: classDirs}
	for i, f := range files {
		if reasons[i] != "" {
			w.skip(f.Rel, reasons[i])
			continue
		}
		b.RGB = append(b.RGB, out[i])
		b.Labels = append(b.Labels, f.Class)
		b.IDs = append(b.IDs, f.Rel)
		rep.Counts[f.Class]++
	}
	rep.Skipped = append(rep.Skipped, w.sel.Skipped...)
	rep.Loaded = len(b.RGB)
	if opts.Strict && len(rep.Skipped) > 0 {
		s := rep.Skipped[0]
		return nil, rep, fmt.Errorf("load %s: %s: %s (strict)", root, s.Path, s.Reason)
	}
	var empty []string
	for c, n := range rep.Counts {
		if n == 0 {
			empty = append(empty, classDirs[c])
		}
	}
	if len(empty) > 0 && !opts.AllowEmptyClasses {
		return nil, rep, fmt.Errorf("load %s: class folder(s) %s hold no usable image (%d files skipped; see the load report)",
			root, strings.Join(empty, ", "), len(rep.Skipped))
	}
	if cm, err := ReadClassMap(filepath.Join(root, ClassMapFile)); err == nil {
		if strings.Join(cm.Classes, "\x00") != strings.Join(classDirs, "\x00") {
			rep.ClassMapNote = fmt.Sprintf("%s lists classes %v but the folders are %v; labels follow the folders", ClassMapFile, cm.Classes, classDirs)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		rep.ClassMapNote = err.Error()
	}
	return b, rep, nil
}

// IsImageName reports whether a file name has an image extension lsconf
// reads (.png, .jpg, .jpeg, .gif, any case). The loader and the index
// both decide by it; the content is checked when the file is decoded.
func IsImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif":
		return true
	}
	return false
}

// loadImage decodes one file into a base image within the decode budget,
// or returns why not.
func loadImage(ctx context.Context, path string, opts LoadOptions, budget *DecodeBudget) ([]uint8, string) {
	f, err := openRegular(path)
	if errors.Is(err, ErrNotRegular) {
		return nil, "not a regular file"
	}
	if err != nil {
		return nil, "unreadable: " + err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, "unreadable: " + err.Error()
	}
	if st.Size() > opts.MaxFileBytes {
		return nil, fmt.Sprintf("file of %d bytes exceeds the limit of %d", st.Size(), opts.MaxFileBytes)
	}
	if st.Size() == 0 {
		return nil, "empty file"
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "not a PNG, JPEG or GIF image"
		}
		return nil, "corrupt image header: " + err.Error()
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Sprintf("%s of size %dx%d", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(opts.MaxPixels) {
		return nil, fmt.Sprintf("%s of %dx%d pixels exceeds the limit of %d pixels", format, cfg.Width, cfg.Height, opts.MaxPixels)
	}
	// A JPEG decoded at 1/8 is read into memory first (its bytes count in
	// the budget); other images decode from the file.
	progressive := false
	if format == "jpeg" {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, "unreadable: " + err.Error()
		}
		progressive = progressiveJPEG(bufio.NewReader(f), format)
	}
	n := decodeCost(cfg, format, progressive)
	inMemory := dcScaled(cfg, format)
	if inMemory {
		n += st.Size()
	}
	if err := budget.Check(cfg, n); err != nil {
		return nil, fmt.Sprintf("%s %s", format, err)
	}
	if err := budget.Acquire(ctx, n); err != nil {
		return nil, "cancelled: " + err.Error()
	}
	defer budget.Release(n)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "unreadable: " + err.Error()
	}
	var img image.Image
	if inMemory {
		b := make([]byte, st.Size())
		if _, err = io.ReadFull(f, b); err != nil {
			return nil, "unreadable: " + err.Error()
		}
		img, err = decodeSmall(b, cfg, format)
	} else {
		img, _, err = image.Decode(bufio.NewReader(f))
	}
	if err != nil {
		return nil, fmt.Sprintf("corrupt %s: %v", format, err)
	}
	bd := img.Bounds()
	if int64(bd.Dx())*int64(bd.Dy()) > int64(opts.MaxPixels) || bd.Empty() {
		return nil, fmt.Sprintf("%s decoded to %dx%d pixels", format, bd.Dx(), bd.Dy())
	}
	return toBase(img, opts.Fit == "crop"), ""
}

// toBase converts an image to a base image: RGB over black, optional
// centre square crop, area-averaged to BaseSize x BaseSize.
func toBase(img image.Image, crop bool) []uint8 {
	bd := img.Bounds()
	if crop {
		s := min(bd.Dx(), bd.Dy())
		x0 := bd.Min.X + (bd.Dx()-s)/2
		y0 := bd.Min.Y + (bd.Dy()-s)/2
		bd = image.Rect(x0, y0, x0+s, y0+s)
	}
	w, h := bd.Dx(), bd.Dy()
	tx := areaTaps(w, BaseSize)
	ty := areaTaps(h, BaseSize)
	// Rows first (h x BaseSize x 3), each row converted to 8-bit RGBA on
	// its own (draw.Draw's conversion, one row buffer: no full copy).
	rgba := image.NewRGBA(image.Rect(0, 0, w, 1))
	tmp := make([]float32, h*BaseSize*3)
	for y := 0; y < h; y++ {
		draw.Draw(rgba, rgba.Bounds(), img, image.Pt(bd.Min.X, bd.Min.Y+y), draw.Src)
		row := rgba.Pix
		for ox, ts := range tx {
			var r, g, b float32
			for _, t := range ts {
				r += t.w * float32(row[4*t.i])
				g += t.w * float32(row[4*t.i+1])
				b += t.w * float32(row[4*t.i+2])
			}
			o := (y*BaseSize + ox) * 3
			tmp[o], tmp[o+1], tmp[o+2] = r/255, g/255, b/255
		}
	}
	out := make([]float32, BasePix)
	for oy, ts := range ty {
		for x := 0; x < BaseSize*3; x++ {
			var s float32
			for _, t := range ts {
				s += t.w * tmp[t.i*BaseSize*3+x]
			}
			out[oy*BaseSize*3+x] = s
		}
	}
	return toBytes(out)
}
