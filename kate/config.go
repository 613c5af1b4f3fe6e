package kate

import (
	"errors"
	"math"
)

// This file holds the configuration of a training run and its validation
// (docs/design.md §1.4).

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
	// Sampling, when > 0, turns on reconstruction sampling (docs/design.md
	// §2.1): each document reconstructs its non-zero inputs and
	// ceil(Sampling·max(nnz, 16)) draws among its zero inputs, with
	// importance weights, instead of all V outputs, so that the decoder costs
	// O(k·nnz) per document rather than O(k·V). The training loss and
	// gradient are unbiased estimates of the exact ones. The validation
	// losses stay exact over all V outputs; the one through the competition
	// (as the training loss is) is the one reported, and an epoch improves
	// when it or the one without competition does (docs/design.md §2.1).
	// 0 (the default) trains on the exact loss.
	Sampling float64
	// MinInputs is the number of non-zero input values (summed over the
	// training documents of every epoch run) that training sees before the
	// validation loss may reduce the learning rate, stop training or choose
	// the epoch kept: every epoch until then counts as an improvement
	// (docs/design.md §1.4). Short documents need many more epochs than long
	// ones; 0 turns the rule off (the paper's schedule).
	MinInputs int64
	// LossEvery: the training loss is computed on every LossEvery-th batch
	// only (it costs V logarithms per document and is only reported). 1
	// computes it everywhere.
	LossEvery int
}

// DefaultConfig returns the paper's settings: K=128, k=32, alpha=6.26,
// V=2000, 100 epochs, batches of 100, 1000 validation documents, Adadelta
// with learning rate 2.0, rho 0.95, eps 1e-8, learning rate x0.2 after 3
// epochs without improvement (floor 0.01), stop after 5 (min delta 1e-5),
// full gradient through the competition, stemming and stopwords on; and one
// setting of ours, the input budget MinInputs = 5,000,000. Setting
// MinInputs to 0 gives the paper's exact schedule.
func DefaultConfig() Config {
	return Config{
		Params:    Params{Dim: 128, Winners: 32, Alpha: 6.26, Grad: GradFull, Text: DefaultTextOptions()},
		VocabSize: 2000, Epochs: 100, BatchSize: 100, Seed: 1, ValidationDocs: 1000,
		LearningRate: 2.0, Rho: 0.95, Eps: 1e-8,
		ReducePatience: 3, ReduceFactor: 0.2, MinLR: 0.01,
		StopPatience: 5, MinDelta: 1e-5, LossEvery: 5, MinInputs: 5_000_000,
	}
}

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
	case c.MinLR < 0 || c.MinDelta < 0 || c.MinInputs < 0:
		return errors.New("kate: min learning rate, min delta and min inputs must be >= 0")
	case !(c.Sampling >= 0 && c.Sampling <= MaxSampling):
		return errorf("kate: sampling %v must be in [0, %d]", c.Sampling, MaxSampling)
	case c.LossEvery < 1:
		return errorf("kate: loss-every %d must be >= 1", c.LossEvery)
	}
	return nil
}
