package kate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ref64 is an independent float64 implementation of the KATE loss, written
// densely from docs/design.md §1.2, used as the ground truth for finite
// differences.
type ref64 struct {
	v, k, kk int
	alpha    float64
	w        []float64 // V x K (the paper's W), row-major
	b, c     []float64
	// wEnc, when set, replaces w in the encoder (a stop-gradient copy).
	wEnc []float64
	// weights, when set, weighs output i of document d by weights[d][i]
	// (reconstruction sampling's importance weights).
	weights [][]float64
}

func newRef64(m *Model) *ref64 {
	v, k := m.vocab.Len(), m.params.Dim
	r := &ref64{v: v, k: k, kk: m.params.Winners, alpha: float64(m.params.Alpha),
		w: make([]float64, v*k), b: make([]float64, k), c: make([]float64, v)}
	for j := 0; j < k; j++ {
		for i := 0; i < v; i++ {
			r.w[i*k+j] = float64(m.wt[j*v+i])
		}
		r.b[j] = float64(m.b[j])
	}
	for i := 0; i < v; i++ {
		r.c[i] = float64(m.c[i])
	}
	return r
}

// compete64 applies the competition to z in float64.
func compete64(z []float64, kk int, alpha float64) []float64 {
	k := len(z)
	h := make([]float64, k)
	side := func(pos bool, quota int) {
		var idx []int
		for j, v := range z {
			if (pos && v > 0) || (!pos && v < 0) {
				idx = append(idx, j)
			}
		}
		// sort by magnitude desc, index asc
		for a := 1; a < len(idx); a++ {
			for b := a; b > 0; b-- {
				ma, mb := math.Abs(z[idx[b]]), math.Abs(z[idx[b-1]])
				if ma > mb || (ma == mb && idx[b] < idx[b-1]) {
					idx[b], idx[b-1] = idx[b-1], idx[b]
				}
			}
		}
		if len(idx) <= quota {
			for _, j := range idx {
				h[j] = z[j]
			}
			return
		}
		e := 0.0
		for _, j := range idx[quota:] {
			e += math.Abs(z[j])
		}
		for _, j := range idx[:quota] {
			if pos {
				h[j] = z[j] + float64(alpha*e)
			} else {
				h[j] = z[j] - float64(alpha*e)
			}
		}
	}
	side(true, (kk+1)/2)
	side(false, kk/2)
	return h
}

// loss returns the mean binary cross-entropy over the batch, with
// competition.
func (r *ref64) loss(xs [][]float64) float64 {
	we := r.w
	if r.wEnc != nil {
		we = r.wEnc
	}
	total := 0.0
	for d, x := range xs {
		z := make([]float64, r.k)
		for j := 0; j < r.k; j++ {
			a := r.b[j]
			for i := 0; i < r.v; i++ {
				a += float64(x[i] * we[i*r.k+j])
			}
			z[j] = math.Tanh(a)
		}
		h := compete64(z, r.kk, r.alpha)
		for i := 0; i < r.v; i++ {
			y := r.c[i]
			for j := 0; j < r.k; j++ {
				y += float64(h[j] * r.w[i*r.k+j])
			}
			sp := math.Max(y, 0) + math.Log1p(math.Exp(-math.Abs(y)))
			if r.weights != nil {
				total += float64(r.weights[d][i] * (sp - float64(x[i]*y)))
			} else {
				total += sp - float64(x[i]*y)
			}
		}
	}
	return total / float64(len(xs)*r.v)
}

// centralDifference returns the finite-difference derivative of the loss
// over xs with respect to the parameter *p (step 1e-6).
func (r *ref64) centralDifference(p *float64, xs [][]float64) float64 {
	const eps = 1e-6
	old := *p
	*p = old + eps
	lp := r.loss(xs)
	*p = old - eps
	lm := r.loss(xs)
	*p = old
	return (lp - lm) / (2 * eps)
}

// smallModel returns a random model and batch for gradient checks, with
// weights large enough that activations spread (no ties).
func smallModel(t testing.TB, v, k, kk int, alpha float32, docs int, seed uint64) (*Model, []SparseVector) {
	words := make([]string, v)
	for i := range words {
		words[i] = fmt.Sprintf("w%03d", i)
	}
	vocab, err := NewVocabulary(words)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newModel(Params{Dim: k, Winners: kk, Alpha: alpha, Grad: GradFull}, vocab, seed)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 99))
	for i := range m.wt {
		m.wt[i] = float32(r.NormFloat64() * 0.4)
	}
	for i := range m.b {
		m.b[i] = float32(r.NormFloat64() * 0.1)
	}
	for i := range m.c {
		m.c[i] = float32(r.NormFloat64() * 0.5)
	}
	return m, randomDocs(r, v, docs, 3, v/3)
}

func randomDocs(r *rand.Rand, v, n, minNnz, maxNnz int) []SparseVector {
	out := make([]SparseVector, n)
	for d := range out {
		nnz := minNnz + r.IntN(maxNnz-minNnz+1)
		seen := map[int32]bool{}
		var idx, cnt []int32
		for len(idx) < nnz {
			i := int32(r.IntN(v))
			if !seen[i] {
				seen[i] = true
				idx = append(idx, i)
				cnt = append(cnt, int32(1+r.IntN(5)))
			}
		}
		out[d], _ = countsToVector(idx, cnt)
	}
	return out
}

func dense64(xs []SparseVector, v int) [][]float64 {
	out := make([][]float64, len(xs))
	for d, x := range xs {
		out[d] = make([]float64, v)
		for q, i := range x.Indices {
			out[d][i] = float64(x.Values[q])
		}
	}
	return out
}

// analytic returns the gradient the sparse training step computes for the
// batch (gW is K x V like wt).
func analytic(m *Model, xs []SparseVector, mode GradMode) (gW, gB, gC []float32) {
	m.params.Grad = mode
	t := &trainer{m: m, v: m.vocab.Len()}
	ws := newWorkspace(t.v, m.params.Dim)
	scale := float32(1 / float64(len(xs)*t.v))
	for _, x := range xs {
		t.step(ws, x, scale, false)
	}
	return ws.gW, ws.gB, ws.gC
}

// analyticChunk is analytic with the encoder gradient deferred to the
// chunk's end, as training computes it (trainer.addEncoderGrads).
func analyticChunk(m *Model, xs []SparseVector, mode GradMode) (gW, gB, gC []float32) {
	m.params.Grad = mode
	t := &trainer{m: m, v: m.vocab.Len()}
	ws := newWorkspace(t.v, m.params.Dim)
	ws.deferEnc = true
	scale := float32(1 / float64(len(xs)*t.v))
	for _, x := range xs {
		t.step(ws, x, scale, false)
	}
	t.addEncoderGrads(ws, xs)
	return ws.gW, ws.gB, ws.gC
}

func checkClose(t *testing.T, what string, got, want float64) {
	t.Helper()
	tol := float64(2e-3*math.Abs(want)) + 2e-7
	if math.Abs(got-want) > tol {
		t.Errorf("%s: analytic %.9g, finite difference %.9g", what, got, want)
	}
}

func TestGradientFiniteDifferencesFull(t *testing.T) {
	for _, c := range []struct {
		name string
		grad func(*Model, []SparseVector, GradMode) ([]float32, []float32, []float32)
	}{{"per-document", analytic}, {"chunk", analyticChunk}} {
		for _, kk := range []int{2, 3, 8} {
			t.Run(fmt.Sprintf("%s/k=%d", c.name, kk), func(t *testing.T) {
				testGradientFull(t, c.grad, kk)
			})
		}
	}
}

// testGradientFull checks grad's weight, b and c gradients against finite
// differences of the float64 reference, with k winners.
func testGradientFull(t *testing.T, grad func(*Model, []SparseVector, GradMode) ([]float32, []float32, []float32), kk int) {
	m, xs := smallModel(t, 24, 8, kk, 2.5, 3, uint64(kk))
	gW, gB, gC := grad(m, xs, GradFull)
	r := newRef64(m)
	xd := dense64(xs, r.v)
	fd := func(p *float64) float64 { return r.centralDifference(p, xd) }
	nonzero := 0
	for j := 0; j < r.k; j++ {
		for i := 0; i < r.v; i++ {
			want := fd(&r.w[i*r.k+j])
			checkClose(t, fmt.Sprintf("dL/dW[%d,%d]", i, j), float64(gW[j*r.v+i]), want)
			if want != 0 {
				nonzero++
			}
		}
		checkClose(t, fmt.Sprintf("dL/db[%d]", j), float64(gB[j]), fd(&r.b[j]))
	}
	for i := 0; i < r.v; i++ {
		checkClose(t, fmt.Sprintf("dL/dc[%d]", i), float64(gC[i]), fd(&r.c[i]))
	}
	if nonzero < r.v*r.k/4 {
		t.Errorf("only %d non-zero weight gradients: the check is too weak", nonzero)
	}
}

// In GradNone mode no gradient passes through the competition: the
// encoder is a constant, so the gradient is that of the loss with the
// encoder's weights frozen, and b receives none.
func TestGradientFiniteDifferencesNone(t *testing.T) {
	m, xs := smallModel(t, 24, 8, 4, 6.26, 3, 7)
	gW, gB, gC := analytic(m, xs, GradNone)
	r := newRef64(m)
	r.wEnc = append([]float64(nil), r.w...)
	xd := dense64(xs, r.v)
	fd := func(p *float64) float64 { return r.centralDifference(p, xd) }
	for j := 0; j < r.k; j++ {
		for i := 0; i < r.v; i++ {
			checkClose(t, fmt.Sprintf("dL/dW[%d,%d]", i, j), float64(gW[j*r.v+i]), fd(&r.w[i*r.k+j]))
		}
		if gB[j] != 0 {
			t.Errorf("none mode: dL/db[%d] = %v, want 0", j, gB[j])
		}
	}
	for i := 0; i < r.v; i++ {
		checkClose(t, fmt.Sprintf("dL/dc[%d]", i), float64(gC[i]), fd(&r.c[i]))
	}
}

// The loss the training step reports equals the reference loss.
func TestStepLossMatchesReference(t *testing.T) {
	m, xs := smallModel(t, 30, 6, 2, 6.26, 4, 3)
	tr := &trainer{m: m, v: 30}
	ws := newWorkspace(30, 6)
	for _, x := range xs {
		tr.step(ws, x, 1, true)
	}
	got := ws.loss / float64(len(xs)*30)
	want := newRef64(m).loss(dense64(xs, 30))
	if math.Abs(got-want) > 1e-5*want {
		t.Errorf("step loss %v, reference %v", got, want)
	}
}

// The explanation of one document shows losers receiving gradient only
// through alpha in full mode, and nothing in none mode.
func TestExplainLosersLearn(t *testing.T) {
	m, xs := smallModel(t, 30, 8, 2, 6.26, 1, 5)
	e, err := m.explainVector(xs[0], GradFull)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.PosWinners)+len(e.NegWinners) != 2 {
		t.Fatalf("winners %v %v", e.PosWinners, e.NegWinners)
	}
	var sp, sn float32
	for _, i := range e.PosWinners {
		sp += e.GradH[i]
		if e.GradZ[i] != e.GradH[i] {
			t.Errorf("winner %d: dz %v != dh %v", i, e.GradZ[i], e.GradH[i])
		}
	}
	for _, i := range e.NegWinners {
		sn += e.GradH[i]
	}
	if len(e.PosLosers)+len(e.NegLosers) == 0 {
		t.Fatal("no losers")
	}
	for _, j := range e.PosLosers {
		if e.H[j] != 0 || e.GradZ[j] != e.Alpha*sp || e.GradZ[j] == 0 {
			t.Errorf("positive loser %d: h %v dz %v, want 0 and %v", j, e.H[j], e.GradZ[j], e.Alpha*sp)
		}
	}
	for _, j := range e.NegLosers {
		if e.H[j] != 0 || e.GradZ[j] != e.Alpha*sn {
			t.Errorf("negative loser %d: h %v dz %v, want 0 and %v", j, e.H[j], e.GradZ[j], e.Alpha*sn)
		}
	}
	none, err := m.explainVector(xs[0], GradNone)
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range none.GradZ {
		if v != 0 {
			t.Errorf("none mode: dz[%d] = %v", j, v)
		}
	}
	if m.Params().Grad != GradFull {
		t.Error("ExplainVector changed the model's gradient mode")
	}
	if _, err := m.Explain("zzzz qqqq", GradFull); err == nil {
		t.Error("Explain of a text without vocabulary terms did not fail")
	}
}

// The trainer's encoder reads the transposed copy of the weights: after
// every update it must equal the weights transposed, and the gradient of a
// step must be the same bits as from a trainer without it (which gathers
// from the K x V weights, as encoding does).
func TestTransposedWeightsStayInStep(t *testing.T) {
	m, xs := smallModel(t, 37, 13, 5, 2.5, 24, 5)
	cfg := DefaultConfig()
	tr := newTrainer(m, cfg)
	for round := range 3 {
		tr.batch(xs, 0.5, false)
		k, v := m.params.Dim, tr.v
		for j := range k {
			for i := range v {
				if math.Float32bits(tr.wT[i*k+j]) != math.Float32bits(m.wt[j*v+i]) {
					t.Fatalf("round %d: wT[%d,%d] = %v, wt[%d,%d] = %v", round, i, j, tr.wT[i*k+j], j, i, m.wt[j*v+i])
				}
			}
		}
	}
	gW, gB, gC := analytic(m, xs, GradFull) // a trainer without wT
	ws := newWorkspace(tr.v, m.params.Dim)
	scale := float32(1 / float64(len(xs)*tr.v))
	for _, x := range xs {
		tr.step(ws, x, scale, false)
	}
	for _, c := range []struct {
		name      string
		want, got []float32
	}{{"gW", gW, ws.gW}, {"gB", gB, ws.gB}, {"gC", gC, ws.gC}} {
		for i := range c.want {
			if math.Float32bits(c.want[i]) != math.Float32bits(c.got[i]) {
				t.Fatalf("%s[%d]: %v with the transposed weights, %v without", c.name, i, c.got[i], c.want[i])
			}
		}
	}
}

// Under reconstruction sampling the trainer keeps W, its accumulators and
// the gradients V x K (layoutT): training must give the same bits as the
// K x V layout, and m.wt must follow the master copy once settled.
func TestSamplingLayoutSameBits(t *testing.T) {
	m1, xs := smallModel(t, 41, 12, 5, 2.5, 30, 8)
	m2, _ := smallModel(t, 41, 12, 5, 2.5, 30, 8)
	train := func(m *Model, layoutT bool) *trainer {
		tr := samplingTrainer(m, xs, 0.7)
		tr.layoutT = layoutT
		for range 4 {
			tr.seedSampling()
			for c, ws := range tr.ws {
				ws.loss = 0
				lo := c * len(xs) / trainChunks
				for _, x := range xs[lo : (c+1)*len(xs)/trainChunks] {
					tr.step(ws, x, 0.01, false)
				}
			}
			tr.reduceAndUpdate(0.5)
		}
		tr.settle()
		return tr
	}
	tr1 := train(m1, true)
	if !tr1.layoutT {
		t.Fatal("sampling did not switch to the V x K layout")
	}
	train(m2, false)
	k, v := m1.params.Dim, tr1.v
	for j := range k {
		for i := range v {
			if math.Float32bits(m1.wt[j*v+i]) != math.Float32bits(m2.wt[j*v+i]) {
				t.Fatalf("wt[%d,%d] = %v in the V x K layout, %v in K x V", j, i, m1.wt[j*v+i], m2.wt[j*v+i])
			}
			if math.Float32bits(tr1.wT[i*k+j]) != math.Float32bits(m1.wt[j*v+i]) {
				t.Fatalf("wT[%d,%d] = %v, wt = %v", i, j, tr1.wT[i*k+j], m1.wt[j*v+i])
			}
		}
	}
	for i := range m1.c {
		if math.Float32bits(m1.c[i]) != math.Float32bits(m2.c[i]) {
			t.Fatalf("c[%d] differs", i)
		}
	}
}

// Training defers the encoder gradient of the K x V layout to the chunk's
// end: each chunk's gradient is the same bits as its documents' steps with
// the deferral and addEncoderGrads, whatever the rows per block
// (encRowBlock, a cache setting), and the deferred lists are empty
// afterwards.
func TestEncoderGradsDeferred(t *testing.T) {
	const per = 7
	m0, xs := smallModel(t, 37, 13, 5, 2.5, trainChunks*per, 9)
	scale := float32(1 / (float64(len(xs)) * 37))
	ref := newTrainer(m0, DefaultConfig())
	want := make([][]float32, trainChunks)
	for c := range want {
		ws := newWorkspace(37, 13)
		ws.deferEnc = true
		for _, x := range xs[c*per : (c+1)*per] {
			ref.step(ws, x, scale, false)
		}
		ref.addEncoderGrads(ws, xs[c*per:(c+1)*per])
		want[c] = ws.gW
	}
	defer func(old int) { encRowBlock = old }(encRowBlock)
	for _, rb := range []int{1, 3, 8, 13, 64} {
		encRowBlock = rb
		m, _ := smallModel(t, 37, 13, 5, 2.5, trainChunks*per, 9)
		tr := newTrainer(m, DefaultConfig())
		tr.serial = true
		tr.chunks(xs, false, 0, trainChunks)
		for c, ws := range tr.ws {
			if ws.deferEnc || len(ws.encDA) != 0 {
				t.Fatalf("rows per block %d: chunk %d kept its deferred gradients", rb, c)
			}
			for i, g := range ws.gW {
				if math.Float32bits(g) != math.Float32bits(want[c][i]) {
					t.Fatalf("rows per block %d: chunk %d: gW[%d] = %v, want %v", rb, c, i, g, want[c][i])
				}
			}
		}
	}
}
