package data

import (
	"context"
	"fmt"
	"strings"
)

// Base returns g's images as colour base images, the form WriteImageFolder
// writes and LoadImageFolder reads: each gray pixel becomes a 2x2 block of
// equal R, G and B, so the loader's 2x2 luma average gives g's pixels back
// (to float32 rounding). An ImageFolder written from an IDX set is
// therefore indexed and searched exactly as the model saw the set in
// training. IDs are "<Name>/<n>", n the image's position in g.
func (g *GraySet) Base() *Base {
	b := &Base{ClassNames: g.ClassNames, RGB: make([][]uint8, g.Len()), Labels: append([]int(nil), g.Labels...), IDs: make([]string, g.Len())}
	const row = BaseSize * 3
	for i := range g.Len() {
		px := g.Pix[i*Pixels : (i+1)*Pixels]
		rgb := make([]uint8, BaseSize*row)
		for y := range Size {
			for x := range Size {
				v := px[y*Size+x]
				for dy := range 2 {
					o := (2*y+dy)*row + 2*x*3
					for k := range 6 {
						rgb[o+k] = v
					}
				}
			}
		}
		b.RGB[i] = rgb
		b.IDs[i] = fmt.Sprintf("%s/%d", g.Name, i)
	}
	return b
}

// FirstPerClass returns the first n images of each class of g, in g's
// order (n <= 0: all of g).
func (g *GraySet) FirstPerClass(n int) *GraySet {
	if n <= 0 {
		return g
	}
	count := make([]int, len(g.ClassNames))
	var idx []int
	for i, l := range g.Labels {
		if l >= 0 && l < len(count) && count[l] < n {
			count[l]++
			idx = append(idx, i)
		}
	}
	return g.Subset(idx)
}

// IDXImport says what ImportIDX wrote.
type IDXImport struct {
	Source   string   `json:"source"`
	Split    string   `json:"split"`
	Dir      string   `json:"dir"`
	Images   int      `json:"images"`
	Classes  []string `json:"classes"`
	Counts   []int    `json:"counts"`
	PerClass int      `json:"per_class,omitempty"`
}

// ImportIDX writes one split ("train" or "test") of the IDX source
// (OpenIDXSource: "fashion-mnist", "idx:DIR" or a corrupted
// "fashion-mnist-c:KIND:SEV") as an ImageFolder tree in
// dir (atomically, with its class map and contact sheet): at most perClass
// images of each class (0: all), as GraySet.Base renders them. The images
// are streamed from the IDX file to the PNG files one at a time, so memory
// does not grow with the set (only the labels, 1 byte an image, and the
// contact sheet's images are held). replace lets an existing dir be
// replaced (the caller checks that it may be). progress, if set, is called
// after each image read with the count done and the total.
func ImportIDX(ctx context.Context, source, split string, perClass int, dir string, replace bool, progress func(done, total int)) (*IDXImport, error) {
	idxDir, names, err := idxSourceDir(source)
	if err != nil {
		return nil, err
	}
	var corrupt *corrupter
	if strings.HasPrefix(source, CorruptPrefix) {
		c, _ := ParseCorruptSource(source)
		if corrupt, err = newCorrupter(c.Kind, c.Sev, c.Seed); err != nil {
			return nil, err
		}
	}
	parts, err := readIDXParts(idxDir)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", source, err)
	}
	classes, err := idxClasses(idxDir, names, parts)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", source, err)
	}
	var p *idxPart
	switch split {
	case "train":
		p = parts[0]
	case "test":
		p = parts[1]
	default:
		return nil, fmt.Errorf("import %s: split %q (want train or test)", source, split)
	}
	out := &IDXImport{Source: source, Split: split, Dir: dir, Classes: classes, PerClass: perClass}
	err = writeAtomic(dir, replace, func(tmp string) error {
		r, err := p.openImages()
		if err != nil {
			return err
		}
		defer r.Close()
		fw, err := newFolderWriter(tmp, classes)
		if err != nil {
			return err
		}
		one := &GraySet{ClassNames: classes, Pix: make([]uint8, Pixels), Labels: []int{0}, Name: p.prefix}
		err = r.each(func(i int, px []uint8) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			l := int(p.lab[i])
			if perClass <= 0 || fw.n[l] < perClass {
				copy(one.Pix, px)
				if corrupt != nil {
					corrupt.apply(i, px, one.Pix)
				}
				if err := fw.add(one.Base().RGB[0], l); err != nil {
					return err
				}
			}
			if progress != nil {
				progress(i+1, len(p.lab))
			}
			return nil
		})
		if err != nil {
			return err
		}
		out.Counts = append([]int(nil), fw.n...)
		return fw.finish(ClassMap{Set: source + " " + split, PerClass: perClass})
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", source, err)
	}
	for _, c := range out.Counts {
		out.Images += c
	}
	return out, nil
}
