package search

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lsconf/lsconf/latent"
)

//go:embed vocab.txt
var defaultVocab string

// DefaultVocabulary is the text of the built-in vocabulary file.
func DefaultVocabulary() string { return defaultVocab }

// ErrUnknownWords is returned (wrapped) for a text query with words the
// vocabulary does not know; the message lists what is known.
var ErrUnknownWords = errors.New("unknown words")

// Vocab maps words and phrases to LS points for one run's classes and
// layout (paper 6.3). It holds no mutable state after construction.
type Vocab struct {
	layout  *latent.Layout
	classes []string
	class   map[string]int    // normalised class name -> index
	phrases map[string]string // normalised phrase -> expression
	order   map[string]int    // normalised phrase -> first line read
}

// NewVocab builds a vocabulary for the run's classes and layout from the
// built-in file and then each extra file's text (later entries win).
// Entries whose expression names a class the run lacks are dropped.
func NewVocab(l *latent.Layout, classes []string, extra ...string) (*Vocab, error) {
	if l == nil || len(classes) != l.NC() {
		return nil, fmt.Errorf("vocabulary: %d class names for a layout of %d classes", len(classes), l.NC())
	}
	v := &Vocab{layout: l, classes: classes, class: map[string]int{}, phrases: map[string]string{}, order: map[string]int{}}
	for i, c := range classes {
		v.class[normalize(c)] = i
	}
	for i, text := range append([]string{defaultVocab}, extra...) {
		if err := v.parse(text); err != nil {
			if i == 0 {
				return nil, fmt.Errorf("built-in vocabulary: %w", err)
			}
			return nil, fmt.Errorf("vocabulary file %d: %w", i, err)
		}
	}
	// Drop entries that do not resolve with this run's classes.
	for changed := true; changed; {
		changed = false
		for p, e := range v.phrases {
			if _, err := v.resolve(e, 0); err != nil {
				delete(v.phrases, p)
				changed = true
			}
		}
	}
	return v, nil
}

// LoadVocabFile reads a vocabulary file for NewVocab's extra argument.
func LoadVocabFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("vocabulary %s: %w", path, err)
	}
	return string(b), nil
}

func (v *Vocab) parse(text string) error {
	for n, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		lhs, rhs, ok := strings.Cut(line, "=")
		rhs = normalize(rhs)
		if !ok || rhs == "" {
			return fmt.Errorf("line %d: want \"phrase, phrase = expression\", got %q", n+1, strings.TrimSpace(line))
		}
		for _, p := range strings.Split(lhs, ",") {
			if p = normalize(p); p != "" {
				v.phrases[p] = rhs
				if _, ok := v.order[p]; !ok {
					v.order[p] = len(v.order)
				}
			}
		}
	}
	return nil
}

// normalize lower-cases s, turns separators into spaces and collapses runs
// of spaces; it keeps letters, digits, '.', '+', a '-' before a digit, and
// spaces.
func normalize(s string) string {
	var b strings.Builder
	rs := []rune(strings.ToLower(s))
	for i, r := range rs {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '+', r > 127:
			b.WriteRune(r)
		case r == '-' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			b.WriteRune(r) // a negative weight, refused later with a message
		default:
			b.WriteByte(' ')
		}
	}
	s = strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "+", " + ")), " ")
	return s
}

// Known lists the words and phrases the vocabulary understands (class
// names first), sorted.
func (v *Vocab) Known() []string {
	out := slices.Clone(v.classes)
	var ps []string
	for p := range v.phrases {
		if _, isClass := v.class[p]; !isClass {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return append(out, ps...)
}

// Examples are a few queries this vocabulary answers, for a search box's
// placeholder: the first phrase read for each of the first two classes
// that have one (else the class names), a "between A and B" and a
// "0.7 A + 0.3 B" of the run's own class names.
func (v *Vocab) Examples() []string {
	var out []string
	for i := range v.classes {
		if len(out) == 2 {
			break
		}
		best, at := "", -1
		for p, e := range v.phrases {
			if _, isClass := v.class[p]; isClass {
				continue
			}
			b, err := v.resolve(e, 0)
			if err != nil || b.random || !onlyClass(b.w, i) {
				continue
			}
			if o := v.order[p]; at < 0 || o < at {
				best, at = p, o
			}
		}
		if best != "" {
			out = append(out, best)
		}
	}
	n := len(v.classes)
	for i := 0; len(out) < 2 && i < n; i++ {
		out = append(out, v.classes[i])
	}
	if n >= 2 {
		a, b := v.classes[n-2], v.classes[n-1]
		out = append(out, fmt.Sprintf("between %s and %s", a, b), fmt.Sprintf("0.7 %s + 0.3 %s", a, v.classes[0]))
	}
	return slices.Compact(out)
}

// onlyClass reports whether the blend weights w name class i alone.
func onlyClass(w []float64, i int) bool {
	for c, x := range w {
		if (c == i) != (x > 0) {
			return false
		}
	}
	return true
}

// Term is one class of a query blend and its normalised weight.
type Term struct {
	Class  string  `json:"class"`
	Weight float64 `json:"weight"`
}

// Target is the LS point a text query maps to.
type Target struct {
	// Text is the query as given.
	Text string `json:"text"`
	// Terms is the blend of class centres (weights sum to 1).
	Terms []Term `json:"terms"`
	// Random is set when the point was drawn inside a cluster.
	Random bool `json:"random,omitempty"`
	// Point is the LS point (n_d values); for a blend of several classes
	// the point on the arc between their centres, nil when there is none
	// (see blend.go).
	Point []float64 `json:"point"`
	// Note says how a blend was searched (blend.go); empty otherwise.
	Note string `json:"note,omitempty"`
}

// blend is a resolved expression: weights per class and a random flag.
type blend struct {
	w      []float64
	random bool
}

const grammar = `a class or phrase ("plaid"), "between A and B", "0.7 A + 0.3 B", "random A"`

// fillers are words dropped when a phrase is not known as written.
var fillers = map[string]bool{"a": true, "an": true, "the": true, "texture": true, "textures": true, "pattern": true,
	"patterns": true, "fabric": true, "cloth": true, "clothes": true, "print": true, "with": true, "of": true, "in": true, "cluster": true, "point": true}

// Parse maps a text query to an LS point. Random points (the "random"
// keyword, or random=true for the whole query) are drawn uniformly inside
// the cluster's radius with the seed.
func (v *Vocab) Parse(text string, random bool, seed uint64) (Target, error) {
	t := Target{Text: text}
	q := normalize(text)
	if q == "" {
		return t, fmt.Errorf("text query: empty; %s", v.knownMessage())
	}
	b, err := v.resolve(q, 0)
	if err != nil {
		return t, err
	}
	if err := checkBlend(b.w, text); err != nil {
		return t, err
	}
	b.random = b.random || random
	nd := v.layout.ND()
	t.Point = make([]float64, nd)
	sum := 0.0
	for _, w := range b.w {
		sum += w
	}
	radius := math.Inf(1)
	for i, w := range b.w {
		if w == 0 {
			continue
		}
		t.Terms = append(t.Terms, Term{Class: v.classes[i], Weight: w / sum})
		c := v.layout.Center(i)
		for k := range t.Point {
			t.Point[k] += w / sum * c[k]
		}
		radius = min(radius, v.layout.Radius(i))
	}
	if b.random {
		t.Random = true
		t.Point = inBall(randomSource(seed), t.Point, radius)
	}
	return t, nil
}

// randomSource is the generator of a random text query's points.
func randomSource(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x7e47)) }

// inBall returns a point drawn uniformly in the n_d ball of radius r
// around centre (a Gaussian direction, radius r*U^(1/n_d)).
func inBall(rng *rand.Rand, centre []float64, r float64) []float64 {
	nd := len(centre)
	dir := make([]float64, nd)
	norm := 0.0
	for k := range dir {
		dir[k] = rng.NormFloat64()
		norm += dir[k] * dir[k]
	}
	norm = math.Sqrt(norm)
	r *= math.Pow(rng.Float64(), 1/float64(nd))
	p := slices.Clone(centre)
	for k := range p {
		if norm > 0 {
			p[k] += r * dir[k] / norm
		}
	}
	return p
}

func (v *Vocab) knownMessage() string {
	return fmt.Sprintf("known words: %s; forms: %s", strings.Join(v.Known(), ", "), grammar)
}

// resolve turns a normalised expression into a blend.
func (v *Vocab) resolve(q string, depth int) (blend, error) {
	if depth > 8 {
		return blend{}, fmt.Errorf("text query: vocabulary entries refer to each other in a loop at %q", q)
	}
	if b, ok := v.lookup(q, depth); ok {
		return b, nil
	}
	words := strings.Fields(q)
	// random X / a random point in X
	if len(words) > 1 && (words[0] == "random" || (words[0] == "a" && words[1] == "random")) {
		rest := strings.Join(words[slices.Index(words, "random")+1:], " ")
		b, err := v.resolve(rest, depth+1)
		b.random = true
		return b, err
	}
	// between A and B / mix of A and B
	if len(words) > 2 && (words[0] == "between" || (words[0] == "mix" && words[1] == "of")) {
		rest := strings.TrimPrefix(strings.TrimPrefix(q, "between "), "mix of ")
		if a, bb, ok := strings.Cut(rest, " and "); ok {
			return v.combine([]string{a, bb}, []float64{1, 1}, depth)
		}
	}
	// w1 A + w2 B + ...
	if strings.Contains(q, "+") {
		var parts []string
		var ws []float64
		for _, p := range strings.Split(q, "+") {
			f := strings.Fields(p)
			w := 1.0
			if len(f) > 1 {
				if x, err := strconv.ParseFloat(f[0], 64); err == nil {
					if err := checkWeight(x, f[0], q); err != nil {
						return blend{}, err
					}
					w, f = x, f[1:]
				}
			}
			parts = append(parts, strings.Join(f, " "))
			ws = append(ws, w)
		}
		return v.combine(parts, ws, depth)
	}
	// Drop filler words ("a plaid pattern").
	var kept []string
	for _, w := range words {
		if !fillers[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) > 0 && len(kept) < len(words) {
		if b, ok := v.lookup(strings.Join(kept, " "), depth); ok {
			return b, nil
		}
	}
	var unknown []string
	for _, w := range kept {
		if _, ok := v.lookup(w, depth); !ok && !v.partOfKnown(w) {
			unknown = append(unknown, w)
		}
	}
	if len(unknown) == 0 {
		unknown = []string{q}
	}
	return blend{}, fmt.Errorf("text query %q: %w %q; %s", q, ErrUnknownWords, strings.Join(unknown, " "), v.knownMessage())
}

// lookup resolves a whole phrase: a class name or a vocabulary entry,
// also without a plural s or with one.
func (v *Vocab) lookup(p string, depth int) (blend, bool) {
	for _, c := range []string{p, strings.TrimSuffix(p, "s"), p + "s"} {
		if i, ok := v.class[c]; ok {
			w := make([]float64, len(v.classes))
			w[i] = 1
			return blend{w: w}, true
		}
		if e, ok := v.phrases[c]; ok && e != c {
			if b, err := v.resolve(e, depth+1); err == nil {
				return b, true
			}
		}
	}
	return blend{}, false
}

// partOfKnown reports whether w is a word of a known phrase.
func (v *Vocab) partOfKnown(w string) bool {
	for p := range v.phrases {
		if slices.Contains(strings.Fields(p), w) {
			return true
		}
	}
	return false
}

func (v *Vocab) combine(parts []string, ws []float64, depth int) (blend, error) {
	out := blend{w: make([]float64, len(v.classes))}
	total := 0.0
	for i, p := range parts {
		b, err := v.resolve(strings.TrimSpace(p), depth+1)
		if err != nil {
			return blend{}, err
		}
		s := 0.0
		for _, x := range b.w {
			s += x
		}
		for c, x := range b.w {
			out.w[c] += ws[i] * x / s
		}
		total += ws[i]
		out.random = out.random || b.random
	}
	if total == 0 {
		return blend{}, fmt.Errorf("text query: all weights are 0")
	}
	return out, nil
}
