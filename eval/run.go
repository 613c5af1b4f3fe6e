package eval

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kate-web/kate/kate"
)

// Example is one labelled document: its raw text and its labels (one for
// a single-label corpus, any number for a multi-label one).
type Example struct {
	Text   string
	Labels []string
	// Target is the numeric value regressed on when Options.Regression is
	// set (the paper's movie-review rating).
	Target float64
}

// Options configure Run.
type Options struct {
	// Config is KATE's training configuration.
	Config kate.Config
	// Train carries the training callbacks (progress, yield).
	Train kate.TrainOptions
	// Fractions are the retrieval cut-offs; nil selects DefaultFractions.
	Fractions []float64
	// Classifier configures the classifiers (KATE's and LSA's alike).
	Classifier ClassifierOptions
	// SkipLSA leaves out the LSA baseline.
	SkipLSA bool
	// SkipNMF leaves out the NMF topic baseline; NMFIterations is its
	// number of sweeps (0 selects DefaultNMFIterations).
	SkipNMF       bool
	NMFIterations int
	// Regression also fits a ridge regression from the codes to the
	// examples' Target and reports its test R² (see FitRidge).
	Regression bool
	// Stage, when set, is called with a short description when each stage
	// of the evaluation starts ("encoding", "classifier", ...).
	Stage func(string)
}

// Scores are the downstream results of one representation.
type Scores struct {
	// Accuracy is the test accuracy of the softmax classifier
	// (single-label corpora; 0 for multi-label ones).
	Accuracy float64
	// MicroF1 and MacroF1 are the test F1 scores of the sigmoid
	// classifier (multi-label corpora; 0 for single-label ones).
	MicroF1, MacroF1 float64
	// Lambda is the classifier's chosen L2 strength and Iterations its
	// number of L-BFGS iterations.
	Lambda     float64
	Iterations int
	// Precision holds the retrieval precision at each fraction of
	// Result.Fractions, by raw cosine (the paper's protocol).
	Precision []float64
	// PrecisionOrigin holds the same precisions with every code measured
	// from the representation's origin, the code of a document without
	// vocabulary terms: what Model.Nearest, `kate similar`, the Worker and
	// the demo rank by (docs/design.md §1.5). KATE's origin is tanh(b);
	// LSA's is the zero vector, so for LSA it equals Precision.
	PrecisionOrigin []float64
	// R2 is the test R² of the ridge regression on Target, and
	// RidgeLambda its chosen strength (with Options.Regression only).
	R2, RidgeLambda float64
	// Seconds is the time taken by the representation itself (training
	// and encoding for KATE, the SVD and projection for LSA);
	// ClassifierSeconds and RetrievalSeconds the time of the downstream
	// tasks.
	Seconds, ClassifierSeconds, RetrievalSeconds float64
}

// Result is the outcome of Run.
type Result struct {
	// DocsTrain and DocsTest count the documents; Classes the distinct
	// labels of the training documents; MultiLabel tells whether some
	// document has more than one label (then the classifier is sigmoid and
	// F1 is reported instead of accuracy).
	DocsTrain, DocsTest, Classes int
	MultiLabel                   bool
	// Regression tells whether Scores.R2 was measured.
	Regression bool
	// Config is the training configuration used, with VocabSize the size
	// of the vocabulary actually built.
	Config kate.Config
	// Info describes the training run (epochs, best epoch, loss).
	Info kate.TrainInfo
	// Fractions are the retrieval cut-offs of the Precision slices.
	Fractions []float64
	// KATE holds the scores of KATE's codes; LSA those of the baseline
	// (nil with SkipLSA).
	KATE Scores
	LSA  *Scores
	// MSCD is the topic distinctness of KATE's W (see MSCD).
	MSCD float64
	// Topics is the quality of KATE's topics under its default ranking
	// and under the raw weights, and of the NMF baseline's (nil with
	// SkipNMF), measured on the test documents (see Cooccurrence).
	Topics, TopicsByWeight TopicQuality
	NMF                    *TopicQuality
	// NMFSeconds is the time of the NMF factorisation.
	NMFSeconds float64
	// TrainSeconds is the wall time of KATE's training (vocabulary
	// included); TotalSeconds that of the whole evaluation.
	TrainSeconds, TotalSeconds float64
	// Model is the trained model.
	Model *kate.Model
}

// ErrNoLabels is returned by Run when no training document has a label.
var ErrNoLabels = errors.New("the documents have no labels")

// ErrMissingLabels is wrapped by the error Run returns when some documents
// have a label and others have none.
var ErrMissingLabels = errors.New("documents have no label")

// labelIndex maps the labels of the training examples to class numbers and
// checks that the corpus can be evaluated.
func labelIndex(train, test []Example) (classes []string, multi bool, err error) {
	if len(train) == 0 {
		return nil, false, errors.New("no training documents (split \"train\")")
	}
	if len(test) == 0 {
		return nil, false, errors.New("no test documents (split \"test\")")
	}
	seen := map[string]bool{}
	missing := 0
	for _, set := range [][]Example{train, test} {
		for _, e := range set {
			if len(e.Labels) == 0 {
				missing++
			}
			if len(e.Labels) > 1 {
				multi = true
			}
		}
	}
	for _, e := range train {
		for _, l := range e.Labels {
			if !seen[l] {
				seen[l] = true
				classes = append(classes, l)
			}
		}
	}
	if len(classes) == 0 {
		return nil, false, ErrNoLabels
	}
	if missing > 0 {
		return nil, false, fmt.Errorf("%d of %d %w", missing, len(train)+len(test), ErrMissingLabels)
	}
	if len(classes) < 2 {
		return nil, false, fmt.Errorf("the training documents have only one class (%q); classification needs at least two", classes[0])
	}
	slices.Sort(classes)
	return classes, multi, nil
}

// encodeLabels returns each example's class numbers; labels unknown to the
// training set map to -1.
func encodeLabels(xs []Example, classes []string) [][]int {
	idx := make(map[string]int, len(classes))
	for i, c := range classes {
		idx[c] = i
	}
	out := make([][]int, len(xs))
	for i, e := range xs {
		for _, l := range e.Labels {
			c, ok := idx[l]
			if !ok {
				c = -1
			}
			if !slices.Contains(out[i], c) {
				out[i] = append(out[i], c)
			}
		}
	}
	return out
}

// Run evaluates KATE on a labelled corpus as in the paper: it builds the
// vocabulary and trains a model on the training texts (with the validation
// split of opt.Config inside), encodes the training and test documents,
// fits a softmax classifier (sigmoid for multi-label corpora) on the
// training codes and scores it on the test codes, measures retrieval
// precision (test documents query the training documents by cosine;
// relevant means the same label, or a shared label for multi-label
// corpora), the topic distinctness of W, the topics' coherence (NPMI) and
// diversity on the test documents against an NMF baseline with as many
// topics, and runs the LSA baseline on the same input vectors at the same
// dimension. It errors when there are no
// training or test documents, a document has no label, the training
// documents have fewer than two classes, the configuration is invalid, or
// ctx is cancelled.
func Run(ctx context.Context, train, test []Example, opt Options) (*Result, error) {
	start := time.Now()
	classes, multi, err := labelIndex(train, test)
	if err != nil {
		return nil, err
	}
	if err := opt.Config.Validate(); err != nil {
		return nil, err
	}
	if opt.Fractions == nil {
		opt.Fractions = DefaultFractions
	}
	stage := func(s string) {
		if opt.Stage != nil {
			opt.Stage(s)
		}
	}
	yTrain, yTest := encodeLabels(train, classes), encodeLabels(test, classes)
	res := &Result{
		DocsTrain: len(train), DocsTest: len(test), Classes: len(classes), MultiLabel: multi,
		Config: opt.Config, Fractions: opt.Fractions, Regression: opt.Regression,
	}

	stage("training KATE")
	t0 := time.Now()
	texts := make([]string, len(train))
	for i, e := range train {
		texts[i] = e.Text
	}
	corpus, err := kate.BuildCorpus(texts, opt.Config.Text, opt.Config.VocabSize)
	if err != nil {
		return nil, err
	}
	model, err := kate.TrainVectors(ctx, corpus.Vocab, corpus.Vectors, opt.Config, opt.Train)
	if err != nil {
		return nil, err
	}
	res.TrainSeconds = time.Since(t0).Seconds()
	res.Model, res.Info = model, model.Info()
	res.Config.VocabSize = corpus.Vocab.Len()

	stage("encoding")
	xTrain := corpus.Vectors
	xTest := make([]kate.SparseVector, len(test))
	vz := model.NewVectorizer()
	for i, e := range test {
		xTest[i] = vz.Vector(e.Text)
	}
	cTrain, err := model.EncodeVectors(xTrain)
	if err != nil {
		return nil, err
	}
	cTest, err := model.EncodeVectors(xTest)
	if err != nil {
		return nil, err
	}
	res.KATE.Seconds = time.Since(t0).Seconds()
	wt, _, _ := model.Weights()
	if res.MSCD, err = MSCD(wt, model.Dim(), corpus.Vocab.Len()); err != nil {
		return nil, err
	}
	dim := model.Dim()
	stage("topic quality")
	if err := topicQuality(res, model, xTrain, xTest, opt); err != nil {
		return nil, err
	}
	tTrain, tTest := targets(train), targets(test)
	if err := downstream(ctx, &res.KATE, "KATE", cTrain, cTest, model.Origin(), dim, yTrain, yTest, tTrain, tTest, len(classes), multi, opt, stage); err != nil {
		return nil, err
	}

	if !opt.SkipLSA {
		stage("LSA")
		t1 := time.Now()
		l, err := FitLSA(xTrain, corpus.Vocab.Len(), min(dim, corpus.Vocab.Len()))
		if err != nil {
			return nil, err
		}
		lTrain, err := l.Transform(xTrain)
		if err != nil {
			return nil, err
		}
		lTest, err := l.Transform(xTest)
		if err != nil {
			return nil, err
		}
		res.LSA = &Scores{Seconds: time.Since(t1).Seconds()}
		if err := downstream(ctx, res.LSA, "LSA", lTrain, lTest, nil, l.Dim(), yTrain, yTest, tTrain, tTest, len(classes), multi, opt, stage); err != nil {
			return nil, err
		}
	}
	res.TotalSeconds = time.Since(start).Seconds()
	return res, nil
}

// DefaultNMFIterations is the number of HALS sweeps of the NMF baseline.
const DefaultNMFIterations = 50

// topicQuality measures KATE's topics (default ranking and raw weights)
// and the NMF baseline's, with the same number of topics, on the test
// documents.
func topicQuality(res *Result, model *kate.Model, xTrain, xTest []kate.SparseVector, opt Options) error {
	voc := model.Vocabulary()
	co, err := NewCooccurrence(xTest, voc.Len())
	if err != nil {
		return err
	}
	for _, q := range []struct {
		by  kate.TopicRanking
		dst *TopicQuality
	}{{kate.RankDocuments, &res.Topics}, {kate.RankWeight, &res.TopicsByWeight}} {
		ts, err := model.TopicsBy(DiversityWords, q.by)
		if err != nil {
			return err
		}
		*q.dst = co.Quality(TopicTerms(ts, voc))
	}
	if opt.SkipNMF {
		return nil
	}
	t := time.Now()
	iters := opt.NMFIterations
	if iters == 0 {
		iters = DefaultNMFIterations
	}
	f, err := FitNMF(xTrain, voc.Len(), min(model.Dim(), voc.Len()), iters, opt.Config.Seed)
	if err != nil {
		return err
	}
	q := co.Quality(f.Topics(DiversityWords))
	res.NMF = &q
	res.NMFSeconds = time.Since(t).Seconds()
	return nil
}

// TopicTerms returns the vocabulary indices of the topics' words.
func TopicTerms(ts []kate.Topic, voc *kate.Vocabulary) [][]int {
	out := make([][]int, len(ts))
	for j, t := range ts {
		for _, w := range t.Words {
			if i, ok := voc.Index(w); ok {
				out[j] = append(out[j], i)
			}
		}
	}
	return out
}

// downstream fits the classifier and measures retrieval for one
// representation, by raw cosine and from origin (length dim; nil for the
// zero vector, when both are the same).
func downstream(ctx context.Context, s *Scores, name string, xTrain, xTest, origin []float32, dim int, yTrain, yTest [][]int, tTrain, tTest []float64, classes int, multi bool, opt Options, stage func(string)) error {
	stage(name + ": classifier")
	t := time.Now()
	if multi {
		// Unknown test labels (-1) cannot be predicted: they stay in the
		// truth as misses.
		c, err := TrainSigmoid(ctx, xTrain, dim, yTrain, classes, opt.Classifier)
		if err != nil {
			return err
		}
		pred, err := c.PredictSets(xTest)
		if err != nil {
			return err
		}
		truth := make([][]int, len(yTest))
		for i, ls := range yTest {
			for _, l := range ls {
				if l < 0 {
					l = classes // counted as a false negative of no class
				}
				truth[i] = append(truth[i], l)
			}
		}
		if s.MicroF1, s.MacroF1, err = F1(pred, truth, classes+1); err != nil {
			return err
		}
		s.Lambda, s.Iterations = c.Lambda, c.Iterations
	} else {
		y := make([]int, len(yTrain))
		for i, ls := range yTrain {
			y[i] = ls[0]
		}
		c, err := TrainSoftmax(ctx, xTrain, dim, y, classes, opt.Classifier)
		if err != nil {
			return err
		}
		pred, err := c.Predict(xTest)
		if err != nil {
			return err
		}
		truth := make([]int, len(yTest))
		for i, ls := range yTest {
			truth[i] = ls[0]
		}
		if s.Accuracy, err = Accuracy(pred, truth); err != nil {
			return err
		}
		s.Lambda, s.Iterations = c.Lambda, c.Iterations
	}
	if opt.Regression {
		r, err := FitRidge(xTrain, dim, tTrain, nil, opt.Classifier.Seed)
		if err != nil {
			return err
		}
		pred, err := r.Predict(xTest)
		if err != nil {
			return err
		}
		s.R2, s.RidgeLambda = RSquared(pred, tTest), r.Lambda
	}
	s.ClassifierSeconds = time.Since(t).Seconds()

	stage(name + ": retrieval")
	t = time.Now()
	var rel Relevance
	if multi {
		rel = SharedLabel(yTest, yTrain)
	} else {
		q := make([]int, len(yTest))
		for i, ls := range yTest {
			q[i] = ls[0]
		}
		d := make([]int, len(yTrain))
		for i, ls := range yTrain {
			d[i] = ls[0]
		}
		rel = SameLabel(q, d)
	}
	p, err := RetrievalPrecision(ctx, xTest, xTrain, dim, rel, opt.Fractions)
	if err != nil {
		return err
	}
	s.Precision, s.PrecisionOrigin = p, p
	if origin != nil {
		if s.PrecisionOrigin, err = RetrievalPrecision(ctx, shift(xTest, origin), shift(xTrain, origin), dim, rel, opt.Fractions); err != nil {
			return err
		}
	}
	s.RetrievalSeconds = time.Since(t).Seconds()
	return nil
}

// shift returns a copy of the row-major codes x with origin (length dim)
// subtracted from every row.
func shift(x, origin []float32) []float32 {
	out := make([]float32, len(x))
	dim := len(origin)
	for i, v := range x {
		out[i] = v - origin[i%dim]
	}
	return out
}

func targets(xs []Example) []float64 {
	out := make([]float64, len(xs))
	for i, e := range xs {
		out[i] = e.Target
	}
	return out
}
