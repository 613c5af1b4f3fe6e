package kate

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/mathf"
)

// Config holds everything that defines a training run: the network's
// hyper-parameters, the vocabulary size, and the schedule (docs/design.md §1.4).
type Config struct {
	Params
	// VocabSize is V, the number of most frequent terms kept.
	VocabSize int
	// Epochs is the maximum number of epochs.
	Epochs int
	// BatchSize is the number of documents per gradient step.
	BatchSize int
	// Seed drives initialisation, the validation split and shuffling.
	Seed uint64
	// ValidationDocs is the number of training documents held out for
	// validation. At most a fifth of the documents is held out; with fewer
	// than 10 documents none is, and the training loss is monitored instead.
	ValidationDocs int
	// LearningRate, Rho and Eps configure Adadelta.
	LearningRate, Rho, Eps float64
	// ReducePatience is the number of epochs without improvement after which
	// the learning rate is multiplied by ReduceFactor (not below MinLR).
	ReducePatience int
	ReduceFactor   float64
	MinLR          float64
	// StopPatience is the number of epochs without improvement (by more than
	// MinDelta) after which training stops.
	StopPatience int
	MinDelta     float64
	// LossEvery: the training loss is computed on every LossEvery-th batch
	// only (it costs V logarithms per document and is only reported). 1
	// computes it everywhere.
	LossEvery int
}

// DefaultConfig returns the paper's settings: K=128, k=32, alpha=6.26,
// V=2000, 100 epochs, batches of 100, 1000 validation documents, Adadelta
// with learning rate 2.0, rho 0.95, eps 1e-8, learning rate x0.2 after 3
// epochs without improvement (floor 0.01), stop after 5 (min delta 1e-5),
// full gradient through the competition, stemming and stopwords on.
func DefaultConfig() Config {
	return Config{
		Params:    Params{Dim: 128, Winners: 32, Alpha: 6.26, Grad: GradFull, Text: DefaultTextOptions()},
		VocabSize: 2000, Epochs: 100, BatchSize: 100, Seed: 1, ValidationDocs: 1000,
		LearningRate: 2.0, Rho: 0.95, Eps: 1e-8,
		ReducePatience: 3, ReduceFactor: 0.2, MinLR: 0.01,
		StopPatience: 5, MinDelta: 1e-5, LossEvery: 5,
	}
}

// MaxAlpha is the largest alpha training accepts. The training loss grows
// in proportion to alpha (about 0.09·alpha per output on the bundled
// sample) while the validation loss does not improve past alpha = 30, and
// above about 100 training slows down tenfold (docs/limits.md).
const MaxAlpha = 100

// divergeFactor: an epoch whose training loss is this many times the lowest
// epoch training loss so far (at most log 2, the loss of predicting 1/2
// everywhere) stops training as diverged.
const divergeFactor = 100

// Validate reports whether the configuration can be trained.
func (c Config) Validate() error {
	if c.VocabSize < 1 || c.VocabSize > MaxVocabulary {
		return errorf("kate: vocabulary size %d must be in [1, %d]", c.VocabSize, MaxVocabulary)
	}
	if err := c.Params.Validate(c.VocabSize); err != nil {
		return err
	}
	switch {
	case c.Alpha > MaxAlpha:
		return errorf("kate: alpha %v must be in [0, %d]", c.Alpha, MaxAlpha)
	case c.Epochs < 1 || c.Epochs > 100000:
		return errorf("kate: epochs %d must be in [1, 100000]", c.Epochs)
	case c.BatchSize < 1 || c.BatchSize > 1<<16:
		return errorf("kate: batch size %d must be in [1, 65536]", c.BatchSize)
	case c.ValidationDocs < 0:
		return errorf("kate: validation documents %d must be >= 0", c.ValidationDocs)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return errorf("kate: learning rate %v must be > 0", c.LearningRate)
	case !(c.Rho > 0 && c.Rho < 1):
		return errorf("kate: rho %v must be in (0, 1)", c.Rho)
	case !(c.Eps > 0):
		return errorf("kate: eps %v must be > 0", c.Eps)
	case c.ReducePatience < 1 || c.StopPatience < 1:
		return errors.New("kate: patience values must be >= 1")
	case !(c.ReduceFactor > 0 && c.ReduceFactor <= 1):
		return errorf("kate: reduce factor %v must be in (0, 1]", c.ReduceFactor)
	case c.MinLR < 0 || c.MinDelta < 0:
		return errors.New("kate: min learning rate and min delta must be >= 0")
	case c.LossEvery < 1:
		return errorf("kate: loss-every %d must be >= 1", c.LossEvery)
	}
	return nil
}

// Progress reports the state of a training run.
type Progress struct {
	// Epoch is the current epoch (1-based) and Epochs the maximum.
	Epoch, Epochs int
	// Batch is the number of batches done in this epoch, of Batches.
	Batch, Batches int
	// Loss is the mean training loss (with competition) over the sampled
	// batches of this epoch so far; NaN before the first sample.
	Loss float64
	// ValLoss is the validation loss (without competition) at the end of the
	// epoch; NaN inside an epoch or without validation documents.
	ValLoss float64
	// BestValLoss is the best monitored loss so far and BestEpoch its epoch.
	BestValLoss float64
	BestEpoch   int
	// LearningRate is the current learning rate.
	LearningRate float64
	// DocsPerSecond is the training throughput over the run so far.
	DocsPerSecond float64
	// Elapsed is the time since training started.
	Elapsed time.Duration
	// EpochDone is true for the report at the end of an epoch.
	EpochDone bool
	// Stopping is true when this end-of-epoch report is the last one
	// (early stopping fired or the last epoch ran).
	Stopping bool
}

// TrainOptions are the callbacks of a training run; all are optional.
type TrainOptions struct {
	// Progress is called after every epoch and every ProgressInterval
	// within an epoch, from the training goroutine.
	Progress func(Progress)
	// ProgressInterval is the time between reports inside an epoch
	// (default one second; negative disables them).
	ProgressInterval time.Duration
	// Yield, when set, is called between batches; the WebAssembly bridge
	// uses it to let the JavaScript event loop run.
	Yield func()
}

// Corpus is a tokenized, vectorized collection of documents with its
// vocabulary.
type Corpus struct {
	Vocab   *Vocabulary
	Vectors []SparseVector
	Text    TextOptions
	// known maps the raw tokens met while building the corpus to their
	// vocabulary index (-1 when dropped); handed to a model trained on the
	// corpus so that encoding its documents needs no stemming.
	known map[string]int32
}

// BuildCorpus tokenizes texts with the given options, keeps the vocabSize
// most frequent terms and returns the documents' input vectors. It errors
// when there are no texts or no terms.
func BuildCorpus(texts []string, opts TextOptions, vocabSize int) (*Corpus, error) {
	return BuildCorpusContext(context.Background(), texts, opts, vocabSize, nil)
}

// BuildCorpusContext is BuildCorpus that checks ctx, and calls yield when it
// is not nil, every 64 documents; it errors with ctx.Err() when ctx is
// cancelled.
func BuildCorpusContext(ctx context.Context, texts []string, opts TextOptions, vocabSize int, yield func()) (*Corpus, error) {
	if len(texts) == 0 {
		return nil, errors.New("kate: no documents")
	}
	if vocabSize < 1 || vocabSize > MaxVocabulary {
		return nil, errorf("kate: vocabulary size %d must be in [1, %d]", vocabSize, MaxVocabulary)
	}
	// Pass 1: raw token -> term id (interned), documents as term-id lists.
	tc := newTermCounter(opts)
	docs := make([][]int32, len(texts))
	for d, t := range texts {
		if d%64 == 63 {
			if yield != nil {
				yield()
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var ids []int32
		tc.add(t, &ids)
		docs[d] = ids
	}
	vocab, remap, err := tc.vocabulary(vocabSize)
	if err != nil {
		return nil, err
	}
	rawCache := tc.raw
	c := &Corpus{Vocab: vocab, Vectors: make([]SparseVector, len(texts)), Text: opts}
	c.known = make(map[string]int32, len(rawCache))
	for raw, id := range rawCache {
		if id >= 0 {
			id = remap[id]
		}
		c.known[raw] = id
	}
	cnt := make([]int32, vocab.Len())
	var seen []int32
	for d, ids := range docs {
		seen = seen[:0]
		for _, id := range ids {
			if j := remap[id]; j >= 0 {
				if cnt[j] == 0 {
					seen = append(seen, j)
				}
				cnt[j]++
			}
		}
		c.Vectors[d] = logMaxVector(seen, cnt, make([]int32, 0, len(seen)), make([]float32, 0, len(seen)))
		docs[d] = nil
	}
	return c, nil
}

// logMaxVector appends to idx and val the input vector of a document whose
// distinct terms are seen (sorted here) with counts cnt[id]:
// x_i = log(1+c_i) / max_j log(1+c_j) (docs/design.md §1.1). It zeroes those counts
// for the next document.
func logMaxVector(seen, cnt, idx []int32, val []float32) SparseVector {
	slices.Sort(seen)
	maxc := int32(0)
	for _, id := range seen {
		maxc = max(maxc, cnt[id])
	}
	if maxc > 0 {
		den := math.Log1p(float64(maxc))
		for _, id := range seen {
			idx = append(idx, id)
			val = append(val, float32(math.Log1p(float64(cnt[id]))/den))
			cnt[id] = 0
		}
	}
	return SparseVector{Indices: idx, Values: val}
}

// Train builds the vocabulary from texts, then trains a model on them
// (see TrainVectors). It errors on an invalid configuration, on documents
// without terms, and with ctx.Err() when ctx is cancelled.
func Train(ctx context.Context, texts []string, cfg Config, opt TrainOptions) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := BuildCorpusContext(ctx, texts, cfg.Text, cfg.VocabSize, opt.Yield)
	if err != nil {
		return nil, err
	}
	return TrainCorpus(ctx, c, cfg, opt)
}

// TrainCorpus trains a model on a corpus made by BuildCorpus (see
// TrainVectors). The model also keeps the corpus's table of raw tokens, so
// that encoding the corpus's words needs no stemming. It errors as
// TrainVectors does, and when the corpus was built with other text options
// than cfg.Text.
func TrainCorpus(ctx context.Context, c *Corpus, cfg Config, opt TrainOptions) (*Model, error) {
	if c == nil {
		return nil, errors.New("kate: nil corpus")
	}
	if c.Text != cfg.Text {
		return nil, errors.New("kate: the corpus was built with other text options than the configuration's")
	}
	m, err := TrainVectors(ctx, c.Vocab, c.Vectors, cfg, opt)
	if err != nil {
		return nil, err
	}
	m.known = c.known
	return m, nil
}

// maxCorpusTokens bounds the raw-token cache of BuildCorpus (about 40 MB at
// most); a corpus with more distinct raw tokens restarts the cache.
const maxCorpusTokens = 1 << 20

// trainChunks is the fixed number of parts a batch is split into, each with
// its own gradient buffer, summed in order: the result does not depend on
// how many goroutines (or none) process the parts.
const trainChunks = 4

// TrainVectors trains a model on input vectors over vocab (cfg.VocabSize is
// ignored; the vocabulary's size is V). It holds out validation documents,
// runs Adadelta with the learning-rate schedule and early stopping of
// docs/design.md §1.4, and returns the model of the best epoch. The same inputs and
// seed give the same model bytes on every platform and core count. It
// errors on an invalid configuration or vector, on an empty corpus, and
// with ctx.Err() when ctx is cancelled.
func TrainVectors(ctx context.Context, vocab *Vocabulary, xs []SparseVector, cfg Config, opt TrainOptions) (*Model, error) {
	if vocab == nil {
		return nil, errors.New("kate: nil vocabulary")
	}
	cfg.VocabSize = vocab.Len()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(xs) == 0 {
		return nil, errors.New("kate: no documents to train on")
	}
	for i, x := range xs {
		if err := x.Validate(vocab.Len()); err != nil {
			return nil, errorf("document %d: %w", i, err)
		}
	}
	m, err := NewModel(cfg.Params, vocab, cfg.Seed)
	if err != nil {
		return nil, err
	}
	t := newTrainer(m, cfg)
	out, err := t.run(ctx, xs, opt)
	if err != nil {
		return nil, err
	}
	out.df = docFreq(xs, vocab.Len())
	out.rankTopics(xs)
	return out, nil
}

// docFreq counts, for each of v terms, the vectors of xs that contain it.
func docFreq(xs []SparseVector, v int) []uint32 {
	df := make([]uint32, v)
	for _, x := range xs {
		for _, i := range x.Indices {
			df[i]++
		}
	}
	return df
}

type trainer struct {
	m   *Model
	cfg Config
	v   int
	// Adadelta accumulators, laid out like wt, b, c.
	accW, updW, accB, updB, accC, updC []float32
	ws                                 []*workspace
	rng                                *rand.Rand
	// serial forces one goroutine (benchmarks, determinism tests).
	serial bool
}

// workspace is the per-chunk state of a training step: gradient buffers and
// scratch for one document.
type workspace struct {
	gW, gB, gC             []float32 // gradient sums over the chunk
	a, z, h, g, dz, y, del []float32
	comp                   *competition
	win                    []int32
	loss                   float64
}

func newWorkspace(v, k int) *workspace {
	return &workspace{
		gW: make([]float32, k*v), gB: make([]float32, k), gC: make([]float32, v),
		a: make([]float32, k), z: make([]float32, k), h: make([]float32, k),
		g: make([]float32, k), dz: make([]float32, k),
		y: make([]float32, v), del: make([]float32, v),
		comp: newCompetition(k), win: make([]int32, 0, k),
	}
}

func newTrainer(m *Model, cfg Config) *trainer {
	v, k := m.vocab.Len(), m.params.Dim
	t := &trainer{
		m: m, cfg: cfg, v: v,
		accW: make([]float32, k*v), updW: make([]float32, k*v),
		accB: make([]float32, k), updB: make([]float32, k),
		accC: make([]float32, v), updC: make([]float32, v),
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x73687566)), // "shuf"
	}
	for range trainChunks {
		t.ws = append(t.ws, newWorkspace(v, k))
	}
	return t
}

// step runs the forward and backward pass of one document, adding its
// gradient (scaled by scale = 1/(B·V)) to ws's buffers, and its loss to
// ws.loss when withLoss.
func (t *trainer) step(ws *workspace, x SparseVector, scale float32, withLoss bool) {
	m := t.m
	v := t.v
	p := m.params
	// Encoder: a = x W + b, z = tanh(a).
	preactivate(ws.a, m.wt, m.b, v, x)
	for j, a := range ws.a {
		ws.z[j] = mathf.Tanh(a)
	}
	// Competition: h.
	ws.comp.forward(ws.z, ws.h, p.Winners, p.Alpha)
	ws.win = ws.comp.winners(ws.win)
	// Decoder pre-activation over the winners only: y = h W^T + c.
	kernels.DecodeRows(ws.y, m.c, m.wt, v, ws.win, ws.h)
	if withLoss {
		ws.loss += docLoss(ws.y, x)
	}
	// Output gradient delta = (sigmoid(y) - x) * scale.
	kernels.SigmoidDelta(ws.y, ws.del, scale)
	for q, i := range x.Indices {
		ws.del[i] -= x.Values[q] * scale
	}
	kernels.Axpy(1, ws.del, ws.gC)
	// Decoder gradient on the winner rows and g = delta W at the winners.
	clear(ws.g)
	kernels.GradRows(ws.del, m.wt, ws.gW, v, ws.win, ws.h, ws.g)
	if p.Grad == GradNone {
		return
	}
	// Through the competition, then tanh, then the encoder.
	ws.comp.backward(ws.g, ws.dz, p.Alpha, p.Grad)
	encoderGrad(ws, x, v)
}

// encoderGrad adds the encoder part of the weight gradient, x ⊗ dL/da with
// dL/da = dL/dz·(1−z²), to the rows of ws.gW, and dL/da to ws.gB.
func encoderGrad(ws *workspace, x SparseVector, v int) {
	idx, val := x.Indices, x.Values
	val = val[:len(idx)]
	// Collect the units with a non-zero gradient, then update four rows at a
	// time (each entry of gW still receives exactly one addition).
	rows := ws.win[:0]
	da := ws.a // the pre-activations are no longer needed
	for j, dz := range ws.dz {
		if dz == 0 {
			continue
		}
		z := ws.z[j]
		d := dz * (1 - z*z)
		da[j] = d
		ws.gB[j] += d
		rows = append(rows, int32(j))
	}
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		j0, j1, j2, j3 := int(rows[r]), int(rows[r+1]), int(rows[r+2]), int(rows[r+3])
		g0 := ws.gW[j0*v : (j0+1)*v : (j0+1)*v]
		g1 := ws.gW[j1*v : (j1+1)*v : (j1+1)*v]
		g2 := ws.gW[j2*v : (j2+1)*v : (j2+1)*v]
		g3 := ws.gW[j3*v : (j3+1)*v : (j3+1)*v]
		d0, d1, d2, d3 := da[j0], da[j1], da[j2], da[j3]
		for q, i := range idx {
			x := val[q]
			g0[i] += x * d0
			g1[i] += x * d1
			g2[i] += x * d2
			g3[i] += x * d3
		}
	}
	for ; r < len(rows); r++ {
		j := int(rows[r])
		g := ws.gW[j*v : (j+1)*v : (j+1)*v]
		d := da[j]
		for q, i := range idx {
			g[i] += val[q] * d
		}
	}
	ws.win = rows
}

// docLoss returns Σ_i softplus(y_i) − x_i·y_i, the binary cross-entropy of
// one document summed over the V outputs, from the pre-activation y.
func docLoss(y []float32, x SparseVector) float64 {
	var s float64
	for _, yi := range y {
		s += mathf.Softplus64(yi)
	}
	for q, i := range x.Indices {
		s -= float64(x.Values[q]) * float64(y[i])
	}
	return s
}

// batch runs one gradient step over docs and returns the summed loss when
// withLoss.
func (t *trainer) batch(docs []SparseVector, lr float32, withLoss bool) float64 {
	scale := float32(1 / (float64(len(docs)) * float64(t.v)))
	per := (len(docs) + trainChunks - 1) / trainChunks
	run := func(c int) {
		ws := t.ws[c]
		clear(ws.gW)
		clear(ws.gB)
		clear(ws.gC)
		ws.loss = 0
		lo := min(len(docs), c*per)
		hi := min(len(docs), lo+per)
		for _, x := range docs[lo:hi] {
			t.step(ws, x, scale, withLoss)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if runtime.GOARCH == "wasm" || workers < 2 || t.serial {
		for c := range trainChunks {
			run(c)
		}
	} else {
		var wg sync.WaitGroup
		workers = min(workers, trainChunks)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for c := w; c < trainChunks; c += workers {
					run(c)
				}
			}()
		}
		wg.Wait()
	}
	// Sum the chunks in order into chunk 0, and apply Adadelta.
	loss := 0.0
	for c := range trainChunks {
		loss += t.ws[c].loss
	}
	t.reduceAndUpdate(lr)
	return loss
}

func (t *trainer) reduceAndUpdate(lr float32) {
	m := t.m
	v := t.v
	rho := float32(t.cfg.Rho)
	eps := float32(t.cfg.Eps)
	w0 := t.ws[0]
	k := m.params.Dim
	parallelFor(k, 8, func(lo, hi int) {
		a, b := lo*v, hi*v
		for c := 1; c < trainChunks; c++ {
			kernels.Axpy(1, t.ws[c].gW[a:b], w0.gW[a:b])
		}
		adadelta(m.wt[a:b], w0.gW[a:b], t.accW[a:b], t.updW[a:b], lr, rho, eps)
	})
	for c := 1; c < trainChunks; c++ {
		kernels.Axpy(1, t.ws[c].gB, w0.gB)
		kernels.Axpy(1, t.ws[c].gC, w0.gC)
	}
	if m.params.Grad != GradNone {
		adadelta(m.b, w0.gB, t.accB, t.updB, lr, rho, eps)
	}
	adadelta(m.c, w0.gC, t.accC, t.updC, lr, rho, eps)
}

// adadelta applies one Adadelta step to theta with gradient g:
//
//	A = rho A + (1-rho) g²;  d = g sqrt((D+eps)/(A+eps));
//	theta -= lr d;  D = rho D + (1-rho) d².
func adadelta(theta, g, acc, upd []float32, lr, rho, eps float32) {
	n := len(theta)
	g, acc, upd = g[:n], acc[:n], upd[:n]
	r1 := 1 - rho
	for i := range theta {
		gi := g[i]
		a := rho*acc[i] + r1*gi*gi
		acc[i] = a
		d := gi * float32(math.Sqrt(float64((upd[i]+eps)/(a+eps))))
		theta[i] -= lr * d
		upd[i] = rho*upd[i] + r1*d*d
	}
}

// validationLoss returns the mean binary cross-entropy over docs with no
// competition (h = z), per document and output.
func (t *trainer) validationLoss(docs []SparseVector) float64 {
	if len(docs) == 0 {
		return math.NaN()
	}
	losses := make([]float64, len(docs))
	m := t.m
	parallelFor(len(docs), 16, func(lo, hi int) {
		k := m.params.Dim
		z := make([]float32, k)
		y := make([]float32, t.v)
		rows := make([]int32, 0, k)
		for d := lo; d < hi; d++ {
			losses[d] = reconstructLoss(m, docs[d], z, y, rows)
		}
	})
	s := 0.0
	for _, l := range losses {
		s += l
	}
	return s / (float64(len(docs)) * float64(t.v))
}

// reconstructLoss returns the summed cross-entropy of reconstructing x
// without competition, using scratch z (K), y (V) and rows (capacity K).
func reconstructLoss(m *Model, x SparseVector, z, y []float32, rows []int32) float64 {
	v := m.vocab.Len()
	m.encode(z, x)
	rows = rows[:0]
	for j, zj := range z {
		if zj != 0 {
			rows = append(rows, int32(j))
		}
	}
	kernels.DecodeRows(y, m.c, m.wt, v, rows, z)
	return docLoss(y, x)
}

func (t *trainer) run(ctx context.Context, xs []SparseVector, opt TrainOptions) (*Model, error) {
	cfg := t.cfg
	n := len(xs)
	// Validation split from a seeded permutation.
	perm := rand.New(rand.NewPCG(cfg.Seed, 0x76616c69)).Perm(n) // "vali"
	nVal := min(cfg.ValidationDocs, n/5)
	if n < 10 {
		nVal = 0
	}
	val := make([]SparseVector, nVal)
	for i := range nVal {
		val[i] = xs[perm[i]]
	}
	train := make([]SparseVector, n-nVal)
	for i := range train {
		train[i] = xs[perm[nVal+i]]
	}
	bs := cfg.BatchSize
	batches := (len(train) + bs - 1) / bs
	interval := opt.ProgressInterval
	if interval == 0 {
		interval = time.Second
	}

	start := time.Now()
	lr := cfg.LearningRate
	best := math.Inf(1)
	bestEpoch := 0
	wait, lrWait := 0, 0
	// The lowest epoch training loss, starting from that of a network that
	// predicts 1/2 everywhere (log 2 per output).
	minTrain := math.Ln2
	var snapW, snapB, snapC []float32
	docsDone := 0
	lastReport := start
	epoch := 0
	for epoch = 1; epoch <= cfg.Epochs; epoch++ {
		t.rng.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		lossSum, lossDocs := 0.0, 0
		for b := range batches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if opt.Yield != nil {
				opt.Yield()
			}
			docs := train[b*bs : min(len(train), (b+1)*bs)]
			withLoss := b%cfg.LossEvery == 0 || nVal == 0
			l := t.batch(docs, float32(lr), withLoss)
			if withLoss {
				if math.IsNaN(l) || math.IsInf(l, 0) {
					return nil, errorf("kate: training diverged at epoch %d, batch %d (the training loss is not finite); lower alpha or the learning rate", epoch, b+1)
				}
				lossSum += l
				lossDocs += len(docs)
			}
			docsDone += len(docs)
			if opt.Progress != nil && interval > 0 && b+1 < batches && time.Since(lastReport) >= interval {
				lastReport = time.Now()
				el := time.Since(start)
				opt.Progress(Progress{
					Epoch: epoch, Epochs: cfg.Epochs, Batch: b + 1, Batches: batches,
					Loss: meanLoss(lossSum, lossDocs, t.v), ValLoss: math.NaN(),
					BestValLoss: best, BestEpoch: bestEpoch, LearningRate: lr,
					DocsPerSecond: float64(docsDone) / el.Seconds(), Elapsed: el,
				})
			}
		}
		trainLoss := meanLoss(lossSum, lossDocs, t.v)
		monitor := trainLoss
		valLoss := math.NaN()
		if nVal > 0 {
			valLoss = t.validationLoss(val)
			monitor = valLoss
		}
		if math.IsNaN(monitor) || math.IsInf(monitor, 0) {
			return nil, errorf("kate: training diverged at epoch %d (the loss is not finite)", epoch)
		}
		if trainLoss > divergeFactor*minTrain {
			return nil, errorf("kate: training diverged at epoch %d: the training loss %v is over %d times %v (its lowest so far, or log 2, an untrained network's); lower alpha or the learning rate", epoch, float32(trainLoss), divergeFactor, float32(minTrain))
		}
		minTrain = math.Min(minTrain, trainLoss)
		stop := false
		if monitor < best-cfg.MinDelta {
			best = monitor
			bestEpoch = epoch
			wait, lrWait = 0, 0
			snapW = append(snapW[:0], t.m.wt...)
			snapB = append(snapB[:0], t.m.b...)
			snapC = append(snapC[:0], t.m.c...)
		} else {
			wait++
			lrWait++
			if lrWait >= cfg.ReducePatience && lr > cfg.MinLR {
				lr = math.Max(lr*cfg.ReduceFactor, cfg.MinLR)
				lrWait = 0
			}
			if wait >= cfg.StopPatience {
				stop = true
			}
		}
		if epoch == cfg.Epochs {
			stop = true
		}
		if opt.Progress != nil {
			lastReport = time.Now()
			el := time.Since(start)
			opt.Progress(Progress{
				Epoch: epoch, Epochs: cfg.Epochs, Batch: batches, Batches: batches,
				Loss: trainLoss, ValLoss: valLoss, BestValLoss: best, BestEpoch: bestEpoch,
				LearningRate: lr, DocsPerSecond: float64(docsDone) / el.Seconds(), Elapsed: el,
				EpochDone: true, Stopping: stop,
			})
		}
		if stop {
			break
		}
	}
	if snapW != nil {
		copy(t.m.wt, snapW)
		copy(t.m.b, snapB)
		copy(t.m.c, snapC)
	}
	t.m.info = TrainInfo{Seed: cfg.Seed, Epochs: min(epoch, cfg.Epochs), BestEpoch: bestEpoch, ValLoss: best, Docs: n}
	return t.m, nil
}

func meanLoss(sum float64, docs, v int) float64 {
	if docs == 0 {
		return math.NaN()
	}
	return sum / (float64(docs) * float64(v))
}
