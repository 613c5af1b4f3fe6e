package kate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
)

// synthCorpus returns n documents drawn from `topics` latent topics over a
// synthetic vocabulary, and each document's topic.
func synthCorpus(n, topics int, seed uint64) ([]string, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	texts := make([]string, n)
	labels := make([]int, n)
	for d := range texts {
		tp := r.IntN(topics)
		labels[d] = tp
		var sb strings.Builder
		for range 30 + r.IntN(40) {
			if r.Float64() < 0.7 {
				fmt.Fprintf(&sb, "topic%cword%c ", 'a'+tp, 'a'+r.IntN(12))
			} else {
				fmt.Fprintf(&sb, "common%c ", 'a'+r.IntN(20))
			}
		}
		texts[d] = sb.String()
	}
	return texts, labels
}

// trainOn builds a corpus from texts and trains a model on it with cfg.
func trainOn(t *testing.T, texts []string, cfg Config) (*Model, *Corpus) {
	t.Helper()
	c, err := BuildCorpus(texts, cfg.Text, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	m, err := TrainCorpus(context.Background(), c, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m, c
}

func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.VocabSize, cfg.Epochs, cfg.BatchSize = 16, 6, 200, 6, 20
	cfg.Text = TextOptions{}
	return cfg
}

func TestTrainDeterministicAcrossCores(t *testing.T) {
	texts, _ := synthCorpus(300, 4, 1)
	cfg := smallConfig()
	var first []byte
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		m, err := Train(context.Background(), texts, cfg, TrainOptions{})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatalf("GOMAXPROCS=%d gives different model bytes", procs)
		}
	}
	cfg.Seed = 2
	m, _ := Train(context.Background(), texts, cfg, TrainOptions{})
	if b, _ := m.MarshalBinary(); bytes.Equal(b, first) {
		t.Error("a different seed gives the same model")
	}
}

func TestTrainLearnsAndReports(t *testing.T) {
	texts, labels := synthCorpus(400, 4, 2)
	cfg := smallConfig()
	cfg.Epochs = 15
	var reports []Progress
	m, err := Train(context.Background(), texts, cfg, TrainOptions{
		Progress: func(p Progress) { reports = append(reports, p) }, ProgressInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) == 0 || !reports[len(reports)-1].Stopping {
		t.Fatalf("reports %v", reports)
	}
	first, last := reports[0], reports[len(reports)-1]
	if !(last.BestValLoss < first.ValLoss) {
		t.Errorf("validation loss did not improve: first %v best %v", first.ValLoss, last.BestValLoss)
	}
	for _, p := range reports {
		if !p.EpochDone || p.Batches != 16 || math.IsNaN(p.ValLoss) || p.DocsPerSecond <= 0 {
			t.Errorf("bad report %+v", p)
		}
	}
	if m.Info().BestEpoch != last.BestEpoch || m.Info().Docs != 400 {
		t.Errorf("info %+v", m.Info())
	}
	// Embeddings separate the latent topics: nearest neighbour (leave one
	// out) has the same topic far above chance (0.25).
	emb := m.Encode(texts)
	k := m.Dim()
	hits := 0
	for i := range texts {
		best, bestS := -1, float32(-2)
		for j := range texts {
			if j != i {
				if s := cosine(emb[i*k:(i+1)*k], emb[j*k:(j+1)*k]); s > bestS {
					best, bestS = j, s
				}
			}
		}
		if labels[best] == labels[i] {
			hits++
		}
	}
	if acc := float64(hits) / float64(len(texts)); acc < 0.8 {
		t.Errorf("1-NN topic accuracy %.2f, want >= 0.8", acc)
	}
}

func TestTrainCancel(t *testing.T) {
	texts, _ := synthCorpus(300, 4, 3)
	cfg := smallConfig()
	cfg.Epochs = 1000
	ctx, cancel := context.WithCancel(context.Background())
	batches := 0
	_, err := Train(ctx, texts, cfg, TrainOptions{Yield: func() {
		batches++
		if batches == 30 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if batches != 30 {
		t.Errorf("training went on for %d batches after cancel", batches-30)
	}
}

func TestTrainErrors(t *testing.T) {
	cfg := smallConfig()
	bad := []func(c *Config){
		func(c *Config) { c.Winners = c.Dim + 1 },
		func(c *Config) { c.Winners = 0 },
		func(c *Config) { c.Dim = 0 },
		func(c *Config) { c.Alpha = float32(math.NaN()) },
		func(c *Config) { c.Epochs = 0 },
		func(c *Config) { c.BatchSize = 0 },
		func(c *Config) { c.VocabSize = 0 },
		func(c *Config) { c.LearningRate = -1 },
		func(c *Config) { c.Grad = 7 },
		func(c *Config) { c.Dim, c.VocabSize = MaxDim, MaxVocabulary },
	}
	for i, f := range bad {
		c := cfg
		f(&c)
		if _, err := Train(context.Background(), []string{"a b c"}, c, TrainOptions{}); err == nil {
			t.Errorf("bad config %d accepted", i)
		}
	}
	if _, err := Train(context.Background(), nil, cfg, TrainOptions{}); err == nil {
		t.Error("no documents accepted")
	}
	big := cfg
	big.Dim, big.Winners, big.VocabSize = 512, 32, MaxWeights/512
	if err := big.Validate(); err != nil {
		t.Errorf("V x K = MaxWeights rejected: %v", err)
	}
	big.VocabSize++
	if err := big.Validate(); err == nil {
		t.Error("V x K > MaxWeights accepted")
	}
	if _, err := Train(context.Background(), []string{"123 456", "!!"}, cfg, TrainOptions{}); err == nil {
		t.Error("documents without terms accepted")
	}
	vocab, _ := NewVocabulary([]string{"a", "b"})
	bad2 := []SparseVector{{Indices: []int32{5}, Values: []float32{1}}}
	if _, err := TrainVectors(context.Background(), vocab, bad2, cfg, TrainOptions{}); err == nil {
		t.Error("out-of-range vector accepted")
	}
	// A tiny corpus trains without validation documents.
	m, err := Train(context.Background(), []string{"a b", "b c", "c a"}, cfg, TrainOptions{})
	if err != nil || m.Info().Epochs < 1 {
		t.Errorf("tiny corpus: %v", err)
	}
}

// TestEncodeTransposedSameBits: a vectorizer switches to the model's
// transposed weights (kernels.AxpyRows) after encodeTransposedAfter texts;
// every embedding, before and after the switch, equals the one gathered
// from the K x V weights (kernels.SparseDot), bit for bit.
func TestEncodeTransposedSameBits(t *testing.T) {
	texts, _ := synthCorpus(200, 3, 4)
	cfg := smallConfig()
	cfg.Epochs = 2
	m, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	z := m.NewVectorizer()
	got, want := make([]float32, m.Dim()), make([]float32, m.Dim())
	for i, s := range texts {
		if err := z.EncodeTo(got, s); err != nil {
			t.Fatal(err)
		}
		if (z.wT != nil) != (i >= encodeTransposedAfter) {
			t.Fatalf("text %d: transposed weights in use %v", i, z.wT != nil)
		}
		m.encodeFrom(want, nil, m.Vectorize(s))
		for j := range got {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("text %d, unit %d: %v from the transposed weights, %v gathered", i, j, got[j], want[j])
			}
		}
	}
	if wT := m.weightsT(); len(wT) != len(m.wt) || wT[1] != m.wt[m.vocab.Len()] {
		t.Fatal("weightsT is not the transpose of the weights")
	}
}

func TestEncodeConsistent(t *testing.T) {
	texts, _ := synthCorpus(200, 3, 4)
	cfg := smallConfig()
	cfg.Epochs = 2
	m, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all := m.Encode(texts)
	one := make([]float32, m.Dim())
	for i, s := range texts {
		if err := m.EncodeTo(one, s); err != nil {
			t.Fatal(err)
		}
		for j := range one {
			if one[j] != all[i*m.Dim()+j] {
				t.Fatalf("EncodeTo and Encode differ at doc %d", i)
			}
		}
	}
	if err := m.EncodeTo(make([]float32, 3), "x"); err == nil {
		t.Error("short destination accepted")
	}
	xs := make([]SparseVector, len(texts))
	for i, s := range texts {
		xs[i] = m.Vectorize(s)
	}
	ev, err := m.EncodeVectors(xs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ev {
		if ev[i] != all[i] {
			t.Fatal("EncodeVectors differs from Encode")
		}
	}
	if _, err := m.EncodeVectors([]SparseVector{{Indices: []int32{1, 1}, Values: []float32{1, 1}}}); err == nil {
		t.Error("malformed vector accepted")
	}
	if allocs := testing.AllocsPerRun(50, func() { _ = m.encodeVectorTo(one, xs[0]) }); allocs != 0 {
		t.Errorf("EncodeVectorTo allocates %v times", allocs)
	}
	if allocs := testing.AllocsPerRun(50, func() { _ = m.EncodeTo(one, texts[1]) }); allocs != 0 {
		t.Errorf("EncodeTo allocates %v times with a warm cache", allocs)
	}
	// Topics and Nearest.
	tops, err := m.Topics(5)
	if err != nil || len(tops) != m.Dim() || len(tops[0].Words) != 5 || tops[0].Weights[0] < tops[0].Weights[4] {
		t.Errorf("topics %v %v", tops, err)
	}
	if _, err := m.Topics(0); err == nil {
		t.Error("Topics(0) accepted")
	}
	nb, err := nearest(all[:m.Dim()], all, m.Dim(), 3)
	if err != nil || len(nb) != 3 || nb[0].Index != 0 || math.Abs(float64(nb[0].Score-1)) > 1e-5 {
		t.Errorf("nearest %v %v", nb, err)
	}
	if _, err := nearest(all[:3], all, m.Dim(), 3); err == nil {
		t.Error("Nearest with a wrong query length accepted")
	}
	// PCA: deterministic 2-D projection whose first axis has the larger variance.
	p, err := PCA(all, m.Dim(), 2)
	if err != nil || len(p) != 2*len(texts) {
		t.Fatalf("PCA: %v", err)
	}
	var v0, v1 float64
	for i := range texts {
		v0 += float64(p[2*i] * p[2*i])
		v1 += float64(p[2*i+1] * p[2*i+1])
	}
	if v0 < v1 {
		t.Errorf("PCA axis variances %v < %v", v0, v1)
	}
	if _, err := PCA(all[:m.Dim()], m.Dim(), 2); err == nil {
		t.Error("PCA of one row accepted")
	}
}

func TestModelNearestCentred(t *testing.T) {
	texts, labels := synthCorpus(300, 3, 21)
	cfg := smallConfig()
	cfg.Epochs = 8
	m, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k := m.Dim()
	emb := m.Encode(texts)
	o := m.Origin()
	empty := m.Encode([]string{"."})
	for j := range o {
		if o[j] != empty[j] {
			t.Fatal("Origin differs from the empty document's embedding")
		}
	}
	hits := 0
	for i := 0; i < 30; i++ {
		nb, err := m.Nearest(emb[i*k:(i+1)*k], emb, 6)
		if err != nil {
			t.Fatal(err)
		}
		if nb[0].Index != i || math.Abs(float64(nb[0].Score)-1) > 1e-5 {
			t.Fatalf("query %d: best %+v, want itself", i, nb[0])
		}
		for _, n := range nb[1:] {
			if labels[n.Index] == labels[i] {
				hits++
			}
		}
	}
	if prec := float64(hits) / 150; prec < 0.8 {
		t.Errorf("centred precision@5 %.2f, want >= 0.8", prec)
	}
	if _, err := m.Nearest(emb[:3], emb, 2); err == nil {
		t.Error("short query accepted")
	}
}

// A trained model maps its training tokens without stemming (the corpus's
// token table), and gives the same vectors as the same model loaded from
// its file; the vectorizer's cache stays correct across its generations.
func TestVectorizerCaches(t *testing.T) {
	texts, _ := synthCorpus(120, 3, 31)
	cfg := smallConfig()
	cfg.Epochs = 1
	cfg.Text = DefaultTextOptions()
	m, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.known) == 0 {
		t.Fatal("trained model has no token table")
	}
	data, _ := m.MarshalBinary()
	loaded, err := UnmarshalModel(data)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b SparseVector) bool {
		if len(a.Indices) != len(b.Indices) {
			return false
		}
		for i := range a.Indices {
			if a.Indices[i] != b.Indices[i] || a.Values[i] != b.Values[i] {
				return false
			}
		}
		return true
	}
	for _, s := range append(texts, "Topicawordb TOPICAWORDC unseen words here") {
		if !same(m.Vectorize(s), loaded.Vectorize(s)) {
			t.Fatalf("trained and loaded models vectorize %q differently", s)
		}
	}
	z := loaded.NewVectorizer()
	want := loaded.NewVectorizer().Vector(texts[0])
	var sb strings.Builder
	for i := 0; i < maxCacheEntries+5000; i++ {
		fmt.Fprintf(&sb, "filler%d ", i)
	}
	z.Vector(sb.String())
	if z.cache.old == nil {
		t.Fatal("the cache did not roll over")
	}
	if z.cache.len() > 2*maxCacheEntries {
		t.Fatalf("cache holds %d entries", z.cache.len())
	}
	if got := z.Vector(texts[0]); !same(got, want) {
		t.Fatal("vectors differ after the cache rolled over")
	}
}

// TestTrainDivergence: alpha above MaxAlpha is refused (issue 13, item 5:
// --alpha 1e30 trained a useless model for a long time and succeeded), and
// a diverging training loss stops training with an error even when the
// validation loss stays finite.
func TestTrainDivergence(t *testing.T) {
	texts, _ := synthCorpus(200, 4, 5)
	cfg := smallConfig()
	for _, a := range []float32{MaxAlpha + 1, 1e30} {
		cfg.Alpha = a
		if _, err := Train(context.Background(), texts, cfg, TrainOptions{}); err == nil || !strings.Contains(err.Error(), "alpha") {
			t.Errorf("alpha %v: %v", a, err)
		}
	}
	cfg.Alpha = MaxAlpha
	if _, err := Train(context.Background(), texts, cfg, TrainOptions{}); err != nil {
		t.Errorf("alpha = MaxAlpha: %v", err)
	}
	cfg.Alpha = 6.26
	cfg.LearningRate = 1e7
	cfg.Epochs = 20
	_, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err == nil || !strings.Contains(err.Error(), "diverged") {
		t.Errorf("learning rate 1e7: %v", err)
	}
	t.Log(err)
}

// The input budget: before MinInputs non-zero inputs have been seen, the
// validation loss neither stops training nor chooses the epoch kept.
func TestTrainMinInputs(t *testing.T) {
	texts, _ := synthCorpus(300, 4, 5)
	cfg := smallConfig()
	cfg.Epochs, cfg.StopPatience, cfg.ReducePatience, cfg.LearningRate = 60, 1, 1, 8
	cfg.MinInputs = 0
	m0, c := trainOn(t, texts, cfg)
	e0 := m0.Info().Epochs
	if e0 >= cfg.Epochs-5 {
		t.Fatalf("without a budget training ran %d of %d epochs; the test needs it to stop early", e0, cfg.Epochs)
	}
	// A budget of at least warm epochs: the non-zeros of all documents,
	// validation included, warm times over.
	var all int64
	for _, x := range c.Vectors {
		all += int64(len(x.Indices))
	}
	warm := e0 + 4
	cfg.MinInputs = int64(warm) * all
	var epochs []int
	m1, err := TrainCorpus(context.Background(), c, cfg, TrainOptions{Progress: func(p Progress) {
		if p.EpochDone {
			epochs = append(epochs, p.Epoch)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	info := m1.Info()
	if info.Epochs < warm || info.BestEpoch < warm || len(epochs) != info.Epochs {
		t.Fatalf("with a budget of %d epochs: ran %d, kept %d (stopped at %d without it)", warm, info.Epochs, info.BestEpoch, e0)
	}
	if info.Schedule.MinInputs != cfg.MinInputs {
		t.Fatalf("the model records min inputs %d, want %d", info.Schedule.MinInputs, cfg.MinInputs)
	}
	cfg.MinInputs = -1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "min inputs") {
		t.Fatalf("negative min inputs: %v", err)
	}
}

// The validation loss reads the trainer's transposed weights (AxpyRows):
// it must be the same bits as encoding from the model's K x V weights.
func TestReconstructLossTransposed(t *testing.T) {
	m, xs := smallModel(t, 37, 13, 5, 2.5, 24, 5)
	tr := newTrainer(m, DefaultConfig())
	k, v := m.params.Dim, tr.v
	z := make([]float32, k)
	y := make([]float32, 2*v)
	rows := make([]int32, 0, k)
	for d, x := range xs {
		want := reconstructLoss(m, nil, x, z, y, rows)
		got := reconstructLoss(m, tr.wT, x, z, y, rows)
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("document %d: loss %v from the transposed weights, %v from the model's", d, got, want)
		}
	}
}

// competedLoss, plainLoss and reconstructLoss are the validation losses
// document by document (one kernels.DecodeRows per decode): the references
// that trainer.validationLosses' grouped decodes must equal, bit for bit.

// competedLoss returns the summed cross-entropy of reconstructing x from
// its code z (Model.encodeFrom) through the k-competitive layer, as a
// training step does (the exact loss over all V outputs), using scratch h
// (K), y (2V), rows (capacity K) and comp.
func competedLoss(m *Model, x SparseVector, z, h, y []float32, rows []int32, comp *competition) float64 {
	v := m.vocab.Len()
	comp.forward(z, h, m.params.Winners, m.params.Alpha)
	rows = comp.winners(rows[:0])
	kernels.DecodeRows(y[:v], m.c, m.wt, v, rows, h)
	return docLoss(y[:v], y[v:2*v], x)
}

// plainLoss returns the summed cross-entropy of reconstructing x from its
// code z (Model.encodeFrom) without competition, using scratch y (2V) and
// rows (capacity K).
func plainLoss(m *Model, x SparseVector, z, y []float32, rows []int32) float64 {
	v := m.vocab.Len()
	rows = plainRows(rows[:0], z)
	kernels.DecodeRows(y[:v], m.c, m.wt, v, rows, z)
	return docLoss(y[:v], y[v:2*v], x)
}

// reconstructLoss returns the summed cross-entropy of reconstructing x
// without competition, using scratch z (K), y (2V) and rows (capacity K).
// With wT (m's weights transposed, V x K, up to date: the trainer's copy)
// the encoder adds one contiguous row per non-zero input (kernels.AxpyRows)
// instead of gathering at stride V: the same products in the same order,
// so the same loss (docs/design.md §2).
func reconstructLoss(m *Model, wT []float32, x SparseVector, z, y []float32, rows []int32) float64 {
	m.encodeFrom(z, wT, x)
	return plainLoss(m, x, z, y, rows)
}
