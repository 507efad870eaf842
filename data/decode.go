package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
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
	if n := DecodedBytes(cfg); n > DefaultDecodeBudget {
		return nil, fmt.Errorf("decode image: %w", NewDecodeBudget(0, 0).Check(cfg, n))
	}
	img, _, err := image.Decode(bytes.NewReader(b))
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
