package kate

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"errors"
	"math"
	"sort"

	"github.com/kate-web/kate/internal/mathf"
)

// Neighbor is a ranked match: a row index and its cosine similarity.
type Neighbor struct {
	Index int
	Score float32
}

// cosine returns the cosine similarity of a and b (0 when either is zero).
// It panics if the lengths differ.
func cosine(a, b []float32) float32 {
	if len(a) != len(b) {
		panic("kate: cosine of vectors of different lengths")
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(float64(a[i]) * float64(b[i]))
		na += float64(float64(a[i]) * float64(a[i]))
		nb += float64(float64(b[i]) * float64(b[i]))
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return float32(dot / math.Sqrt(na*nb))
}

// nearest ranks the rows of the row-major matrix rows (r x dim) by cosine
// similarity to query (length dim) and returns the n best, highest first
// (ties to the lower index). It errors when the shapes do not match or
// n < 1.
func nearest(query, rows []float32, dim, n int) ([]Neighbor, error) {
	if dim < 1 || len(query) != dim || len(rows)%dim != 0 {
		return nil, errors.New("kate: Nearest: query and rows do not have the same dimension")
	}
	if n < 1 {
		return nil, errorf("kate: Nearest needs n >= 1, got %d", n)
	}
	r := len(rows) / dim
	all := make([]Neighbor, r)
	for i := range all {
		all[i] = Neighbor{i, cosine(query, rows[i*dim:(i+1)*dim])}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].Score > all[b].Score })
	return all[:min(n, r)], nil
}

// Explanation shows what the k-competitive layer does with one document and
// how one reconstruction step's gradient reaches every hidden unit
// (docs/design.md §1.2–1.3). Slices have length K unless noted.
type Explanation struct {
	// Z are the encoder activations tanh(x W + b).
	Z []float32
	// H is the competition output: winners amplified, losers 0.
	H []float32
	// PosWinners and NegWinners are the winning units (ascending);
	// PosLosers and NegLosers the losing ones.
	PosWinners, NegWinners, PosLosers, NegLosers []int
	// PosEnergy is the summed activation of the positive losers, NegEnergy
	// the summed magnitude of the negative losers; each winner of a sign
	// receives Alpha times its sign's energy.
	PosEnergy, NegEnergy, Alpha float32
	// GradH is dL/dh, the gradient reaching the competition's outputs
	// (relevant at the winners only).
	GradH []float32
	// GradZ is dL/dz under Mode: winners directly, losers only through the
	// alpha connections (all zero in GradNone mode).
	GradZ []float32
	// Mode is the gradient mode of GradZ.
	Mode GradMode
	// Loss is the document's reconstruction cross-entropy with competition,
	// averaged over the V outputs.
	Loss float64
	// Terms are the document's vocabulary terms (ascending index), with their
	// input values in X.
	Terms []string
	X     []float32
}

// Explain runs one training step's forward and backward pass on text
// (without updating the model) and returns what the competition layer did
// and the gradient at every hidden unit under mode. The gradient is that
// of the loss of this single document (B = 1). It errors when the text has
// no vocabulary term or the mode is unknown.
func (m *Model) Explain(text string, mode GradMode) (*Explanation, error) {
	if mode != GradFull && mode != GradNone {
		return nil, errorf("kate: unknown gradient mode %d", mode)
	}
	x := m.Vectorize(text)
	if x.Nnz() == 0 {
		return nil, errors.New("kate: the text has no vocabulary term")
	}
	return m.explainVector(x, mode)
}

// explainVector is Explain for an input vector. It errors when x is
// malformed.
func (m *Model) explainVector(x SparseVector, mode GradMode) (*Explanation, error) {
	if err := x.Validate(m.vocab.Len()); err != nil {
		return nil, err
	}
	if mode != GradFull && mode != GradNone {
		return nil, errorf("kate: unknown gradient mode %d", mode)
	}
	p := m.params
	p.Grad = mode
	cp := &Model{params: p, vocab: m.vocab, wt: m.wt, b: m.b, c: m.c}
	t := &trainer{m: cp, v: m.vocab.Len()}
	ws := newWorkspace(t.v, p.Dim)
	t.step(ws, x, float32(1/float64(t.v)), true)
	e := &Explanation{
		Z: ws.z, H: ws.h, Alpha: p.Alpha, Mode: mode,
		PosEnergy: ws.comp.ep, NegEnergy: ws.comp.en,
		// The step's own backward pass filled dz (and left it zero in
		// GradNone mode, where it stops before the competition).
		GradH: ws.g, GradZ: ws.dz,
		Loss: ws.loss / float64(t.v),
	}
	for _, s := range []struct {
		src []int32
		dst *[]int
	}{{ws.comp.posW, &e.PosWinners}, {ws.comp.negW, &e.NegWinners}, {ws.comp.posL, &e.PosLosers}, {ws.comp.negL, &e.NegLosers}} {
		*s.dst = make([]int, len(s.src))
		for i, u := range s.src {
			(*s.dst)[i] = int(u)
		}
	}
	for q, i := range x.Indices {
		e.Terms = append(e.Terms, m.vocab.words[i])
		e.X = append(e.X, x.Values[q])
	}
	return e, nil
}

// Origin returns the embedding of a document without vocabulary terms,
// tanh(b) (length Dim). Every embedding shares this offset; trained KATE
// models have a large, common tanh(b), so similarities are best measured
// from it (see Model.Nearest).
func (m *Model) Origin() []float32 {
	o := make([]float32, m.params.Dim)
	for j, b := range m.b {
		o[j] = mathf.Tanh(b)
	}
	return o
}

// Nearest ranks the rows of the row-major matrix rows (r x Dim) by cosine
// similarity to query (length Dim), both measured from the model's Origin
// (the empty document's embedding), and returns the n best, highest first
// (ties to the lower index). Raw cosine is
// dominated by the offset every embedding shares and ranks poorly. It
// errors when the shapes do not match or n < 1.
func (m *Model) Nearest(query, rows []float32, n int) ([]Neighbor, error) {
	dim := m.params.Dim
	if len(query) != dim || len(rows)%dim != 0 {
		return nil, errorf("kate: Nearest: query length %d and rows length %d do not fit dimension %d", len(query), len(rows), dim)
	}
	o := m.Origin()
	q := make([]float32, dim)
	for j := range q {
		q[j] = query[j] - o[j]
	}
	c := make([]float32, len(rows))
	for i, v := range rows {
		c[i] = v - o[i%dim]
	}
	return nearest(q, c, dim, n)
}
