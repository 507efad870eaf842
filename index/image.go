package index

import (
	"context"
	"image"

	"github.com/lsconf/lsconf/data"
)

// Side is the side of the model's input images (data.Size).
const Side = data.Size

// Pixels is the number of values of one model input (data.Pixels).
const Pixels = Side * Side

// MaxImagePixels bounds the decoded size of an image (width*height) so that
// a small file claiming a huge size cannot exhaust memory.
const MaxImagePixels = data.DefaultMaxPixels

// ErrNotImage is returned (wrapped) for bytes that are not a PNG, JPEG or
// GIF image (data.ErrNotImage).
var ErrNotImage = data.ErrNotImage

// DecodeImage decodes PNG, JPEG or GIF bytes into a Side x Side gray image
// of float32 values in [0, 1] (row-major) with data.DecodeImage (the whole
// image stretched, as data's ImageFolder loader by default), so that
// indexed and query images match what the model was trained on. Images of
// more than MaxImagePixels pixels are refused.
func DecodeImage(b []byte) ([]float32, error) {
	return data.DecodeImage(b, false, MaxImagePixels)
}

// DecodeImageWithin is DecodeImage within a decode budget shared by
// concurrent decoders (data.DecodeImageWithin): it waits for its share and
// refuses an image larger than the whole budget (ErrOverBudget).
func DecodeImageWithin(ctx context.Context, b []byte, budget *DecodeBudget) ([]float32, error) {
	return data.DecodeImageWithin(ctx, b, false, MaxImagePixels, budget)
}

// DecodeBudget is data's decode budget: the one memory rule of every path
// that decodes user images (data.DefaultDecodeBudget).
type DecodeBudget = data.DecodeBudget

// NewDecodeBudget is data.NewDecodeBudget.
func NewDecodeBudget(max int64, slots int) *DecodeBudget { return data.NewDecodeBudget(max, slots) }

// DecodedBytes is data.DecodedBytes: what an image costs to decode, from
// its header, at full size.
func DecodedBytes(cfg image.Config) int64 { return data.DecodedBytes(cfg) }

// ErrOverBudget is data.ErrOverBudget.
var ErrOverBudget = data.ErrOverBudget
