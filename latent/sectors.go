package latent

import (
	"fmt"
	"math"
)

// Encoder-configuration kinds (section 3.2 of the paper).
const (
	// KindPaperEq6 is eq 4-7 taken literally: 60-degree sectors, points
	// whose ((phi mod pi/3) mod 2pi/9) > pi/18 rotated by pi/6. It leaves the
	// angular ranges (10, 20] and [30, 40) degrees of every sector empty.
	KindPaperEq6 = "paper-eq6"
	// KindSectors is the layout the paper's prose describes: n equal sectors,
	// each a class part followed by a prohibited gap; points falling in a gap
	// are rotated by a fixed extra angle into a class part.
	KindSectors = "sectors"
)

// SectorMargin is how far, in radians, the float64 transform keeps an
// output from a prohibited range when rounding would otherwise put it on or
// across the boundary (see Sectors.Apply).
const SectorMargin = 1e-9

// AngleRange is a prohibited range of angles, in radians, from From to
// From+Width counter-clockwise. LoClosed and HiClosed say whether the
// range includes its ends.
type AngleRange struct {
	From     float64 `json:"from"`
	Width    float64 `json:"width"`
	LoClosed bool    `json:"lo_closed"`
	HiClosed bool    `json:"hi_closed"`
}

// Contains reports whether angle phi (any real, taken modulo 2*pi) is in the
// range.
func (r AngleRange) Contains(phi float64) bool {
	a := FloorMod(phi-r.From, 2*math.Pi)
	if a == 2*math.Pi { // rounding in FloorMod
		a = 0
	}
	switch {
	case a == 0:
		return r.LoClosed
	case a < r.Width:
		return true
	case a == r.Width:
		return r.HiClosed
	}
	return false
}

// Sectors is a polar encoder configuration for a two-dimensional latent
// space (eq 4-7): z is written in polar form (r, phi), the angle is rotated
// by Rotation when it falls where the configuration says, and z_new is
// (r cos phi', r sin phi'). No output falls in a prohibited range, for any
// finite input.
//
// Build one with PaperEq6, DefaultSectors or NewSectors.
type Sectors struct {
	kind       string
	n          int     // sectors in a full turn
	period     float64 // 2*pi/n
	classWidth float64 // KindSectors: width of each sector's class part
	rotation   float64
	offset     float64 // KindSectors: angle where sector 0's class part starts
}

// PaperEq6 returns the literal eq 6 configuration: six 60-degree sectors,
// rotation pi/6.
func PaperEq6() *Sectors {
	pi := float64(math.Pi) // float64 arithmetic, as numpy's math.pi/3 is
	return &Sectors{kind: KindPaperEq6, n: 6, period: pi / 3, rotation: pi / 6}
}

// DefaultSectors returns the prose's layout generalised to n sectors: each
// sector is 5/6 class part and 1/6 gap, points in a gap rotate by half a
// sector, and class part i is centred on angle 2*pi*i/n, where the circle
// layout puts centre i. For n = 6 these are the paper's 50-degree class
// sectors, 10-degree gaps and 30-degree rotation.
func DefaultSectors(n int) (*Sectors, error) {
	if n < 1 {
		return nil, fmt.Errorf("sectors: n = %d, need at least 1", n)
	}
	p := 2 * math.Pi / float64(n)
	w := p * 5 / 6
	return NewSectors(n, w, p/2, -w/2)
}

// NewSectors returns n sectors whose class part is classWidth radians wide,
// starting at angle offset (sector k's class part is
// [offset + k*2pi/n, offset + k*2pi/n + classWidth]); the rest of each
// sector is a prohibited gap, and points falling there are rotated by
// rotation. The rotation must carry the whole gap into a class part: with
// P = 2pi/n and gap g = P - classWidth, rotation mod P must lie in
// [g, classWidth].
func NewSectors(n int, classWidth, rotation, offset float64) (*Sectors, error) {
	if n < 1 {
		return nil, fmt.Errorf("sectors: n = %d, need at least 1", n)
	}
	for name, x := range map[string]float64{"class width": classWidth, "rotation": rotation, "offset": offset} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("sectors: %s = %v is not finite", name, x)
		}
	}
	p := 2 * math.Pi / float64(n)
	if classWidth <= 0 || classWidth >= p {
		return nil, fmt.Errorf("sectors: class width %.4g rad must be in (0, %.4g) (the sector width 2pi/%d)", classWidth, p, n)
	}
	g := p - classWidth
	rho := FloorMod(rotation, p)
	if rho < g || rho > classWidth {
		return nil, fmt.Errorf("sectors: rotation %.4g rad (%.4g mod the sector) moves the gap of %.4g rad onto a gap; it must be in [%.4g, %.4g] mod %.4g",
			rotation, rho, g, g, classWidth, p)
	}
	return &Sectors{kind: KindSectors, n: n, period: p, classWidth: classWidth, rotation: rotation, offset: offset}, nil
}

// EncoderName is an encoder configuration as settings and run.json write
// it: "plain" (or "" or "none": no configuration), KindPaperEq6 or
// KindSectors. It is checked where it is read (Set, UnmarshalText).
type EncoderName string

// Plain is the encoder without a polar configuration.
const Plain EncoderName = "plain"

// IsPlain reports whether n names no polar configuration.
func (n EncoderName) IsPlain() bool { return n == "" || n == Plain || n == "none" }

// Sectors is the configuration n names for n_c classes (nil when plain).
func (n EncoderName) Sectors(nc int) (*Sectors, error) { return ParseSectors(string(n), nc) }

// String is the name.
func (n EncoderName) String() string { return string(n) }

// Set reads an encoder name (a command-line flag value).
func (n *EncoderName) Set(v string) error {
	switch EncoderName(v) {
	case "", Plain, "none":
		*n = Plain
	case KindPaperEq6, KindSectors:
		*n = EncoderName(v)
	default:
		return fmt.Errorf("encoder configuration %q: want plain, %s or %s", v, KindPaperEq6, KindSectors)
	}
	return nil
}

// Type names the flag value's kind.
func (n *EncoderName) Type() string { return "encoder" }

// UnmarshalText reads a recorded name.
func (n *EncoderName) UnmarshalText(b []byte) error { return n.Set(string(b)) }

// ParseSectors returns the configuration named on the command line:
// "paper-eq6", or "sectors" (DefaultSectors with n sectors). "plain" or ""
// return nil: no encoder configuration.
func ParseSectors(name string, n int) (*Sectors, error) {
	switch name {
	case "", "plain", "none":
		return nil, nil
	case KindPaperEq6:
		return PaperEq6(), nil
	case KindSectors:
		return DefaultSectors(n)
	}
	return nil, fmt.Errorf("encoder configuration %q: want plain, %s or %s", name, KindPaperEq6, KindSectors)
}

// Kind is KindPaperEq6 or KindSectors.
func (s *Sectors) Kind() string { return s.kind }

// N is the number of sectors in a full turn.
func (s *Sectors) N() int { return s.n }

// Period is the width of one sector, 2*pi/N.
func (s *Sectors) Period() float64 { return s.period }

// ClassWidth is the width of a sector's class part (KindSectors; 0 for
// KindPaperEq6, whose allowed parts are not one interval).
func (s *Sectors) ClassWidth() float64 { return s.classWidth }

// Rotation is the extra rotation of points that fall where the
// configuration moves them.
func (s *Sectors) Rotation() float64 { return s.rotation }

// Offset is the angle where sector 0's class part starts (0 for
// KindPaperEq6).
func (s *Sectors) Offset() float64 { return s.offset }

// Residue is the angle's position inside its sector, floored mod the
// period, in [0, Period) (it may equal Period when rounding makes it so,
// as Python's % does).
func (s *Sectors) Residue(phi float64) float64 {
	return FloorMod(phi-s.offset, s.period)
}

// Shifted reports whether eq 6 (or the sector rule) rotates a point at
// angle phi (radians, as atan2 returns it).
func (s *Sectors) Shifted(phi float64) bool {
	a := s.Residue(phi)
	if s.kind == KindPaperEq6 {
		// Constants rounded as float64 expressions (2*pi/9 with pi the
		// float64 pi), matching numpy on boundary cases bit for bit.
		pi := float64(math.Pi)
		return FloorMod(a, 2*pi/9) > pi/18
	}
	return a > s.classWidth
}

// Prohibited lists the prohibited angular ranges, one or two per sector,
// with From in [0, 2pi).
func (s *Sectors) Prohibited() []AngleRange {
	var out []AngleRange
	deg := math.Pi / 180
	for k := 0; k < s.n; k++ {
		base := s.offset + float64(k)*s.period
		if s.kind == KindPaperEq6 {
			out = append(out,
				AngleRange{From: FloorMod(base+10*deg, 2*math.Pi), Width: 10 * deg, HiClosed: true},
				AngleRange{From: FloorMod(base+30*deg, 2*math.Pi), Width: 10 * deg, LoClosed: true})
			continue
		}
		out = append(out, AngleRange{From: FloorMod(base+s.classWidth, 2*math.Pi), Width: s.period - s.classWidth})
	}
	return out
}

// gapAt returns the prohibited interval (lo, hi), in residue coordinates,
// that contains residue a, if any. It is the definition of "prohibited"
// that Apply and the tests use; Prohibited lists the same ranges in
// absolute angles for display.
func (s *Sectors) gapAt(a float64) (lo, hi float64, in bool) {
	if a >= s.period { // rounding in FloorMod: a is the next sector's 0
		a = 0
	}
	if s.kind == KindPaperEq6 {
		const deg = math.Pi / 180
		switch {
		case a > 10*deg && a <= 20*deg:
			return 10 * deg, 20 * deg, true
		case a >= 30*deg && a < 40*deg:
			return 30 * deg, 40 * deg, true
		}
		return 0, 0, false
	}
	if a > s.classWidth {
		return s.classWidth, s.period, true
	}
	return 0, 0, false
}

// IsProhibited reports whether the angle phi (radians) lies in a
// prohibited range. Positions are measured as Residue measures them.
func (s *Sectors) IsProhibited(phi float64) bool {
	_, _, in := s.gapAt(s.Residue(phi))
	return in
}

// IsProhibitedPoint reports whether the point (z0, z1) lies in a prohibited
// range. The origin has no angle and lies in none.
func (s *Sectors) IsProhibitedPoint(z0, z1 float64) bool {
	if z0 == 0 && z1 == 0 {
		return false
	}
	return s.IsProhibited(math.Atan2(z1, z0))
}

// Apply is eq 4-7: z_new = (r cos phi', r sin phi'), r = hypot(z0, z1),
// phi = atan2(z1, z0), phi' = phi + Rotation when Shifted(phi).
//
// The output is guaranteed not to lie in a prohibited range, measured by
// atan2 of the output itself: when rounding puts the computed point on or
// across a range's boundary, its angle is moved SectorMargin radians into
// the allowed side, and a point too close to the origin for any allowed
// angle to be represented (subnormal coordinates) maps to the origin, which
// lies in no range. An input whose radius overflows float64 is rotated at
// half size and doubled back when the result is representable, else
// returned at half size. Non-finite input is an error.
func (s *Sectors) Apply(z0, z1 float64) (float64, float64, error) {
	if math.IsNaN(z0) || math.IsInf(z0, 0) || math.IsNaN(z1) || math.IsInf(z1, 0) {
		return 0, 0, fmt.Errorf("sector transform: input (%v, %v) is not finite", z0, z1)
	}
	r := math.Hypot(z0, z1)
	if r == 0 {
		return 0, 0, nil
	}
	if math.IsInf(r, 0) {
		// |z| overflows float64 (coordinates near MaxFloat64): rotate the
		// half-size point and double it back if the result is representable,
		// else keep it at half size (same angle).
		x, y, err := s.Apply(z0/2, z1/2)
		if err == nil && !math.IsInf(2*x, 0) && !math.IsInf(2*y, 0) {
			x, y = 2*x, 2*y
		}
		return x, y, err
	}
	phi := math.Atan2(z1, z0)
	if s.Shifted(phi) {
		phi += s.rotation
	}
	x, y := r*math.Cos(phi), r*math.Sin(phi)
	for try := 0; try < 3 && s.IsProhibitedPoint(x, y); try++ {
		phi = s.nudge(math.Atan2(y, x))
		x, y = r*math.Cos(phi), r*math.Sin(phi)
	}
	if s.IsProhibitedPoint(x, y) {
		return 0, 0, nil
	}
	return x, y, nil
}

// nudge returns an angle SectorMargin outside the prohibited range that
// theta (the output's measured angle) falls in, on the side of the range
// nearer to theta. theta is within rounding of the intended angle, which
// the rule put on or next to the range's boundary.
func (s *Sectors) nudge(theta float64) float64 {
	a := s.Residue(theta)
	if a >= s.period {
		a = 0
	}
	lo, hi, in := s.gapAt(a)
	if !in {
		return theta
	}
	if a-lo <= hi-a {
		return theta - (a - lo) - SectorMargin
	}
	return theta + (hi - a) + SectorMargin
}

// FloorMod is the floored modulo x - m*floor(x/m), computed as Python's
// float % does (fmod, then add m when the signs differ): the result is in
// [0, m) for m > 0, except that rounding may return m itself for tiny
// negative x.
func FloorMod(x, m float64) float64 {
	r := math.Mod(x, m)
	if r != 0 && (r < 0) != (m < 0) {
		r += m
	}
	if r == 0 {
		return math.Copysign(0, m)
	}
	return r
}
