package saebench

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// tiny is a small network (W = 16: channels 4, 8, 16, 32, 32), batch 4.
func tiny(conv Conv, norm Norm, pool Pool) Config {
	return Config{Width: 16, Batch: 4, Conv: conv, Norm: norm, Pool: pool, Parallelism: 2, Seed: 7}
}

func withRelu(c Config, r Relu) Config {
	c.Relu = r
	return c
}

// trainSteps runs n train steps and returns the losses and the final
// parameters.
func trainSteps(cfg Config, n int) (losses []float64, params [][]float32, z []float32, err error) {
	r, err := NewRunner(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	for i := 0; i < n; i++ {
		l, err := r.TrainStep()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", cfg, err)
		}
		losses = append(losses, l)
	}
	if params, err = r.Params(); err != nil {
		return nil, nil, nil, err
	}
	if z, err = r.Encode(); err != nil {
		return nil, nil, nil, err
	}
	return losses, params, z, nil
}

// TestFormulationsAgree checks that every formulation computes the same
// train steps (losses and updated parameters) and encoding as the im2col +
// graph batch norm + reshape pool one, within float32 tolerance.
func TestFormulationsAgree(t *testing.T) {
	within(t, 3*time.Minute, func() error {
		const steps = 3
		refLoss, refParams, refZ, err := trainSteps(tiny(ConvIm2col, NormGraph, PoolReshape), steps)
		if err != nil {
			return err
		}
		for _, cfg := range []Config{
			tiny(ConvConvolve, NormGraph, PoolReshape),
			tiny(ConvConvolve, NormFused, PoolReshape),
			tiny(ConvIm2col, NormFused, PoolReshape),
			tiny(ConvConvolve, NormFused, PoolWindow),
			withRelu(tiny(ConvConvolve, NormFused, PoolReshape), ReluWhere),
		} {
			loss, params, z, err := trainSteps(cfg, steps)
			if err != nil {
				return err
			}
			for i := range loss {
				if math.Abs(loss[i]-refLoss[i]) > 1e-4*(1+math.Abs(refLoss[i])) {
					t.Errorf("%s: loss at step %d = %v, reference %v", cfg, i+1, loss[i], refLoss[i])
				}
			}
			for i := range params {
				for j := range params[i] {
					if d := math.Abs(float64(params[i][j] - refParams[i][j])); d > 2e-5+1e-3*math.Abs(float64(refParams[i][j])) {
						t.Errorf("%s: parameter %s[%d] = %v, reference %v", cfg, cfg.Params()[i].Name, j, params[i][j], refParams[i][j])
						break
					}
				}
			}
			for i := range z {
				if d := math.Abs(float64(z[i] - refZ[i])); d > 1e-3*(1+math.Abs(float64(refZ[i]))) {
					t.Errorf("%s: z[%d] = %v, reference %v", cfg, i, z[i], refZ[i])
					break
				}
			}
		}
		return nil
	})
}

// TestTrainingLearns checks that repeated steps on the fixed batch lower the
// loss (the train step really trains).
func TestTrainingLearns(t *testing.T) {
	within(t, 3*time.Minute, func() error {
		loss, _, _, err := trainSteps(tiny(ConvConvolve, NormFused, PoolReshape), 30)
		if err != nil {
			return err
		}
		first, last := loss[0], loss[len(loss)-1]
		if !(last < 0.7*first) {
			t.Errorf("loss went from %v to %v in %d steps; want a drop of 30%%", first, last, len(loss))
		}
		return nil
	})
}

// TestConfigValidate checks the configuration errors.
func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{{Width: 3, Batch: 1}, {Width: 1, Batch: 0}, {Width: 1, Batch: 1, Parallelism: -1}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	if f := (Config{Width: 1}).TrainFLOPs(); math.Abs(f-1.36e9) > 0.02e9 {
		t.Errorf("train FLOPs per image at W=1 = %.3g, want ~1.36e9", f)
	}
}
