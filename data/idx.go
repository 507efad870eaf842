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

// ReadIDX reads an IDX file of unsigned bytes (type 0x08), gzipped or
// not (recognised by content). Other element types are refused.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("idx: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("idx %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	x, err := decodeIDX(r)
	if err != nil {
		return nil, fmt.Errorf("idx %s: %w", path, err)
	}
	return x, nil
}

func decodeIDX(r io.Reader) (*IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("not an IDX file (magic % x)", head)
	}
	if head[2] != 0x08 {
		return nil, fmt.Errorf("element type 0x%02x (only unsigned bytes, 0x08, are supported)", head[2])
	}
	nd := int(head[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("%d dimensions (want 1-4)", nd)
	}
	x := &IDX{Dims: make([]int, nd)}
	total := int64(1)
	for i := range x.Dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("dimension %d: %w", i, err)
		}
		x.Dims[i] = int(d)
		total *= int64(d)
		if total > maxIDXBytes {
			return nil, fmt.Errorf("dimensions %v exceed %d bytes", x.Dims[:i+1], maxIDXBytes)
		}
	}
	x.Data = make([]uint8, total)
	if _, err := io.ReadFull(r, x.Data); err != nil {
		return nil, fmt.Errorf("payload of %d bytes (dimensions %v): %w", total, x.Dims, err)
	}
	return x, nil
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

// LoadIDXDir reads an IDX data set from dir: train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each optionally .gz; "-images.idx3" spellings
// too). classes names the labels; nil takes the lines of dir/classes.txt
// when present, else "0", "1", ... . Images of any side up to Size are
// centred on a black Size x Size canvas (28x28 gets 2 pixels each side);
// larger ones are area-averaged down to Size.
func LoadIDXDir(dir string, classes []string) (*IDXSplit, error) {
	s := &IDXSplit{Dir: dir}
	parts := [2]**GraySet{&s.Train, &s.Test}
	for i, prefix := range []string{"train", "t10k"} {
		ip, err := idxName(dir, prefix, "images", 3)
		if err != nil {
			return nil, err
		}
		lp, err := idxName(dir, prefix, "labels", 1)
		if err != nil {
			return nil, err
		}
		im, err := ReadIDX(ip)
		if err != nil {
			return nil, err
		}
		lb, err := ReadIDX(lp)
		if err != nil {
			return nil, err
		}
		if len(im.Dims) != 3 || len(lb.Dims) != 1 || im.Dims[0] != lb.Dims[0] {
			return nil, fmt.Errorf("idx %s: images %v and labels %v do not match", dir, im.Dims, lb.Dims)
		}
		g, err := newGraySet(im, lb.Data, prefix)
		if err != nil {
			return nil, fmt.Errorf("idx %s: %w", ip, err)
		}
		*parts[i] = g
	}
	nc := 0
	for _, g := range []*GraySet{s.Train, s.Test} {
		for _, l := range g.Labels {
			nc = max(nc, l+1)
		}
	}
	if classes == nil {
		if b, err := os.ReadFile(filepath.Join(dir, "classes.txt")); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					classes = append(classes, line)
				}
			}
		} else {
			for i := 0; i < nc; i++ {
				classes = append(classes, fmt.Sprint(i))
			}
		}
	}
	if len(classes) < nc {
		return nil, fmt.Errorf("idx %s: labels go up to %d but %d class names are given", dir, nc-1, len(classes))
	}
	if len(classes) < 2 {
		return nil, fmt.Errorf("idx %s: %d classes (need at least 2)", dir, len(classes))
	}
	s.Train.ClassNames, s.Test.ClassNames = classes, classes
	return s, nil
}

// newGraySet converts IDX images (n x h x w) to Size x Size bytes.
func newGraySet(im *IDX, labels []uint8, prefix string) (*GraySet, error) {
	n, h, w := im.Dims[0], im.Dims[1], im.Dims[2]
	if n == 0 || h == 0 || w == 0 {
		return nil, fmt.Errorf("empty images %v", im.Dims)
	}
	g := &GraySet{Pix: make([]uint8, n*Pixels), Labels: make([]int, n), Name: prefix}
	for i := 0; i < n; i++ {
		g.Labels[i] = int(labels[i])
		fitGray(im.Data[i*h*w:(i+1)*h*w], h, w, g.Pix[i*Pixels:(i+1)*Pixels])
	}
	return g, nil
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
