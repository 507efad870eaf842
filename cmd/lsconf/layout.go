package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/lsconf/lsconf/latent"
)

// layoutFlags are the flags that choose a latent layout; train and layout
// share them.
type layoutFlags struct {
	nc, nd int
	dc, rc float64
	file   string
	cmd    *cobra.Command
}

func (f *layoutFlags) register(cmd *cobra.Command) {
	f.cmd = cmd
	cmd.Flags().IntVar(&f.nc, "n-c", latent.PaperNC, "number of classes (clusters)")
	cmd.Flags().IntVar(&f.nd, "n-d", 0, "latent dimensions; 0 (the default): 2 (the paper's circle) for up to 5 classes, n_c-1 (a regular simplex, all centres equally far apart) above, 2 with a polar --encoder")
	cmd.Flags().Float64Var(&f.dc, "d-c", latent.PaperDC, "distance of the cluster centres from the origin")
	cmd.Flags().Float64Var(&f.rc, "r-c", 0, "cluster radius r_c; 0 (the default): 0.68 x R_d/2 (R_d the nearest-centre distance), which is the paper's 0.34 for 5 classes on the paper's circle and e.g. 0.179 for 10 classes with n_d 2; must be < R_d/2")
	cmd.Flags().StringVar(&f.file, "layout-file", "", "read a custom layout (JSON with centers, radii, b_c) instead")
}

// build returns the layout the flags describe.
func (f *layoutFlags) build() (*latent.Layout, error) {
	if f.nd == 0 {
		f.nd = latent.DefaultND(f.nc)
		if f.cmd != nil {
			if e := f.cmd.Flags().Lookup("encoder"); e != nil && e.Value.String() != "plain" {
				f.nd = 2 // polar encoders need the circle
			}
		}
	}
	if f.file != "" {
		b, err := os.ReadFile(f.file)
		if err != nil {
			return nil, fmt.Errorf("read layout: %w", err)
		}
		var l latent.Layout
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("layout %s: %w", f.file, err)
		}
		return &l, nil
	}
	rc := f.rc
	if rc == 0 {
		r, err := latent.AutoRc(f.nc, f.nd, f.dc)
		if err != nil {
			return nil, err
		}
		rc = r
	}
	l, err := latent.Spread(f.nc, f.nd, f.dc, rc)
	if errors.Is(err, latent.ErrOverlap) {
		if probe, perr := latent.Spread(f.nc, f.nd, f.dc, 1e-9); perr == nil {
			return nil, fmt.Errorf("%w\n  fix: --r-c below %.4g (the largest valid r_c for %d classes, n_d %d, d_c %g; leave --r-c out for the default %.4g), or spread the centres further: --d-c larger, or --n-d larger",
				err, probe.Rd()/2, f.nc, f.nd, f.dc, latent.RcFraction()*probe.Rd()/2)
		}
	}
	return l, err
}

// encoderJSON describes an encoder configuration for people: its rule and
// its prohibited ranges in degrees.
type encoderJSON struct {
	Kind        string      `json:"kind"`
	Sectors     int         `json:"sectors,omitempty"`
	ClassWidth  float64     `json:"class_width_deg,omitempty"`
	Rotation    float64     `json:"rotation_deg,omitempty"`
	Offset      float64     `json:"offset_deg,omitempty"`
	Prohibited  [][]float64 `json:"prohibited_deg,omitempty"`
	Description string      `json:"description"`
}

func describeEncoder(s *latent.Sectors) encoderJSON {
	if s == nil {
		return encoderJSON{Kind: "plain", Description: "z = a + b, no encoder configuration"}
	}
	// Degrees for people: rounded to 1e-9 so that 30 does not print as
	// 29.999999999999996 (the transform itself works in radians).
	deg := func(rad float64) float64 { return math.Round(rad*180/math.Pi*1e9) / 1e9 }
	e := encoderJSON{Kind: s.Kind(), Sectors: s.N(), ClassWidth: deg(s.ClassWidth()), Rotation: deg(s.Rotation()), Offset: deg(s.Offset())}
	for _, r := range s.Prohibited() {
		e.Prohibited = append(e.Prohibited, []float64{deg(r.From), deg(r.From + r.Width)})
	}
	if s.Kind() == latent.KindPaperEq6 {
		e.Description = "eq 6 literally: phi' = phi + 30 deg if ((phi mod 60) mod 40) > 10 deg; leaves (10,20] and [30,40) deg of every 60-deg sector empty"
	} else {
		e.Description = fmt.Sprintf("%d sectors: class parts of %.4g deg, gaps of %.4g deg; points in a gap rotate by %.4g deg",
			s.N(), e.ClassWidth, 360/float64(s.N())-e.ClassWidth, e.Rotation)
	}
	return e
}

func newLayoutCmd() *cobra.Command {
	var lf layoutFlags
	var encoder string
	cmd := &cobra.Command{
		Use:   "layout",
		Short: "Print a latent layout (JSON): centres, radii and the derived R_d, k_b",
		Long: `Print the latent-space layout that train would use with the same flags, with
its derived constants: R_d (neighbour-centre distance, eq 14) and k_b (eq 13).
With --encoder, also the polar encoder configuration and its prohibited ranges.

Without --r-c the radius is derived from the layout: 0.68 x R_d/2, the
paper's proportion (0.34 for its 5 classes), so any number of classes gets a
valid layout. Layouts with overlapping clusters (r_c >= R_d/2) are refused,
naming the largest valid r_c: they make the nearest-cluster label ambiguous.`,
		Example: `  lsconf layout                      # the paper's 5 classes on a circle
  lsconf layout --n-c 10 --n-d 3 --r-c 0.2
  lsconf layout --encoder paper-eq6`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := lf.build()
			if err != nil {
				return err
			}
			out := map[string]any{"layout": l}
			if encoder != "" && encoder != "plain" {
				if l.ND() != 2 {
					return fmt.Errorf("encoder %s needs n_d = 2, layout has n_d = %d", encoder, l.ND())
				}
				s, err := latent.ParseSectors(encoder, l.NC())
				if err != nil {
					return err
				}
				out["encoder"] = describeEncoder(s)
			}
			return printJSON(cmd.OutOrStdout(), out)
		},
	}
	lf.register(cmd)
	cmd.Flags().StringVar(&encoder, "encoder", "plain", "encoder configuration: plain, paper-eq6 or sectors")
	return cmd
}

// forClasses builds the layout for the data's classes: n_c is their
// number (--n-c, when given, must agree).
func (lf *layoutFlags) forClasses(cmd *cobra.Command, classes []string) (*latent.Layout, error) {
	if cmd.Flags().Changed("n-c") && lf.nc != len(classes) {
		return nil, fmt.Errorf("train: --n-c %d but the data has %d classes %q", lf.nc, len(classes), classes)
	}
	lf.nc = len(classes)
	l, err := lf.build()
	if err != nil {
		return nil, err
	}
	if l.NC() != len(classes) {
		return nil, fmt.Errorf("train: the layout has %d clusters but the data has %d classes %q", l.NC(), len(classes), classes)
	}
	return l, nil
}
