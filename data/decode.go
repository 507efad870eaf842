package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"

	"github.com/lsconf/lsconf/data/internal/jpegdc"
)

// ErrNotImage is returned (wrapped) by DecodeImage for bytes that are not a
// PNG, JPEG or GIF image.
var ErrNotImage = errors.New("not a PNG, JPEG or GIF image")

// DecodeImage decodes one PNG, JPEG or GIF image held in memory into a
// Size x Size grayscale image of float32 values in [0, 1] (row-major), with
// exactly the steps of LoadImageFolder: RGB over black, the centre square
// when crop is true (LoadOptions.Fit "crop") or the whole image stretched
// otherwise, area-averaged to a BaseSize x BaseSize base image quantised to
// 8 bits, then each output pixel the luma of the mean of its 2x2 block. It
// is how images that were not loaded from a folder (search queries, web
// uploads, index records) reach the model as it was trained. Images of more
// than maxPixels pixels (0 = DefaultMaxPixels) are refused before decoding.
func DecodeImage(b []byte, crop bool, maxPixels int) ([]float32, error) {
	return DecodeImageWithin(context.Background(), b, crop, maxPixels, nil)
}

// DecodeImageWithin is DecodeImage within a decode budget shared by
// concurrent decoders (nil: DefaultDecodeBudget, checked but not shared):
// it waits while others hold the budget (or until ctx ends) and refuses an
// image larger than the whole budget (ErrOverBudget).
func DecodeImageWithin(ctx context.Context, b []byte, crop bool, maxPixels int, budget *DecodeBudget) ([]float32, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w (%v)", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, fmt.Errorf("decode image: %s of size %dx%d out of range (at most %d pixels)", format, cfg.Width, cfg.Height, maxPixels)
	}
	n := decodeCost(cfg, format, progressiveJPEG(bytes.NewReader(b), format))
	if budget == nil {
		budget = NewDecodeBudget(0, 0)
		if err := budget.Check(cfg, n); err != nil {
			return nil, fmt.Errorf("decode image: %w", err)
		}
	} else {
		if err := budget.Check(cfg, n); err != nil {
			return nil, fmt.Errorf("decode image: %w", err)
		}
		if err := budget.Acquire(ctx, n); err != nil {
			return nil, err
		}
		defer budget.Release(n)
	}
	img, err := decodeSmall(b, cfg, format)
	if err != nil {
		return nil, fmt.Errorf("decode image: %w (corrupt %s: %v)", ErrNotImage, format, err)
	}
	if bd := img.Bounds(); bd.Empty() || int64(bd.Dx())*int64(bd.Dy()) > int64(maxPixels) {
		return nil, fmt.Errorf("decode image: %s decoded to %dx%d pixels", format, bd.Dx(), bd.Dy())
	}
	dst := make([]float32, Pixels)
	grayHalf(toBase(img, crop), dst)
	return dst, nil
}

// dcScaled reports whether a JPEG is decoded at 1/8 (jpegdc: one pixel,
// the mean, for each 8x8 block): when the 1/8 image still covers the
// BaseSize x BaseSize base image one and a half times over, i.e. both
// sides are at least 12*BaseSize (768) pixels. The base image is then the
// area average of block means instead of pixels (within 4/255 of it at the
// model's input on a noisy test photo: 0.8/255 at 1024x768, 3.6/255 at
// 800x770, TestJPEGDCScaledMatchesFull; 5.2/255 at 700x530), for a decode several times cheaper in time and 64 times in
// memory.
func dcScaled(cfg image.Config, format string) bool {
	return format == "jpeg" && cfg.Width >= 12*BaseSize && cfg.Height >= 12*BaseSize
}

// decodeCost is what decoding an image costs in memory: DecodedBytes of
// the size it is decoded at; at 1/8, plus the DC coefficients a
// progressive JPEG keeps there (4 bytes a block of each of at most 4
// components, with the blocks that pad the last MCU); a progressive JPEG
// decoded whole also keeps all 64 coefficients of every block (256 bytes)
// until its last scan, counted for every component at full resolution.
func decodeCost(cfg image.Config, format string, progressive bool) int64 {
	bw, bh := int64((cfg.Width+7)/8+4), int64((cfg.Height+7)/8+4)
	if dcScaled(cfg, format) {
		cfg.Width, cfg.Height = (cfg.Width+7)/8, (cfg.Height+7)/8
		return DecodedBytes(cfg) + 4*4*bw*bh
	}
	n := DecodedBytes(cfg)
	if progressive && format == "jpeg" {
		comps := int64(3)
		switch cfg.ColorModel {
		case color.GrayModel:
			comps = 1
		case color.CMYKModel:
			comps = 4
		}
		n += comps * 256 * bw * bh
	}
	return n
}

// progressiveJPEG reports whether r holds a progressive JPEG (from its
// headers).
func progressiveJPEG(r io.Reader, format string) bool {
	return format == "jpeg" && jpegdc.Progressive(r)
}

// decodeSmall decodes an image held in memory at the smallest size that
// still covers the base image (dcScaled JPEGs at 1/8, with jpegdc's fast
// scan of the bytes; others whole).
func decodeSmall(b []byte, cfg image.Config, format string) (image.Image, error) {
	if dcScaled(cfg, format) {
		return jpegdc.DecodeBytes(b)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}
