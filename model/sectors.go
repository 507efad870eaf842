package model

import (
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified

	"github.com/lsconf/lsconf/latent"
)

// SectorMargin32 is how far, in radians, the transform keeps a float32
// output from a prohibited range when rounding to float32 puts it on or
// across a boundary. float32 coordinates carry an angle to about 1e-7
// rad; the margin is a hundred times that, and 0.0006 degrees is nothing
// a person would see.
const SectorMargin32 = 1e-5

// sectorClamp bounds the coordinates entering the transform so that the
// rotated point stays finite in float32 (|z| <= sqrt(2)*1e30). No trained
// network comes near it; it only matters for adversarial inputs.
const sectorClamp = 1e30

// SectorTransform applies the polar encoder configuration s (eq 4-7) to
// z [B, 2] inside a graph, for training and inference.
//
// The decision is latent's float64 rule, evaluated in float64 on z (the
// same atan2, floored modulo and constants, so it decides exactly as
// latent.(*Sectors).Shifted does on float64(z)). The output is z rotated by
// the chosen angle, which is eq 7 written as a rotation: r*cos(phi+theta),
// r*sin(phi+theta) = R(theta) z. Written this way the gradient is the
// rotation matrix, finite everywhere including the origin; the angle is a
// piecewise-constant function of z and carries no gradient.
//
// The output is then rounded to z's dtype, and its own angle (measured in
// float64, as latent.(*Sectors).IsProhibitedPoint measures it) is checked:
// if rounding put it on or across a boundary of a prohibited range, the
// rotation is corrected to put it SectorMargin32 (float32) or
// latent.SectorMargin (float64) inside the nearer allowed side, twice at
// most; a point still prohibited after that (only subnormal coordinates,
// whose angle rounding cannot carry) maps to the origin, which lies in no
// range. Coordinates are clamped to +-1e30 first.
func SectorTransform(z *Node, s *latent.Sectors) *Node {
	dt := z.DType()
	margin := SectorMargin32
	if dt == dtypes.Float64 {
		margin = latent.SectorMargin
	}
	z64 := z
	if dt != dtypes.Float64 {
		z64 = ConvertDType(z, dtypes.Float64)
	}
	z64 = ClipScalar(z64, -sectorClamp, sectorClamp)
	phi := StopGradient(angle(z64))
	theta := Where(shiftedRule(phi, s), ConstAs(phi, s.Rotation()), ZerosLike(phi))
	out := ConvertDType(rotate(z64, theta), dt)
	for try := 0; try < 2; try++ {
		o := StopGradient(ConvertDType(out, dtypes.Float64))
		theta = Add(theta, nudgeAngle(o, s, margin))
		out = ConvertDType(rotate(z64, theta), dt)
	}
	o := StopGradient(ConvertDType(out, dtypes.Float64))
	bad := BroadcastToShape(InsertAxes(prohibited(o, s), -1), out.Shape())
	return Where(bad, ZerosLike(out), out)
}

// angle returns atan2(z1, z0) of z [B, 2] as [B].
func angle(z *Node) *Node {
	return Atan2(coord(z, 1), coord(z, 0))
}

// coord returns column k of z [B, 2] as [B].
func coord(z *Node, k int) *Node {
	return Reshape(Slice(z, AxisRange(), AxisRange(k, k+1)), z.Shape().Dimensions[0])
}

// rotate returns z [B, 2] rotated by theta [B] (a constant of the
// gradient).
func rotate(z, theta *Node) *Node {
	theta = StopGradient(theta)
	c, s := Cos(theta), Sin(theta)
	z0, z1 := coord(z, 0), coord(z, 1)
	x := Sub(Mul(c, z0), Mul(s, z1))
	y := Add(Mul(s, z0), Mul(c, z1))
	return Stack([]*Node{x, y}, 1)
}

// floorMod is latent.FloorMod for a positive constant m: math.Mod, plus m
// when the remainder is negative.
func floorMod(x *Node, m float64) *Node {
	r := Rem(x, ConstAs(x, m))
	return Where(LessThan(r, ZerosLike(r)), AddScalar(r, m), r)
}

// residue is latent.(*Sectors).Residue.
func residue(phi *Node, s *latent.Sectors) *Node {
	return floorMod(AddScalar(phi, -s.Offset()), s.Period())
}

// shiftedRule is latent.(*Sectors).Shifted on angles phi [B] (float64).
func shiftedRule(phi *Node, s *latent.Sectors) *Node {
	a := residue(phi, s)
	if s.Kind() == latent.KindPaperEq6 {
		pi := float64(math.Pi) // float64 arithmetic, as latent does
		return GreaterThan(floorMod(a, 2*pi/9), ConstAs(a, pi/18))
	}
	return GreaterThan(a, ConstAs(a, s.ClassWidth()))
}

// gap is latent's gapAt on residues a [B]: whether a lies in a
// prohibited range and that range's ends (lo, hi).
func gap(a *Node, s *latent.Sectors) (in, lo, hi *Node) {
	a = Where(GreaterOrEqual(a, ConstAs(a, s.Period())), ZerosLike(a), a)
	if s.Kind() == latent.KindPaperEq6 {
		const deg = math.Pi / 180
		in1 := LogicalAnd(GreaterThan(a, ConstAs(a, 10*deg)), LessOrEqual(a, ConstAs(a, 20*deg)))
		in2 := LogicalAnd(GreaterOrEqual(a, ConstAs(a, 30*deg)), LessThan(a, ConstAs(a, 40*deg)))
		lo = Where(in1, ConstAs(a, 10*deg), ConstAs(a, 30*deg))
		hi = Where(in1, ConstAs(a, 20*deg), ConstAs(a, 40*deg))
		return LogicalOr(in1, in2), BroadcastToShape(lo, a.Shape()), BroadcastToShape(hi, a.Shape())
	}
	in = GreaterThan(a, ConstAs(a, s.ClassWidth()))
	return in, BroadcastToShape(ConstAs(a, s.ClassWidth()), a.Shape()), BroadcastToShape(ConstAs(a, s.Period()), a.Shape())
}

// notOrigin is true for points [B, 2] that are not (0, 0).
func notOrigin(o *Node) *Node {
	zero := ZerosLike(coord(o, 0))
	return LogicalOr(NotEqual(coord(o, 0), zero), NotEqual(coord(o, 1), zero))
}

// prohibited is latent.(*Sectors).IsProhibitedPoint on points o [B, 2]
// (float64).
func prohibited(o *Node, s *latent.Sectors) *Node {
	in, _, _ := gap(residue(angle(o), s), s)
	return LogicalAnd(in, notOrigin(o))
}

// nudgeAngle returns, for each point o [B, 2] (float64), the extra
// rotation that moves it margin radians out of the prohibited range it
// lies in, towards the nearer end; 0 for allowed points and the origin.
func nudgeAngle(o *Node, s *latent.Sectors, margin float64) *Node {
	a := residue(angle(o), s)
	in, lo, hi := gap(a, s)
	a = Where(GreaterOrEqual(a, ConstAs(a, s.Period())), ZerosLike(a), a)
	below, above := Sub(a, lo), Sub(hi, a)
	d := Where(LessOrEqual(below, above), AddScalar(Neg(below), -margin), AddScalar(above, margin))
	return Where(LogicalAnd(in, notOrigin(o)), d, ZerosLike(d))
}
