package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// IDX is one IDX file (the MNIST format): unsigned bytes with their
// dimensions, e.g. [60000 28 28] for images or [60000] for labels.
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXBytes bounds what ReadIDX accepts (1 GiB of payload).
const maxIDXBytes = 1 << 30

// MaxIDXSetBytes bounds the images LoadIDXDir holds in memory (both
// splits at Size x Size bytes an image: about 786,000 images). Training
// holds its set; larger sets are refused with advice, before anything is
// allocated. data import streams and has no such bound.
const MaxIDXSetBytes = 768 << 20

// ReadIDX reads an IDX file of unsigned bytes (type 0x08), gzipped or
// not (recognised by content). Other element types are refused, and so
// are bytes after the data and a ".gz" name on a file that is not gzip
// (a sign of a wrong or damaged file).
func ReadIDX(path string) (*IDX, error) {
	r, err := openIDX(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	x := &IDX{Dims: r.Dims, Data: make([]uint8, r.total)}
	if _, err := io.ReadFull(r.r, x.Data); err != nil {
		return nil, fmt.Errorf("idx %s: payload of %d bytes (dimensions %v): %w", path, r.total, r.Dims, err)
	}
	if err := r.finish(); err != nil {
		return nil, err
	}
	return x, nil
}

// idxReader streams the payload of one IDX file after its header.
type idxReader struct {
	Dims  []int
	path  string
	total int64
	r     io.Reader
	raw   *bufio.Reader // the file, under the gzip reader if any
	close func() error
}

// Close closes the file.
func (x *idxReader) Close() error { return x.close() }

// openIDX opens an IDX file and reads its header; the payload follows in
// x.r.
func openIDX(path string) (*idxReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	x := &idxReader{path: path, close: f.Close}
	br := bufio.NewReader(f)
	x.r, x.raw = br, br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("idx %s: %w", path, err)
		}
		gz.Multistream(false)
		x.r = gz
		x.close = func() error { gz.Close(); return f.Close() }
	} else if strings.HasSuffix(strings.ToLower(path), ".gz") {
		f.Close()
		return nil, fmt.Errorf("idx %s: named .gz but not gzip-compressed (rename it without .gz if it is a plain IDX file)", path)
	}
	if x.Dims, x.total, err = decodeIDXHeader(x.r); err != nil {
		x.close()
		return nil, fmt.Errorf("idx %s: %w", path, err)
	}
	return x, nil
}

// finish checks that nothing follows the payload: no more bytes in the
// file (or in the gzip stream, and no second stream after it).
func (x *idxReader) finish() error {
	var b [1]byte
	n, err := io.ReadFull(x.r, b[:])
	if n > 0 {
		extra, _ := io.Copy(io.Discard, io.LimitReader(x.r, 1<<20))
		return fmt.Errorf("idx %s: %s bytes after the data of dimensions %v: a damaged or wrong file", x.path, trailing(extra+1), x.Dims)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("idx %s: after the data: %w", x.path, err)
	}
	if x.r != io.Reader(x.raw) {
		if _, err := x.raw.Peek(1); err == nil {
			return fmt.Errorf("idx %s: bytes follow the gzip stream of the data of dimensions %v: a damaged or wrong file", x.path, x.Dims)
		}
	}
	return nil
}

func trailing(n int64) string {
	if n > 1<<20 {
		return "over 1 MiB of"
	}
	return fmt.Sprint(n)
}

// decodeIDXHeader reads the magic and the dimensions, and returns the
// payload size they declare.
func decodeIDXHeader(r io.Reader) ([]int, int64, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, 0, fmt.Errorf("header: %w", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, 0, fmt.Errorf("not an IDX file (magic % x)", head)
	}
	if head[2] != 0x08 {
		return nil, 0, fmt.Errorf("element type 0x%02x (only unsigned bytes, 0x08, are supported)", head[2])
	}
	nd := int(head[3])
	if nd < 1 || nd > 4 {
		return nil, 0, fmt.Errorf("%d dimensions (want 1-4)", nd)
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, 0, fmt.Errorf("dimension %d: %w", i, err)
		}
		dims[i] = int(d)
		total *= int64(d)
		if total > maxIDXBytes {
			return nil, 0, fmt.Errorf("dimensions %v exceed %d bytes", dims[:i+1], maxIDXBytes)
		}
	}
	return dims, total, nil
}

// EncodeIDX writes bytes with their dimensions as an IDX file (for tests
// and tools).
func EncodeIDX(w io.Writer, dims []int, data []uint8) error {
	var buf bytes.Buffer
	buf.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		_ = binary.Write(&buf, binary.BigEndian, uint32(d))
	}
	buf.Write(data)
	_, err := w.Write(buf.Bytes())
	return err
}

// FashionMNISTDir is where Debian's dataset-fashion-mnist installs the
// data set.
const FashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// FashionMNISTClasses are Fashion-MNIST's class names by label, from the
// data set's README, as folder names: an ImageFolder's classes are its
// folders (lsconf data import writes them), so "T-shirt/top" is
// "T-shirt-top".
var FashionMNISTClasses = []string{"T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// IDXSplit is a data set shipped as IDX files with its own train/test
// split (MNIST, Fashion-MNIST), as images lsconf feeds its models.
type IDXSplit struct {
	Dir         string
	Train, Test *GraySet
}

// ErrNoIDX is returned (wrapped) when a folder holds no IDX data set.
var ErrNoIDX = errors.New("no IDX data set")

// idxName finds the file of one part (prefix "train" or "t10k", kind
// "images"/"labels", ndim 3/1) in dir: MNIST's names with a dash or a dot
// before "idx", gzipped or not.
func idxName(dir, prefix, kind string, ndim int) (string, error) {
	for _, sep := range []string{"-", "."} {
		for _, ext := range []string{"", ".gz"} {
			p := filepath.Join(dir, fmt.Sprintf("%s-%s%sidx%d-ubyte%s", prefix, kind, sep, ndim, ext))
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w in %s: no %s-%s-idx%d-ubyte[.gz]", ErrNoIDX, dir, prefix, kind, ndim)
}

// idxPart is one split's image and label files, the labels read.
type idxPart struct {
	prefix         string
	images, labels string
	lab            []uint8
}

// readIDXParts finds the train and test files of dir and reads their
// labels (1 byte an image; the images are streamed later).
func readIDXParts(dir string) ([2]*idxPart, error) {
	var parts [2]*idxPart
	for i, prefix := range []string{"train", "t10k"} {
		ip, err := idxName(dir, prefix, "images", 3)
		if err != nil {
			return parts, err
		}
		lp, err := idxName(dir, prefix, "labels", 1)
		if err != nil {
			return parts, err
		}
		lb, err := ReadIDX(lp)
		if err != nil {
			return parts, err
		}
		if len(lb.Dims) != 1 {
			return parts, fmt.Errorf("idx %s: labels of dimensions %v (want one)", lp, lb.Dims)
		}
		parts[i] = &idxPart{prefix: prefix, images: ip, labels: lp, lab: lb.Data}
	}
	return parts, nil
}

// openImages opens the part's image file and checks it against its
// labels.
func (p *idxPart) openImages() (*idxReader, error) {
	r, err := openIDX(p.images)
	if err != nil {
		return nil, err
	}
	if len(r.Dims) != 3 || r.Dims[0] != len(p.lab) {
		r.Close()
		return nil, fmt.Errorf("idx %s: images %v and labels [%d] (%s) do not match", p.images, r.Dims, len(p.lab), p.labels)
	}
	if r.Dims[1] == 0 || r.Dims[2] == 0 || r.Dims[0] == 0 {
		r.Close()
		return nil, fmt.Errorf("idx %s: empty images %v", p.images, r.Dims)
	}
	return r, nil
}

// idxClasses returns the class names of an IDX set and checks every label
// against them. The class range is declared by the names: classes (given
// by the caller, as for Fashion-MNIST), else the lines of dir/classes.txt;
// a label at or beyond their count is refused. Without names the classes
// are 0 .. the largest label, and each of them must have an image: a
// label beyond a class without images (one stray byte of 255 would
// otherwise make 256 classes) is refused. Either error names the file,
// the image index and the value.
func idxClasses(dir string, classes []string, parts [2]*idxPart) ([]string, error) {
	if classes == nil {
		if b, err := os.ReadFile(filepath.Join(dir, "classes.txt")); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					classes = append(classes, line)
				}
			}
			if classes == nil {
				return nil, fmt.Errorf("idx %s: classes.txt names no class", dir)
			}
		}
	}
	if classes != nil {
		for _, p := range parts {
			for i, l := range p.lab {
				if int(l) >= len(classes) {
					return nil, fmt.Errorf("idx %s: label %d of image %d is outside the %d classes named (labels 0-%d): a damaged or wrong label file", p.labels, l, i, len(classes), len(classes)-1)
				}
			}
		}
	} else {
		var count [256]int
		for _, p := range parts {
			for _, l := range p.lab {
				count[l]++
			}
		}
		empty := -1
		for c := range count {
			if count[c] == 0 {
				empty = c
				break
			}
		}
		if empty >= 0 {
			for _, p := range parts {
				for i, l := range p.lab {
					if int(l) > empty {
						return nil, fmt.Errorf("idx %s: label %d of image %d lies beyond class %d, which has no image: a stray label (name the classes, one a line, in %s to declare the range)",
							p.labels, l, i, empty, filepath.Join(dir, "classes.txt"))
					}
				}
			}
		}
		nc := 0
		for c := range count {
			if count[c] > 0 {
				nc = c + 1
			}
		}
		for i := 0; i < nc; i++ {
			classes = append(classes, fmt.Sprint(i))
		}
	}
	if len(classes) < 2 {
		return nil, fmt.Errorf("idx %s: %d classes (need at least 2)", dir, len(classes))
	}
	return classes, nil
}

// LoadIDXDir reads an IDX data set from dir: train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each optionally .gz; "-images.idx3" spellings
// too). classes names the labels; nil takes the lines of dir/classes.txt
// when present, else "0", "1", ... (idxClasses: labels outside the range
// are refused). Images of any side up to Size are centred on a black Size
// x Size canvas (28x28 gets 2 pixels each side); larger ones are
// area-averaged down to Size. The images are streamed into the set (1 KB
// an image), never held as read.
func LoadIDXDir(dir string, classes []string) (*IDXSplit, error) {
	parts, err := readIDXParts(dir)
	if err != nil {
		return nil, err
	}
	if classes, err = idxClasses(dir, classes, parts); err != nil {
		return nil, err
	}
	if n := int64(len(parts[0].lab) + len(parts[1].lab)); n*Pixels > MaxIDXSetBytes {
		return nil, fmt.Errorf("idx %s: %d images take %d MiB as %dx%d images, over the %d MiB a set held in memory may take: write a part of it as a folder (lsconf data import --per-class N) and train on that",
			dir, n, n*Pixels>>20, Size, Size, MaxIDXSetBytes>>20)
	}
	s := &IDXSplit{Dir: dir}
	for i, dst := range [2]**GraySet{&s.Train, &s.Test} {
		p := parts[i]
		r, err := p.openImages()
		if err != nil {
			return nil, err
		}
		n := len(p.lab)
		g := &GraySet{Pix: make([]uint8, n*Pixels), Labels: make([]int, n), Name: p.prefix, ClassNames: classes}
		err = r.each(func(k int, px []uint8) error {
			g.Labels[k] = int(p.lab[k])
			copy(g.Pix[k*Pixels:], px)
			return nil
		})
		r.Close()
		if err != nil {
			return nil, err
		}
		*dst = g
	}
	return s, nil
}

// each reads the images one at a time, calls fn with each as Size x Size
// bytes (fitGray; px is reused), then checks that nothing follows.
func (x *idxReader) each(fn func(i int, px []uint8) error) error {
	n, h, w := x.Dims[0], x.Dims[1], x.Dims[2]
	raw := make([]uint8, h*w)
	px := make([]uint8, Pixels)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(x.r, raw); err != nil {
			return fmt.Errorf("idx %s: image %d of %d (dimensions %v): %w", x.path, i, n, x.Dims, err)
		}
		clear(px)
		fitGray(raw, h, w, px)
		if err := fn(i, px); err != nil {
			return err
		}
	}
	return x.finish()
}

// fitGray centres an h x w image on the Size x Size canvas dst (black
// around it) when it fits, else area-averages it to Size x Size.
func fitGray(src []uint8, h, w int, dst []uint8) {
	if h <= Size && w <= Size {
		oy, ox := (Size-h)/2, (Size-w)/2
		for y := 0; y < h; y++ {
			copy(dst[(oy+y)*Size+ox:], src[y*w:(y+1)*w])
		}
		return
	}
	for y := 0; y < Size; y++ {
		y0, y1 := y*h/Size, max((y+1)*h/Size, y*h/Size+1)
		for x := 0; x < Size; x++ {
			x0, x1 := x*w/Size, max((x+1)*w/Size, x*w/Size+1)
			s := 0
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					s += int(src[yy*w+xx])
				}
			}
			dst[y*Size+x] = uint8((s + (y1-y0)*(x1-x0)/2) / ((y1 - y0) * (x1 - x0)))
		}
	}
}
