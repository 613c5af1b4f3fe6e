package kate

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"time"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
)

// This file holds the training entry points and the loop over epochs:
// validation split, learning-rate schedule, early stopping and the best
// epoch's snapshot (docs/design.md §1.4).

// divergeFactor: an epoch whose training loss is this many times the lowest
// epoch training loss so far (at most log 2, the loss of predicting 1/2
// everywhere) stops training as diverged.
const divergeFactor = 100

// Progress reports the state of a training run.
type Progress struct {
	// Epoch is the current epoch (1-based) and Epochs the maximum.
	Epoch, Epochs int
	// Batch is the number of batches done in this epoch, of Batches.
	Batch, Batches int
	// Loss is the mean training loss (with competition) over the sampled
	// batches of this epoch so far; NaN before the first sample.
	Loss float64
	// ValLoss is the validation loss at the end of the epoch (without
	// competition; with it under reconstruction sampling, Config.Sampling);
	// NaN inside an epoch or without validation documents.
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
	// Replicas is the number of replicas training together at the time of
	// the report: Replica.Count until replica 0 dismisses the others
	// (Replica.Dismiss), then 1; 1 without Replica.
	Replicas int
}

// TrainOptions are the callbacks of a training run; all are optional.
type TrainOptions struct {
	// Progress is called after every epoch and every ProgressInterval
	// within an epoch, from the training goroutine.
	Progress func(Progress)
	// ProgressInterval is the time between reports inside an epoch
	// (default one second; negative disables them).
	ProgressInterval time.Duration
	// Yield, when set, is called between batches (and, in Train, every 64
	// documents while the corpus is built): a caller that shares its
	// thread with an event loop lets it run there.
	Yield func()
	// Replica, when set, makes this run one of several that train one
	// model together (see Replica; docs/design.md §2.2). Progress is then
	// reported by replica 0 only.
	Replica *Replica
}

// Train builds the vocabulary from texts, then trains a model on them
// (see TrainVectors). It errors on an invalid configuration, on documents
// without terms, and with ctx.Err() when ctx is cancelled.
func Train(ctx context.Context, texts []string, cfg Config, opt TrainOptions) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := buildCorpus(ctx, texts, cfg.Text, cfg.VocabSize, opt.Yield)
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
	m, err := newModel(cfg.Params, vocab, cfg.Seed)
	if err != nil {
		return nil, err
	}
	t := newTrainer(m, cfg)
	if r := opt.Replica; r != nil {
		if err := r.validate(); err != nil {
			return nil, err
		}
		if r.Count > 1 {
			t.ex = &exchanger{rep: r}
		}
		if r.Index > 0 {
			opt.Progress = nil
		}
	}
	df := docFreq(xs, vocab.Len())
	if cfg.Sampling > 0 {
		t.useSampling(df)
	}
	// The K x V buffers in 2 MB pages where the platform has them
	// (arena_linux.go), until releaseArena puts the weights back on the Go
	// heap.
	t.useArena()
	out, err := t.run(ctx, xs, opt)
	if err != nil {
		t.releaseArena()
		return nil, err
	}
	out.df = df
	if opt.Replica == nil || opt.Replica.Index == 0 {
		out.rankTopics(xs)
	}
	t.releaseArena()
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

// validationLosses returns the mean binary cross-entropy over docs, per
// document and output, without competition (h = z) and, under
// reconstruction sampling, with it (h from the k-competitive layer: the
// loss the sampled steps estimate, over all V outputs; NaN on the exact
// loss), for the schedule (docs/design.md §1.4, §2.1).
func (t *trainer) validationLosses(docs []SparseVector) (plain, competed float64) {
	if len(docs) == 0 {
		return math.NaN(), math.NaN()
	}
	sampled := t.smp != nil
	losses := make([]float64, 2*len(docs))
	m := t.m
	per := 1 // decodes per document
	if sampled {
		per = 2
	}
	parallel.Blocks(len(docs), 16, func(lo, hi int) {
		k, v := m.params.Dim, t.v
		// Up to valGroup documents at a time, each decoded without and
		// (under sampling) with the competition: decode e of the group
		// reads hs[e*k:] and rows[offs[e]:offs[e+1]] into y[e*v:].
		n := per * min(valGroup, hi-lo)
		hs := make([]float32, n*k)
		y := make([]float32, (n+1)*v) // and the softplus scratch
		rows := make([]int32, 0, n*k)
		offs := make([]int32, n+1)
		var comp *competition
		var win []int32
		if sampled {
			comp, win = newCompetition(k), make([]int32, 0, k)
		}
		sp := y[n*v:]
		for g := lo; g < hi; g += valGroup {
			gd := docs[g:min(g+valGroup, hi)]
			rows = rows[:0]
			e := 0
			for _, x := range gd {
				// One encoder pass for both losses.
				z := hs[e*k : (e+1)*k]
				m.encodeFrom(z, t.wT, x)
				offs[e] = int32(len(rows))
				rows = plainRows(rows, z)
				e++
				if sampled {
					comp.forward(z, hs[e*k:(e+1)*k], m.params.Winners, m.params.Alpha)
					offs[e] = int32(len(rows))
					win = comp.winners(win)
					rows = append(rows, win...)
					e++
				}
			}
			offs[e] = int32(len(rows))
			kernels.DecodeRowsDocs(y[:e*v], m.c, m.wt, v, rows, offs[:e+1], hs[:e*k], k)
			for i, x := range gd {
				for l := range per {
					f := i*per + l
					losses[2*(g+i)+l] = docLoss(y[f*v:(f+1)*v], sp, x)
				}
			}
		}
	})
	var sp, sc float64
	for d := range docs {
		sp += losses[2*d]
		sc += losses[2*d+1]
	}
	n := float64(len(docs)) * float64(t.v)
	if !sampled {
		return sp / n, math.NaN()
	}
	return sp / n, sc / n
}

// valGroup is the number of validation documents decoded by one
// kernels.DecodeRowsDocs call: the accelerated kernels read each block of
// the K x V weights once for the group's 8 (sampled: 16) decodes instead
// of once for each.
const valGroup = 8

// plainRows appends to rows the units of z that are not zero: the rows of
// the decoder without competition.
func plainRows(rows []int32, z []float32) []int32 {
	for j, zj := range z {
		if zj != 0 {
			rows = append(rows, int32(j))
		}
	}
	return rows
}

// improvement is the early-stopping test of the schedule (docs/design.md
// §1.4): an epoch improves when it is within the input budget (warm), or
// when the monitored loss fell by more than minDelta below its best, or,
// under reconstruction sampling, the loss without competition did
// (plain; NaN otherwise): sampled training stops when neither has improved
// for StopPatience epochs (docs/design.md §2.1).
type improvement struct {
	minDelta    float64
	best, plain float64 // the lowest losses so far (+Inf at first)
}

// next reports whether an epoch with the losses monitor and plain improves,
// and records them.
func (s *improvement) next(warm bool, monitor, plain float64) bool {
	better := monitor < s.best-s.minDelta
	betterPlain := plain < s.plain-s.minDelta // false when plain is NaN
	if warm || better || betterPlain {
		if warm || monitor < s.best {
			s.best = monitor
		}
		if warm || plain < s.plain {
			s.plain = plain
		}
		return true
	}
	return false
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

	// Until warmEpochs have run, every epoch counts as an improvement:
	// the input budget MinInputs (docs/design.md §1.4).
	warmEpochs := 0
	if cfg.MinInputs > 0 {
		var perEpoch int64
		for _, x := range train {
			perEpoch += int64(len(x.Indices))
		}
		if perEpoch > 0 {
			warmEpochs = int(min((cfg.MinInputs+perEpoch-1)/perEpoch, int64(cfg.Epochs)))
		}
	}

	start := time.Now()
	lr := cfg.LearningRate
	// best: the monitored loss of the epoch kept (bestEpoch).
	best := math.Inf(1)
	rule := improvement{minDelta: cfg.MinDelta, best: math.Inf(1), plain: math.Inf(1)}
	bestEpoch := 0
	wait, lrWait := 0, 0
	// The lowest epoch training loss, starting from that of a network that
	// predicts 1/2 everywhere (log 2 per output).
	minTrain := math.Ln2
	var snapW, snapB, snapC []float32
	docsDone := 0
	lastReport := start
	epoch := 0
	var err error
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
			var l float64
			if t.ex == nil {
				l = t.batch(docs, float32(lr), withLoss)
			} else if l, err = t.sharedBatch(ctx, docs, float32(lr), withLoss); err != nil {
				return nil, err
			}
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
					Replicas: t.replicas(),
				})
			}
		}
		t.settle()
		trainLoss := meanLoss(lossSum, lossDocs, t.v)
		monitor := trainLoss
		valLoss, valPlain := math.NaN(), math.NaN()
		if nVal > 0 {
			// Every replica computes them (the same bits). Under sampling
			// the monitored loss is the one with competition.
			plain, competed := t.validationLosses(val)
			valLoss = plain
			if t.smp != nil {
				valLoss, valPlain = competed, plain
			}
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
		if rule.next(epoch <= warmEpochs, monitor, valPlain) {
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
				EpochDone: true, Stopping: stop, Replicas: t.replicas(),
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
	t.m.info = TrainInfo{Seed: cfg.Seed, Epochs: min(epoch, cfg.Epochs), BestEpoch: bestEpoch, ValLoss: best, Docs: n, Schedule: cfg}
	return t.m, nil
}

// replicas returns the number of replicas training together now (see
// Progress.Replicas).
func (t *trainer) replicas() int {
	if t.ex == nil {
		return 1
	}
	return t.ex.rep.Count
}

func meanLoss(sum float64, docs, v int) float64 {
	if docs == 0 {
		return math.NaN()
	}
	return sum / (float64(docs) * float64(v))
}
