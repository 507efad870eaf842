package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lsconf/lsconf/index"
)

// DefaultPython is the interpreter of the peers: Debian's, which has
// python3-torch and python3-numpy as packages.
const DefaultPython = "/usr/bin/python3"

// PeerMode says whether the peers run: PeersAuto when their Python modules
// import, PeersOn always (an error when they do not), PeersOff never.
type PeerMode string

// The peer modes of --peers.
const (
	PeersAuto PeerMode = "auto"
	PeersOn   PeerMode = "on"
	PeersOff  PeerMode = "off"
)

// ParsePeerMode reads "auto", "on" or "off".
func ParsePeerMode(s string) (PeerMode, error) {
	switch m := PeerMode(s); m {
	case PeersAuto, PeersOn, PeersOff:
		return m, nil
	}
	return "", fmt.Errorf("peers %q: want auto, on or off", s)
}

// InstallPeers is the command that installs the peer importing module
// (torch, numpy or faiss) from Debian: make bench-peers installs all
// three.
func InstallPeers(module string) string {
	return fmt.Sprintf("make bench-peers (or: apt-get install python3-%s)", module)
}

// HasModule reports whether python imports the module (e.g. "torch").
func HasModule(ctx context.Context, python, module string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	return exec.CommandContext(ctx, python, "-c", "import "+module).Run() == nil
}

// peerRun runs a peer script and decodes the last line of its stdout (one
// JSON object) into out; it returns the child's peak resident set in
// bytes (0 where the OS does not report it).
func peerRun(ctx context.Context, timeout time.Duration, out any, env []string, python string, args ...string) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, lastLines(stderr.String(), 5))
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		return 0, fmt.Errorf("%s: output %q: %w", strings.Join(args, " "), lines[len(lines)-1], err)
	}
	return maxRSS(cmd.ProcessState), nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// TorchResult is what bench/torch_sae.py prints: the rates (img/s) of
// the kinds it measured (0 for the others).
type TorchResult struct {
	Width        int     `json:"width"`
	Batch        int     `json:"batch"`
	Train        float64 `json:"train_img_s"`
	Encode       float64 `json:"encode_img_s"`
	Decode       float64 `json:"decode_img_s"`
	TrainDecoder float64 `json:"train_decoder_img_s"`
	// TrainCPU, EncodeCPU, DecodeCPU and TrainDecoderCPU are the process
	// CPU milliseconds per image of the timed calls.
	TrainCPU        float64 `json:"train_cpu_ms_per_img"`
	EncodeCPU       float64 `json:"encode_cpu_ms_per_img"`
	DecodeCPU       float64 `json:"decode_cpu_ms_per_img"`
	TrainDecoderCPU float64 `json:"train_decoder_cpu_ms_per_img"`
	Threads         int     `json:"threads"`
	Version         string  `json:"torch"`
	// OneDNNISA is the instruction set oneDNN's convolutions run (its
	// verbose "isa:" line) and ATen the CPU capability of PyTorch's own
	// kernels ("AVX2", "AVX512", ...), as the peer reports them.
	OneDNNISA string `json:"onednn_isa"`
	ATen      string `json:"aten_cpu_capability"`
	// Peak is the peak resident set of the Python process (every kind it
	// measured, with the interpreter and torch), in bytes.
	Peak uint64 `json:"-"`
}

// TorchEnv is the environment that restricts the PyTorch peer to the
// instruction sets of lsconf's kernel set (kernels.Kernels), so the ratio
// compares like with like: with "avx2" (AVX-512 switched off, or a CPU
// without it) oneDNN and ATen are held to AVX2; with "avx512" and "go"
// PyTorch runs unrestricted (there is no pure-Go-like PyTorch; the ratio
// then says how far the pure-Go kernels are from PyTorch on this CPU).
func TorchEnv(kernels string) []string {
	if kernels == "avx2" {
		return []string{"ONEDNN_MAX_CPU_ISA=AVX2", "ATEN_CPU_CAPABILITY=avx2"}
	}
	return nil
}

// Rate is the result's rate and CPU milliseconds per image of a model
// kind (KindTrain, KindEncode, KindDecode, KindTrainDecoder).
func (r TorchResult) Rate(kind string) (rate, cpu float64) {
	switch kind {
	case KindTrain:
		return r.Train, r.TrainCPU
	case KindEncode:
		return r.Encode, r.EncodeCPU
	case KindDecode:
		return r.Decode, r.DecodeCPU
	case KindTrainDecoder:
		return r.TrainDecoder, r.TrainDecoderCPU
	}
	return 0, 0
}

// RunTorch runs the PyTorch peer (script: a written TorchScript) for width
// w and batch size batch on the model kinds given (KindTrain, KindEncode,
// KindDecode, KindTrainDecoder): train steps for seconds, encoder and
// decoder for seconds/2, each after one warm-up call, with threads
// intra-op threads and env added to its environment (TorchEnv).
func RunTorch(ctx context.Context, python, script string, env []string, w, batch, threads int, seconds float64, kinds []string) (TorchResult, error) {
	var r TorchResult
	timeout := time.Duration(20*seconds)*time.Second + 10*time.Minute
	args := []string{script, "--width", strconv.Itoa(w), "--batch", strconv.Itoa(batch),
		"--seconds", strconv.FormatFloat(seconds, 'g', -1, 64), "--threads", strconv.Itoa(threads),
		"--measure", strings.Join(kinds, ",")}
	peak, err := peerRun(ctx, timeout, &r, env, python, args...)
	if err != nil {
		return r, fmt.Errorf("torch peer: %w", err)
	}
	for _, k := range kinds {
		if rate, _ := r.Rate(k); !(rate > 0) {
			return r, fmt.Errorf("torch peer W=%d: no %s rate in its output", w, k)
		}
	}
	r.Peak = peak
	return r, nil
}

// NumpyResult is what bench/search_numpy.py prints for data files.
type NumpyResult struct {
	N       int     `json:"n"`
	Queries int     `json:"queries"`
	QPS     float64 `json:"qps"`
	// CPUSeconds is the process CPU time of the timed queries.
	CPUSeconds float64   `json:"cpu_seconds"`
	Version    string    `json:"numpy"`
	Top        [][]int64 `json:"top"`
	// Peak is the peak resident set of the Python process, in bytes.
	Peak uint64 `json:"-"`
}

// NumpyPeer runs the numpy search peer on a SearchData's v vectors, which
// it writes once (raw little-endian float32) into a directory.
type NumpyPeer struct {
	python, script, dir, vPath string
	d                          *SearchData
}

// NewNumpyPeer writes d's v vectors into dir for the peer script.
func NewNumpyPeer(python, script, dir string, d *SearchData) (*NumpyPeer, error) {
	p := &NumpyPeer{python: python, script: script, dir: dir, d: d, vPath: filepath.Join(dir, "v.f32")}
	if err := os.WriteFile(p.vPath, index.Float32Bytes(d.V), 0o644); err != nil {
		return nil, fmt.Errorf("numpy peer: write v vectors: %w", err)
	}
	return p, nil
}

// Run runs the peer on the first m queries (one warm-up query, then each
// query once, one thread) and checks that its top-10 ids equal ours, in
// order, for every query.
func (p *NumpyPeer) Run(ctx context.Context, m int) (NumpyResult, error) {
	var r NumpyResult
	m = min(max(m, 1), len(p.d.Queries))
	var flat []float32
	for _, q := range p.d.Queries[:m] {
		flat = append(flat, q...)
	}
	qPath := filepath.Join(p.dir, "q.f32")
	if err := os.WriteFile(qPath, index.Float32Bytes(flat), 0o644); err != nil {
		return r, fmt.Errorf("numpy peer: write queries: %w", err)
	}
	peak, err := peerRun(ctx, 30*time.Minute, &r, nil, p.python, p.script, "--v", p.vPath, "--q", qPath,
		"--nc", strconv.Itoa(p.d.NC), "--k", strconv.Itoa(SearchK))
	if err != nil {
		return r, fmt.Errorf("numpy peer: %w", err)
	}
	r.Peak = peak
	if len(r.Top) != m || r.QPS <= 0 {
		return r, fmt.Errorf("numpy peer: %d top lists for %d queries, %v q/s", len(r.Top), m, r.QPS)
	}
	for i, q := range p.d.Queries[:m] {
		ours, err := p.d.topIDs(q)
		if err != nil {
			return r, err
		}
		if !slices.Equal(ours, r.Top[i]) {
			return r, fmt.Errorf("%w: query %d: numpy %v, lsconf %v", ErrTopDiffer, i, r.Top[i], ours)
		}
	}
	return r, nil
}

// ErrTopDiffer is returned when the numpy peer's top-10 differ from ours.
var ErrTopDiffer = fmt.Errorf("numpy and lsconf top-%d differ", SearchK)
