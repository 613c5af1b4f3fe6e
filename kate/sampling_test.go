package kate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/kate-web/kate/internal/mathf"
)

// samplingTrainer returns a trainer on m with reconstruction sampling at
// ratio, its proposal built from the document frequencies of xs.
func samplingTrainer(m *Model, xs []SparseVector, ratio float64) *trainer {
	cfg := DefaultConfig()
	cfg.Sampling = ratio
	t := newTrainer(m, cfg)
	t.useSampling(docFreq(xs, m.vocab.Len()))
	return t
}

// With a fixed draw, the sampled step's gradient is the exact gradient of
// the importance-weighted loss Σ_d Σ_{i drawn} w_i·ℓ_i (checked against
// finite differences of the float64 reference with those weights).
func TestSamplingFiniteDifferences(t *testing.T) {
	m, xs := smallModel(t, 40, 8, 4, 2.5, 3, 11)
	tr := samplingTrainer(m, xs, 0.5)
	ws := tr.ws[0]
	v := tr.v
	scale := float32(1 / float64(len(xs)*v))
	weights := make([][]float64, len(xs))
	sampledZeros := 0
	for d, x := range xs {
		ws.pcg.Seed(5, uint64(d))
		tr.step(ws, x, scale, false)
		// The same stream again gives the same draw: record its weights.
		ws.pcg.Seed(5, uint64(d))
		tr.smp.draw(ws, x, &ws.pcg)
		weights[d] = make([]float64, v)
		for s, i := range ws.out {
			weights[d][i] = float64(ws.ow[s])
			if s >= len(x.Indices) {
				sampledZeros++
			}
		}
	}
	if sampledZeros < 10 {
		t.Fatalf("only %d zero outputs drawn: the check is too weak", sampledZeros)
	}
	r := newRef64(m)
	r.weights = weights
	xd := dense64(xs, v)
	fd := func(p *float64) float64 { return r.centralDifference(p, xd) }
	gW := tr.gradW(ws)
	for j := 0; j < r.k; j++ {
		for i := 0; i < v; i++ {
			checkClose(t, fmt.Sprintf("dL/dW[%d,%d]", i, j), float64(gW[j*v+i]), fd(&r.w[i*r.k+j]))
		}
		checkClose(t, fmt.Sprintf("dL/db[%d]", j), float64(ws.gB[j]), fd(&r.b[j]))
	}
	for i := 0; i < v; i++ {
		checkClose(t, fmt.Sprintf("dL/dc[%d]", i), float64(ws.gC[i]), fd(&r.c[i]))
	}
}

// Over many draws, the sampled loss and gradient average to the exact ones
// (importance weights make them unbiased): every mean is within 5 standard
// errors of the exact value.
func TestSamplingUnbiased(t *testing.T) {
	m, xs := smallModel(t, 60, 8, 4, 2.5, 2, 5)
	exact := &trainer{m: m, v: 60}
	wsE := newWorkspace(60, 8)
	for _, x := range xs {
		exact.step(wsE, x, 1, true)
	}
	tr := samplingTrainer(m, xs, 0.25)
	ws := tr.ws[0]
	n := len(wsE.gW) + len(wsE.gC) + 1
	sum, sum2 := make([]float64, n), make([]float64, n)
	const trials = 3000
	for trial := range trials {
		clear(ws.gW)
		clear(ws.gB)
		clear(ws.gC)
		ws.loss = 0
		for d, x := range xs {
			ws.pcg.Seed(uint64(trial), uint64(d))
			tr.step(ws, x, 1, true)
		}
		k := 0
		for _, g := range [][]float32{tr.gradW(ws), ws.gC, {float32(ws.loss)}} {
			for _, e := range g {
				sum[k] += float64(e)
				sum2[k] += float64(float64(e) * float64(e))
				k++
			}
		}
	}
	want := append(append(f64s(wsE.gW), f64s(wsE.gC)...), wsE.loss)
	bad, varied := 0, 0
	for k := range want {
		mean := sum[k] / trials
		se := math.Sqrt(math.Max(sum2[k]/trials-float64(mean*mean), 0) / trials)
		if se > 0 {
			varied++
		}
		if math.Abs(mean-want[k]) > float64(5*se)+float64(1e-5*math.Abs(want[k]))+1e-7 {
			bad++
			if bad <= 5 {
				t.Errorf("entry %d of %d: mean of the sampled estimates %.6g (standard error %.3g), exact %.6g", k, n, mean, se, want[k])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d means away from the exact values", bad, n)
	}
	if varied < n/4 {
		t.Errorf("only %d of %d estimates vary: the sample is not random", varied, n)
	}
}

func f64s(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// Training with sampling is deterministic (same bytes on one goroutine and
// on all cores) and learns: the validation loss (exact) falls.
func TestTrainSampling(t *testing.T) {
	texts, _ := synthCorpus(400, 8, 3)
	cfg := smallConfig()
	cfg.Sampling = 2
	cfg.Epochs = 6
	var first, last float64
	m1, err := Train(context.Background(), texts, cfg, TrainOptions{Progress: func(p Progress) {
		if p.EpochDone {
			if p.Epoch == 1 {
				first = p.ValLoss
			}
			last = p.ValLoss
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !(last < first) {
		t.Errorf("validation loss %v after the first epoch, %v at the end: not learning", first, last)
	}
	b1, _ := m1.MarshalBinary()
	old := runtime.GOMAXPROCS(1)
	m2, err := Train(context.Background(), texts, cfg, TrainOptions{})
	runtime.GOMAXPROCS(old)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := m2.MarshalBinary()
	if string(b1) != string(b2) {
		t.Error("sampling: the model differs between one goroutine and all cores")
	}
	cfg.Sampling = 0
	m3, _ := Train(context.Background(), texts, cfg, TrainOptions{})
	b3, _ := m3.MarshalBinary()
	if string(b3) == string(b1) {
		t.Error("sampling changed nothing")
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1), MaxSampling + 1} {
		cfg.Sampling = bad
		if cfg.Validate() == nil {
			t.Errorf("sampling %v accepted", bad)
		}
	}
}

// Training under reconstruction sampling keeps the K x V weights stale
// between batches (settle copies them from the V x K master at each epoch's
// end): the trained model must be the same bytes as with the K x V layout,
// which updates m.wt itself after every batch, and so must every epoch's
// validation loss.
func TestSampledTrainingSettles(t *testing.T) {
	texts, _ := synthCorpus(300, 8, 3)
	cfg := smallConfig()
	cfg.Sampling = 1.5
	cfg.Epochs = 4
	c, err := BuildCorpus(texts, cfg.Text, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	train := func(layoutT bool) ([]byte, []float64) {
		m, err := newModel(cfg.Params, c.Vocab, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		tr := newTrainer(m, cfg)
		tr.useSampling(docFreq(c.Vectors, c.Vocab.Len()))
		tr.layoutT = layoutT
		var val []float64
		out, err := tr.run(context.Background(), c.Vectors, TrainOptions{Progress: func(p Progress) {
			if p.EpochDone {
				val = append(val, p.ValLoss)
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := out.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b, val
	}
	b1, v1 := train(true)
	b2, v2 := train(false)
	if len(v1) != cfg.Epochs || fmt.Sprint(v1) != fmt.Sprint(v2) {
		t.Errorf("validation losses %v in the V x K layout, %v in K x V", v1, v2)
	}
	if string(b1) != string(b2) {
		t.Error("the model trained in the V x K layout differs from the K x V layout's")
	}
}

// Under reconstruction sampling the schedule also reads the exact validation
// loss through the competition (what the sampled steps estimate), checked
// against the float64 reference; the loss without competition is the same
// as on the exact loss, which has no competed one.
func TestSampledValidationLossCompeted(t *testing.T) {
	m, xs := smallModel(t, 40, 8, 4, 2.5, 12, 3)
	want := newRef64(m).loss(dense64(xs, 40))
	plainS, got := samplingTrainer(m, xs, 2).validationLosses(xs)
	if math.Abs(got-want) > 1e-5*math.Abs(want) {
		t.Errorf("sampled training's validation loss %.9g, the reference with competition %.9g", got, want)
	}
	exact := newTrainer(m, DefaultConfig())
	plain, competed := exact.validationLosses(xs)
	k, v := m.params.Dim, exact.v
	z, y, rows := make([]float32, k), make([]float32, 2*v), make([]int32, 0, k)
	s := 0.0
	for _, x := range xs {
		s += reconstructLoss(m, nil, x, z, y, rows)
	}
	if s /= float64(len(xs) * v); plain != s || plainS != s {
		t.Errorf("validation loss without competition %.9g (exact), %.9g (sampled), want %.9g", plain, plainS, s)
	}
	if !math.IsNaN(competed) {
		t.Errorf("the exact loss's trainer computed a competed validation loss %v", competed)
	}
	if math.Abs(plain-want) < 1e-3*math.Abs(want) {
		t.Errorf("the losses with (%.9g) and without (%.9g) competition are too close for this check", want, plain)
	}
}

// The early-stopping test: on the exact loss (plain NaN) an epoch improves
// when it is warm or its loss falls by more than minDelta below the best;
// under sampling also when the loss without competition does, each loss
// against its own best.
func TestImprovement(t *testing.T) {
	nan := math.NaN()
	exact := improvement{minDelta: 0.01, best: math.Inf(1), plain: math.Inf(1)}
	sampled := exact
	for i, c := range []struct {
		warm                  bool
		monitor, plain        float64
		wantExact, wantSample bool
	}{
		{false, 1.0, 2.0, true, true},
		{true, 1.5, 2.5, true, true},      // warm: counts, and resets both bests
		{false, 1.495, 2.6, false, false}, // neither fell by more than 0.01
		{false, 1.48, 2.6, true, true},    // the monitored loss fell
		{false, 1.60, 2.45, false, true},  // only the plain loss fell (from 2.5)
		{false, 1.475, 2.5, false, false}, // 1.475 is not below 1.48 - 0.01
		{false, 1.46, 2.5, true, true},
		{false, 1.47, 2.445, false, false}, // 2.445 is not below 2.45 - 0.01
		{false, 1.47, 2.43, false, true},
	} {
		if got := exact.next(c.warm, c.monitor, nan); got != c.wantExact {
			t.Errorf("epoch %d, exact: improved %v, want %v", i+1, got, c.wantExact)
		}
		if got := sampled.next(c.warm, c.monitor, c.plain); got != c.wantSample {
			t.Errorf("epoch %d, sampled: improved %v, want %v", i+1, got, c.wantSample)
		}
	}
}

// The validation losses decode up to valGroup documents per
// kernels.DecodeRowsDocs call: they must equal, bit for bit, the sums of
// plainLoss and competedLoss taken document by document (one DecodeRows
// each), over a number of documents that is not a multiple of the group
// and spans several of parallel.Blocks' blocks.
func TestValidationLossesGrouped(t *testing.T) {
	m, xs := smallModel(t, 50, 12, 4, 2.5, 45, 5)
	for _, tr := range []*trainer{newTrainer(m, DefaultConfig()), samplingTrainer(m, xs, 2)} {
		plain, competed := tr.validationLosses(xs)
		k, v := m.params.Dim, tr.v
		z, h, y, rows := make([]float32, k), make([]float32, k), make([]float32, 2*v), make([]int32, 0, k)
		comp := newCompetition(k)
		var sp, sc float64
		for _, x := range xs {
			m.encodeFrom(z, nil, x)
			sp += plainLoss(m, x, z, y, rows)
			sc += competedLoss(m, x, z, h, y, rows, comp)
		}
		n := float64(len(xs) * v)
		if plain != sp/n {
			t.Errorf("sampled %v: validation loss without competition %.17g, document by document %.17g", tr.smp != nil, plain, sp/n)
		}
		if tr.smp != nil && competed != sc/n {
			t.Errorf("validation loss with competition %.17g, document by document %.17g", competed, sc/n)
		}
	}
}

// drawByDraw is the draw of reconstruction sampling as it was before
// sampler.draw counted the draws (docs/speed.md, seventh session): the coin
// compared as a float64 with the alias table's probability, and each draw's
// weight (1/m)/q_i added to the output's sum as it is drawn.
func drawByDraw(s *sampler, prob []float64, alias []int32, x SparseVector, r *rand.PCG) (out []int32, ow []float32) {
	mark, acc := make([]int8, s.v), make([]float64, s.v)
	out = append(out, x.Indices...)
	for range x.Indices {
		ow = append(ow, 1)
	}
	for _, i := range x.Indices {
		mark[i] = -1
	}
	m := s.draws(len(x.Indices))
	inv := 1 / float64(m)
	var zeros []int32
	for range m {
		u := r.Uint64()
		i := int32((u >> 32) * uint64(s.v) >> 32)
		if float64(uint32(u))*(1.0/(1<<32)) >= prob[i] {
			i = alias[i]
		}
		if mark[i] == 0 {
			mark[i] = 1
			zeros = append(zeros, i)
		}
		if mark[i] > 0 {
			acc[i] += inv / s.q[i]
		}
	}
	slices.Sort(zeros)
	for _, i := range zeros {
		out = append(out, i)
		ow = append(ow, float32(acc[i]))
	}
	return out, ow
}

// sampler.draw gives the outputs and weights, bit for bit, of drawing and
// weighting draw by draw (drawByDraw), on a skewed proposal (outputs drawn
// many times in one document) and documents from empty to half of V.
func TestSamplerDrawCounts(t *testing.T) {
	const v = 3000
	df := make([]uint32, v)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range df {
		df[i] = uint32(rng.IntN(5))
		if i%97 == 0 {
			df[i] = 20000 + uint32(rng.IntN(20000))
		}
	}
	m, _ := smallModel(t, v, 4, 2, 1, 1, 1)
	for _, ratio := range []float64{0.5, 2, 5} {
		tr := newTrainer(m, DefaultConfig())
		tr.cfg.Sampling = ratio
		tr.useSampling(df)
		prob, alias := aliasTable(tr.smp.q)
		ws := tr.ws[0]
		ref := rand.NewPCG(0, 0)
		repeats := 0
		for d, nnz := range []int{0, 1, 5, 16, 17, 90, 400, 1500} {
			perm := rng.Perm(v)[:nnz]
			x := SparseVector{Indices: make([]int32, nnz), Values: make([]float32, nnz)}
			for q, i := range perm {
				x.Indices[q], x.Values[q] = int32(i), 1
			}
			slices.Sort(x.Indices)
			ws.pcg.Seed(7, uint64(d))
			ref.Seed(7, uint64(d))
			tr.smp.draw(ws, x, &ws.pcg)
			out, ow := drawByDraw(tr.smp, prob, alias, x, ref)
			if !slices.Equal(ws.out, out) {
				t.Fatalf("sampling %v, nnz %d: outputs %v, want %v", ratio, nnz, ws.out, out)
			}
			for s := range ow {
				if math.Float32bits(ws.ow[s]) != math.Float32bits(ow[s]) {
					t.Fatalf("sampling %v, nnz %d: weight %d is %v, want %v", ratio, nnz, s, ws.ow[s], ow[s])
				}
				if s >= nnz && ow[s] > 1.5*float32(1/(float64(tr.smp.draws(nnz))*tr.smp.q[out[s]])) {
					repeats++
				}
			}
		}
		if repeats < 10 {
			t.Errorf("sampling %v: only %d outputs drawn more than once: the check is too weak", ratio, repeats)
		}
		for i, c := range ws.cnt {
			if c != 0 {
				t.Fatalf("sampling %v: the count of output %d is left at %d", ratio, i, c)
			}
		}
	}
}

// pcg gives rand.PCG's stream for the same seeds, across several fills.
func TestPCGStream(t *testing.T) {
	for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {samplingSeed ^ 7, 12345}, {^uint64(0), ^uint64(0) - 3}} {
		ref := rand.NewPCG(seed[0], seed[1])
		var p pcg
		p.Seed(seed[0], seed[1])
		for _, n := range []int{0, 1, 7, 300} {
			us := make([]uint64, n)
			p.fill(us)
			for j, u := range us {
				if want := ref.Uint64(); u != want {
					t.Fatalf("seed %v, fill of %d: value %d is %#x, want %#x", seed, n, j, u, want)
				}
			}
		}
	}
}

// The sampled step's training loss, Σ_s w_s·(softplus(y_s) − x_s·y_s) over
// the outputs it reconstructs (the softplus now from kernels.Softplus), is
// the float64 sum of mathf.Softplus's values, bit for bit.
func TestSampledStepLoss(t *testing.T) {
	m, xs := smallModel(t, 40, 8, 4, 2.5, 6, 7)
	tr := samplingTrainer(m, xs, 1.5)
	ws := tr.ws[0]
	for d, x := range xs {
		ws.pcg.Seed(9, uint64(d))
		ws.loss = 0
		tr.step(ws, x, 0.01, true)
		// ws.ys, ws.out and ws.ow still hold the step's outputs.
		var want float64
		for s, y := range ws.ys[:len(ws.out)] {
			e := float64(mathf.Softplus(y))
			if s < len(x.Indices) {
				e -= float64(float64(x.Values[s]) * float64(y))
			}
			want += float64(float64(ws.ow[s]) * e)
		}
		if ws.loss != want || want == 0 {
			t.Fatalf("document %d: the step's loss %v, want %v", d, ws.loss, want)
		}
	}
}
