package train

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// checkpointMagic starts every checkpoint file.
const checkpointMagic = "LSCONFCK"

// maxHeader bounds the JSON header of a checkpoint (a corrupt length must
// not make us allocate gigabytes).
const maxHeader = 16 << 20

// ErrCorrupt is wrapped by errors about unreadable checkpoints.
var ErrCorrupt = errors.New("corrupt checkpoint")

// Position is where a run stands: Epoch full epochs done, then Batch
// batches of the next one, Step train steps in all.
type Position struct {
	Step  int64 `json:"step"`
	Epoch int   `json:"epoch"`
	Batch int   `json:"batch"`
}

// epochAcc accumulates the train figures of the epoch in progress (sums
// weighted by batch size), so that a resumed epoch reports the same
// figures as an uninterrupted one.
type epochAcc struct {
	Loss    float64 `json:"loss"`
	CE      float64 `json:"ce"`
	LG      float64 `json:"lg"`
	Recon   float64 `json:"recon,omitempty"`
	Cycle   float64 `json:"cycle,omitempty"`
	Correct int     `json:"correct"`
	N       int     `json:"n"`
	Batches int     `json:"batches"`
}

func (a *epochAcc) add(r model.StepResult) {
	a.Loss += r.Loss * float64(r.N)
	a.CE += r.CE * float64(r.N)
	a.LG += r.LG * float64(r.N)
	a.Recon += r.Recon * float64(r.N)
	a.Cycle += r.Cycle * float64(r.N)
	a.Correct += r.Correct
	a.N += r.N
	a.Batches++
}

// figures returns the mean loss, CE and L_G per batch-sample weighting
// (L_G as the per-batch value, averaged over batches by size) and the
// accuracy.
func (a epochAcc) figures() TrainMeans {
	if a.N == 0 {
		return TrainMeans{}
	}
	n := float64(a.N)
	return TrainMeans{Loss: saturate(a.Loss / n), CE: saturate(a.CE / n), LG: saturate(a.LG / n), Recon: a.Recon / n, Cycle: a.Cycle / n, Acc: float64(a.Correct) / n}
}

// saturate maps an infinite figure to +-math.MaxFloat64, so that it can
// be written as JSON: L_G overflows float32 when encodings are hundreds
// of units from their centres, which mode ce allows.
func saturate(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.Copysign(math.MaxFloat64, x)
	}
	return x
}

// tensorInfo names one tensor of a checkpoint's payload.
type tensorInfo struct {
	Name string `json:"name"`
	Len  int    `json:"len"`
}

// checkpointHeader is the JSON part of a checkpoint: what the weights
// belong to and where the run stands.
type checkpointHeader struct {
	Format      int                `json:"format"`
	Model       model.Config       `json:"model"`
	Encoder     latent.EncoderName `json:"encoder"`
	Layout      *latent.Layout     `json:"layout"`
	Classes     []string           `json:"classes"`
	InputSize   int                `json:"input_size"`
	Seed        uint64             `json:"seed"`
	Position    Position           `json:"position"`
	Acc         epochAcc           `json:"epoch_acc"`
	StepAcc     epochAcc           `json:"step_acc"`
	WallSeconds float64            `json:"wall_seconds"`
	Finished    bool               `json:"finished"`
	Tensors     []tensorInfo       `json:"tensors"`
}

// checkpoint is a checkpoint in memory.
type checkpoint struct {
	checkpointHeader
	State *model.State
	Sum   [sha256.Size]byte // checksum of the file
}

// tensorInfos names the tensors of a checkpoint of configuration mc, in
// file order: parameters, batch-norm statistics, then (when training
// state is kept) Adam's first and second moments.
func tensorInfos(mc model.Config, withAdam bool) []tensorInfo {
	var infos []tensorInfo
	add := func(prefix string, specs []model.ParamSpec) {
		for _, s := range specs {
			infos = append(infos, tensorInfo{Name: prefix + s.Name, Len: s.Size()})
		}
	}
	add("", model.Specs(mc))
	add("", model.BNSpecs(mc))
	if withAdam {
		add("adam_m/", model.Specs(mc))
		add("adam_v/", model.Specs(mc))
	}
	return infos
}

// tensorValues lists the values of st in file order.
func tensorValues(st *model.State) [][]float32 {
	vals := append(append([][]float32{}, st.Params...), st.BN...)
	if st.AdamM != nil {
		vals = append(append(vals, st.AdamM...), st.AdamV...)
	}
	return vals
}

// encode serialises the checkpoint: magic, header length (uint32 LE),
// JSON header, float32 LE payload, SHA-256 of all that.
func (c *checkpoint) encode() ([]byte, error) {
	c.Tensors = tensorInfos(c.Model, c.State.AdamM != nil)
	vals := tensorValues(c.State)
	c.Position.Step = c.State.Step
	h, err := json.Marshal(c.checkpointHeader)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	size := 0
	for _, v := range vals {
		size += 4 * len(v)
	}
	var buf bytes.Buffer
	buf.Grow(len(checkpointMagic) + 4 + len(h) + size + sha256.Size)
	buf.WriteString(checkpointMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(len(h)))
	buf.Write(h)
	b4 := make([]byte, 4)
	for _, v := range vals {
		for _, x := range v {
			binary.LittleEndian.PutUint32(b4, math.Float32bits(x))
			buf.Write(b4)
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	c.Sum = sum
	buf.Write(sum[:])
	return buf.Bytes(), nil
}

// readCheckpoint reads and verifies a checkpoint file: magic, lengths,
// checksum, and the tensors against the model configuration it records.
func readCheckpoint(path string) (*checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c, err := decodeCheckpoint(b)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint %s: %w", path, err)
	}
	return c, nil
}

func decodeCheckpoint(b []byte) (*checkpoint, error) {
	const pre = len(checkpointMagic) + 4
	if len(b) < pre+sha256.Size || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return nil, fmt.Errorf("%w: not an lsconf checkpoint (or truncated to %d bytes)", ErrCorrupt, len(b))
	}
	body, tail := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], tail) {
		return nil, fmt.Errorf("%w: checksum mismatch (truncated or damaged file)", ErrCorrupt)
	}
	hl := int(binary.LittleEndian.Uint32(b[len(checkpointMagic):pre]))
	if hl > maxHeader || pre+hl > len(body) {
		return nil, fmt.Errorf("%w: header length %d", ErrCorrupt, hl)
	}
	c := &checkpoint{}
	copy(c.Sum[:], tail)
	if err := json.Unmarshal(body[pre:pre+hl], &c.checkpointHeader); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if c.Format != RunFormat {
		return nil, fmt.Errorf("checkpoint format %d, this lsconf reads format %d", c.Format, RunFormat)
	}
	if c.Layout == nil || len(c.Classes) != c.Layout.NC() || c.Model.NC != c.Layout.NC() || c.Model.ND != c.Layout.ND() {
		return nil, fmt.Errorf("%w: %d classes, model n_c = %d n_d = %d, layout of %d clusters", ErrCorrupt,
			len(c.Classes), c.Model.NC, c.Model.ND, nclusters(c.Layout))
	}
	s, err := c.Encoder.Sectors(c.Layout.NC())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	c.Model.Sectors = s
	c.Model.Layout = c.Layout
	if err := c.Model.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	payload := body[pre+hl:]
	st := &model.State{Step: c.Position.Step}
	specs, bnSpecs := model.Specs(c.Model), model.BNSpecs(c.Model)
	nWeights := len(specs) + len(bnSpecs)
	if len(c.Tensors) != nWeights && len(c.Tensors) != nWeights+2*len(specs) {
		return nil, fmt.Errorf("%w: %d tensors, a width-%d model has %d (+%d Adam moments)", ErrCorrupt,
			len(c.Tensors), c.Model.Width, nWeights, 2*len(specs))
	}
	if want := tensorInfos(c.Model, len(c.Tensors) > nWeights); !slices.Equal(want, c.Tensors) {
		return nil, fmt.Errorf("%w: its tensors are not those of a width-%d model with n_d = %d, n_c = %d", ErrCorrupt,
			c.Model.Width, c.Model.ND, c.Model.NC)
	}
	total := 0
	for _, t := range c.Tensors {
		total += t.Len
	}
	if len(payload) != 4*total {
		return nil, fmt.Errorf("%w: payload of %d bytes, want %d", ErrCorrupt, len(payload), 4*total)
	}
	off := 0
	next := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(payload[off:]))
			off += 4
		}
		return v
	}
	for i, t := range c.Tensors {
		v := next(t.Len)
		switch {
		case i < len(specs):
			st.Params = append(st.Params, v)
		case i < nWeights:
			st.BN = append(st.BN, v)
		case i < nWeights+len(specs):
			st.AdamM = append(st.AdamM, v)
		default:
			st.AdamV = append(st.AdamV, v)
		}
	}
	if err := st.Check(c.Model); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	c.State = st
	return c, nil
}
