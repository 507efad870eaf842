package model

import (
	"errors"
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// ErrNoDecoder is the condition of decoding with a model trained without
// a decoder branch (a reconstruction weight of 0).
var ErrNoDecoder = errors.New("the model has no decoder (it was trained without a reconstruction weight)")

// decodeGraph builds decoding on one batch of points: inputs params, the
// folded kernels and biases (or bn when unfolded), z; output the images.
func (n *Net) decodeGraph(g *graph.Graph, in []*graph.Node) *graph.Node {
	np := len(n.params)
	ns := len(in) - np - 1 // bn, or the folded kernels and biases
	if n.unfolded {
		img, _ := Decode(n.cfg, in[:np], in[np:np+ns], in[np+ns], false)
		return img
	}
	return DecodeFolded(n.cfg, in[:np], in[np:np+ns], in[np+ns])
}

// HasDecoder reports whether the model has a decoder branch.
func (n *Net) HasDecoder() bool { return n.cfg.Decoder }

// Decode maps count latent points (z holds count*n_d values, row-major)
// to count images of 32x32 pixels in [0, 1] with the decoder, its batch
// norms in inference mode, folded into the convolutions (FoldBN,
// DecodeFolded). A model without a decoder is an error.
func (n *Net) Decode(z []float32, count int) (img []float32, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, "decode")
	if n.closed {
		return nil, fmt.Errorf("decode: net is closed")
	}
	if !n.cfg.Decoder {
		return nil, fmt.Errorf("decode: %w", ErrNoDecoder)
	}
	nd := n.cfg.ND
	if count < 0 || len(z) != count*nd {
		return nil, fmt.Errorf("decode: %d points but %d values (want %d)", count, len(z), count*nd)
	}
	second, err := compiled(n, &n.decode, n.decodeGraph)
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	const px = 32 * 32
	img = make([]float32, 0, count*px)
	err = n.batched(n.decode, second, z, count, []int{nd}, func(outs [][]float32, k int) {
		img = append(img, outs[0][:k*px]...)
	})
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return img, nil
}

// compiled compiles *exec from build on first use and returns the
// graph's second list of inputs: the folded kernels and biases, or the
// batch-norm statistics when the Net runs unfolded.
func compiled[F graph.ExecGraphFn](n *Net, exec **graph.Exec, build F) ([]*tensors.Tensor, error) {
	if *exec == nil {
		e, err := graph.NewExec(n.backend, build)
		if err != nil {
			return nil, err
		}
		*exec = e
	}
	if n.unfolded {
		return n.bn, nil
	}
	return n.fold()
}

// batched runs exec on count items of x (each of the size the product of
// item gives) in chunks of at most InferBatch, the last one padded to the
// next power of two (inferSize): its inputs are the parameters, second
// (the batch-norm statistics or the folded tensors), then a chunk of x
// shaped [bs, item...]. each receives the chunk's outputs (copied to the
// host) and the number of real items in it.
func (n *Net) batched(exec *graph.Exec, second []*tensors.Tensor, x []float32, count int, item []int, each func(outs [][]float32, k int)) error {
	size := 1
	for _, d := range item {
		size *= d
	}
	buf := make([]float32, InferBatch*size)
	args := make([]any, 0, len(n.params)+len(second)+1)
	for start := 0; start < count; start += InferBatch {
		k := min(InferBatch, count-start)
		bs := inferSize(k)
		buf := buf[:bs*size]
		copy(buf, x[start*size:(start+k)*size])
		clear(buf[k*size:])
		args = args[:0]
		for _, t := range n.params {
			args = append(args, t)
		}
		for _, t := range second {
			args = append(args, t)
		}
		args = append(args, tensors.FromFlatDataAndDimensions(buf, append([]int{bs}, item...)...))
		outs, err := exec.Call(args...)
		if err != nil {
			return err
		}
		host := make([][]float32, len(outs))
		for i, t := range outs {
			host[i] = tensors.MustCopyFlatData[float32](t)
			_ = t.FinalizeAll()
		}
		each(host, k)
	}
	return nil
}

// imageOutputs runs build (compiled once into *exec) on count images (x
// holds count*1024 pixels), batch norms in inference mode, and returns
// its width outputs of each image, row after row: the common path of the
// optional heads' scores. has says whether the model has the head, and
// missing why not; what names the call in errors.
func (n *Net) imageOutputs(what string, has bool, missing string, exec **graph.Exec, build func(*graph.Graph, []*graph.Node) *graph.Node, x []float32, count, width int) (out []float32, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	defer recoverErr(&err, what)
	if n.closed {
		return nil, fmt.Errorf("%s: net is closed", what)
	}
	if !has {
		return nil, fmt.Errorf("%s: %s", what, missing)
	}
	if count < 0 || len(x) != count*32*32 {
		return nil, fmt.Errorf("%s: %d images but %d pixels (want %d)", what, count, len(x), count*32*32)
	}
	second, err := compiled(n, exec, build)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out = make([]float32, 0, count*width)
	err = n.batched(*exec, second, x, count, []int{32, 32, 1}, func(outs [][]float32, k int) {
		out = append(out, outs[0][:k*width]...)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
