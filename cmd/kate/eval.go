package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/eval"
)

// defaultEvalData is the bundled 20 Newsgroups sample, used by "kate eval"
// without --data when it is run from the repository's root.
const defaultEvalData = "testdata/20news-sample.jsonl.gz"

func init() {
	commands["eval"] = &command{
		summary: "train on a labelled corpus's train split and score the codes on its test split (classification, retrieval, LSA baseline; topic NPMI and diversity, NMF baseline)",
		usage:   "kate eval --data FILE [--label-field label] [--dim 128] [--k 32] [--grad full|none] [--seed 1] [--epochs N] [training flags]",
		run:     runEval,
	}
}

// evalSummary is the JSON object printed as the last line of "kate eval".
type evalSummary struct {
	Dataset           string             `json:"dataset"`
	DocsTrain         int                `json:"docs_train"`
	DocsTest          int                `json:"docs_test"`
	Classes           int                `json:"classes"`
	MultiLabel        bool               `json:"multi_label"`
	Dim               int                `json:"dim"`
	K                 int                `json:"k"`
	Alpha             float64            `json:"alpha"`
	Grad              string             `json:"grad"`
	Vocab             int                `json:"vocab"`
	Stem              bool               `json:"stem"`
	Stopwords         bool               `json:"stopwords"`
	Seed              uint64             `json:"seed"`
	TestShare         *float64           `json:"test_share,omitempty"`
	SplitSeed         *uint64            `json:"split_seed,omitempty"`
	SkippedUnlabelled int                `json:"skipped_unlabelled,omitempty"`
	Accuracy          *float64           `json:"accuracy,omitempty"`
	MicroF1           *float64           `json:"micro_f1,omitempty"`
	MacroF1           *float64           `json:"macro_f1,omitempty"`
	LSAAccuracy       *float64           `json:"lsa_accuracy,omitempty"`
	LSAMicroF1        *float64           `json:"lsa_micro_f1,omitempty"`
	LSAMacroF1        *float64           `json:"lsa_macro_f1,omitempty"`
	Target            string             `json:"target,omitempty"`
	R2                *float64           `json:"r2,omitempty"`
	LSAR2             *float64           `json:"lsa_r2,omitempty"`
	Precision         map[string]float64 `json:"precision"`
	PrecisionOrigin   map[string]float64 `json:"precision_origin"`
	LSAPrecision      map[string]float64 `json:"lsa_precision,omitempty"`
	MSCD              float64            `json:"mscd"`
	TopicNPMI         float64            `json:"topic_npmi"`
	TopicDiv          float64            `json:"topic_diversity"`
	WeightNPMI        float64            `json:"topic_npmi_by_weight"`
	WeightDiv         float64            `json:"topic_diversity_by_weight"`
	NMFNPMI           *float64           `json:"nmf_npmi,omitempty"`
	NMFDiv            *float64           `json:"nmf_diversity,omitempty"`
	Epochs            int                `json:"epochs"`
	BestEpoch         int                `json:"best_epoch"`
	ValLoss           float64            `json:"val_loss"`
	Lambda            float64            `json:"lambda"`
	LSALambda         *float64           `json:"lsa_lambda,omitempty"`
	TrainSeconds      float64            `json:"train_seconds"`
	LSASeconds        *float64           `json:"lsa_seconds,omitempty"`
	TotalSeconds      float64            `json:"total_seconds"`
}

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval")
	df := &dataFlags{}
	fs.StringVar(&df.path, "data", "", "labelled corpus `FILE` with a \"split\" field (train/test); default: the bundled sample "+defaultEvalData+" when run from the repository")
	fs.StringVar(&df.textField, "text-field", "text", "JSON field holding the text")
	fs.StringVar(&df.labelField, "label-field", "label", "JSON field holding the label (a string, or a list of strings for multi-label corpora)")
	fs.IntVar(&df.maxDocs, "max-docs", 0, "read at most this many documents (0: all)")
	tf := addTrainFlags(fs)
	var trainSplit, testSplit, save, lambdas string
	var quiet, noLSA, noNMF, noRefit, skipUnlabelled bool
	var holdout, testShare float64
	var splitSeed uint64
	fs.StringVar(&trainSplit, "train-split", "train", "value of the \"split\" field of the training documents")
	fs.StringVar(&testSplit, "test-split", "test", "value of the \"split\" field of the test documents")
	fs.Float64Var(&testShare, "test-share", 0, "split the documents at random instead of by their \"split\" field: this share, in (0, 1), is the test set")
	fs.Uint64Var(&splitSeed, "split-seed", 1, "seed of the --test-share split")
	fs.BoolVar(&skipUnlabelled, "skip-unlabelled", false, "leave out the documents without a label (default: they are an error)")
	fs.StringVar(&df.targetField, "target", "", "numeric JSON `FIELD` (e.g. a rating): also report the R² of a ridge regression from the codes to it, for KATE and LSA")
	fs.StringVar(&save, "save", "", "also write the trained model to `FILE`")
	fs.BoolVar(&noLSA, "no-lsa", false, "skip the LSA baseline")
	fs.BoolVar(&noNMF, "no-nmf", false, "skip the NMF topic baseline")
	fs.StringVar(&lambdas, "lambdas", "", "comma-separated L2 strengths the classifier chooses from on its held-out rows (default "+joinFloats(eval.DefaultLambdas)+")")
	fs.Float64Var(&holdout, "holdout", 0.1, "fraction of the training codes held out to choose the classifier's L2 strength and stopping iteration")
	fs.BoolVar(&noRefit, "no-refit", false, "keep the classifier fitted without its held-out rows (default: refit on all training codes)")
	fs.BoolVar(&quiet, "quiet", false, "no progress output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("eval", pos); err != nil {
		return err
	}
	cfg, err := tf.config()
	if err != nil {
		return usagef("eval", "%v", err)
	}
	copt := eval.ClassifierOptions{Holdout: holdout, NoRefit: noRefit, Seed: cfg.Seed}
	if !(holdout > 0 && holdout <= 0.5) {
		return usagef("eval", "--holdout %v must be in (0, 0.5]", holdout)
	}
	if lambdas != "" {
		for _, s := range strings.Split(lambdas, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || !(v >= 0) || math.IsInf(v, 0) {
				return usagef("eval", "--lambdas: %q is not a number >= 0", s)
			}
			copt.Lambdas = append(copt.Lambdas, v)
		}
	}
	if testShare != 0 && !(testShare > 0 && testShare < 1) {
		return usagef("eval", "--test-share %v must be in (0, 1)", testShare)
	}
	if df.path == "" {
		if _, err := os.Stat(defaultEvalData); err != nil {
			return usagef("eval", "missing --data FILE (the bundled sample %s is not in the current directory)", defaultEvalData)
		}
		df.path = defaultEvalData
	}
	if save != "" {
		if err := checkOutputDir(save); err != nil {
			return err
		}
	}
	logf := func(format string, a ...any) {
		if !quiet {
			fmt.Fprintf(e.stderr, format+"\n", a...)
		}
	}
	start := time.Now()
	docs, err := df.load("eval")
	if err != nil {
		return pathError(err)
	}
	skipped := 0
	if skipUnlabelled {
		n := len(docs)
		docs = slices.DeleteFunc(docs, func(d dataset.Doc) bool { return len(d.Labels) == 0 && d.Label == "" })
		skipped = n - len(docs)
		if len(docs) == 0 {
			return fmt.Errorf("%s: no document has a label (field %q; choose another with --label-field)", df.path, df.labelField)
		}
	}
	if df.targetField != "" {
		missing := 0
		for _, d := range docs {
			if !d.HasTarget {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%s: %d of %d documents have no %q field (--target needs it on every document)", df.path, missing, len(docs), df.targetField)
		}
	}
	var train, test []eval.Example
	if testShare > 0 {
		train, test = randomSplit(docs, testShare, splitSeed)
	} else {
		train, test = splitExamples(docs, trainSplit, testSplit)
	}
	logf("read %d train and %d test documents from %s in %s", len(train), len(test), df.path, fmtDuration(time.Since(start)))
	if skipped > 0 {
		logf("left out %d documents without a label", skipped)
	}
	if len(train) == 0 || len(test) == 0 {
		if testShare > 0 {
			return fmt.Errorf("%s: --test-share %v leaves %d training and %d test documents; both need at least one", df.path, testShare, len(train), len(test))
		}
		return fmt.Errorf("%s: need documents with \"split\" %q and %q (found %d and %d; split values present: %s); choose them with --train-split/--test-split, or split at random with --test-share 0.2", df.path, trainSplit, testSplit, len(train), len(test), splitValues(docs))
	}
	docs = nil
	opt := eval.Options{Config: cfg, Classifier: copt, SkipLSA: noLSA, SkipNMF: noNMF, Regression: df.targetField != ""}
	if !quiet {
		opt.Train.Progress = newProgressPrinter(e.stderr)
		opt.Stage = func(s string) { logf("%s ...", s) }
		logf("training K=%d k=%d alpha=%g grad=%s on %d documents (%d held out for validation)",
			cfg.Dim, cfg.Winners, cfg.Alpha, cfg.Grad, len(train), heldOut(len(train), cfg.ValidationDocs))
	}
	res, err := eval.Run(ctx, train, test, opt)
	if err != nil {
		if ctx.Err() != nil {
			if !quiet && isTerminal(e.stderr) {
				fmt.Fprintln(e.stderr)
			}
			return fmt.Errorf("interrupted: %w", ctx.Err())
		}
		if errors.Is(err, eval.ErrMissingLabels) {
			return fmt.Errorf("%s: %v (field %q; leave them out with --skip-unlabelled)", df.path, err, df.labelField)
		}
		if errors.Is(err, eval.ErrNoLabels) {
			return fmt.Errorf("%s: %v (field %q; choose another with --label-field)", df.path, err, df.labelField)
		}
		return fmt.Errorf("%s: %s", df.path, trimKate(err))
	}
	if save != "" {
		err := writeFileAtomic(save, func(w io.Writer) error {
			if err := res.Model.Save(w); err != nil {
				return &failure{fmt.Errorf("cannot write %s: %v", save, err)}
			}
			return nil
		})
		if err != nil {
			return err
		}
		logf("wrote %s", save)
	}
	printEvalTable(e.stdout, df.path, res)
	sum := summarize(filepath.Base(df.path), res)
	if testShare > 0 {
		sum.TestShare, sum.SplitSeed = ptr(testShare), &splitSeed
	}
	if df.targetField != "" {
		sum.Target = df.targetField
	}
	sum.SkippedUnlabelled = skipped
	line, err := json.Marshal(sum)
	if err != nil {
		return &failure{err}
	}
	if _, err := fmt.Fprintf(e.stdout, "%s\n", line); err != nil {
		return &failure{err}
	}
	return nil
}

// randomSplit puts each document in the test set with probability share,
// from a permutation drawn from seed: the same documents and seed give the
// same split. Both sets keep the documents' order.
func randomSplit(docs []dataset.Doc, share float64, seed uint64) (train, test []eval.Example) {
	n := len(docs)
	nTest := int(math.Round(share * float64(n)))
	perm := rand.New(rand.NewPCG(seed, 0x73706c74)).Perm(n) // "splt"
	isTest := make([]bool, n)
	for _, i := range perm[:nTest] {
		isTest[i] = true
	}
	for i, d := range docs {
		if isTest[i] {
			test = append(test, example(d))
		} else {
			train = append(train, example(d))
		}
	}
	return train, test
}

// splitValues lists the distinct "split" values of docs with their counts,
// most frequent first, for an error message.
func splitValues(docs []dataset.Doc) string {
	count := map[string]int{}
	for _, d := range docs {
		count[d.Split]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for i, k := range keys {
		if i == 8 {
			fmt.Fprintf(&b, ", and %d more", len(keys)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if k == "" {
			fmt.Fprintf(&b, "none (%d)", count[k])
		} else {
			fmt.Fprintf(&b, "%q (%d)", k, count[k])
		}
	}
	return b.String()
}

func example(d dataset.Doc) eval.Example {
	ex := eval.Example{Text: d.Text, Labels: d.Labels, Target: d.Target}
	if len(ex.Labels) == 0 && d.Label != "" {
		ex.Labels = []string{d.Label}
	}
	return ex
}

// splitExamples separates the documents of the two splits; others are
// ignored.
func splitExamples(docs []dataset.Doc, trainSplit, testSplit string) (train, test []eval.Example) {
	for _, d := range docs {
		ex := example(d)
		switch d.Split {
		case trainSplit:
			train = append(train, ex)
		case testSplit:
			test = append(test, ex)
		}
	}
	return train, test
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strings.Join(s, ",")
}

func fractionKey(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func ptr(v float64) *float64 { return &v }

// summarize builds the JSON summary of an evaluation.
func summarize(dataset string, r *eval.Result) evalSummary {
	c := r.Config
	s := evalSummary{
		Dataset: dataset, DocsTrain: r.DocsTrain, DocsTest: r.DocsTest, Classes: r.Classes, MultiLabel: r.MultiLabel,
		Dim: c.Dim, K: c.Winners, Alpha: round(float64(c.Alpha), 4), Grad: c.Grad.String(), Vocab: c.VocabSize,
		Stem: c.Text.Stem, Stopwords: c.Text.Stopwords, Seed: c.Seed,
		Precision: map[string]float64{}, PrecisionOrigin: map[string]float64{}, MSCD: round(r.MSCD, 6),
		TopicNPMI: round(r.Topics.NPMI, 4), TopicDiv: round(r.Topics.Diversity, 4),
		WeightNPMI: round(r.TopicsByWeight.NPMI, 4), WeightDiv: round(r.TopicsByWeight.Diversity, 4),
		Epochs: r.Info.Epochs, BestEpoch: r.Info.BestEpoch, ValLoss: round(r.Info.ValLoss, 6),
		Lambda: r.KATE.Lambda, TrainSeconds: round(r.TrainSeconds, 2), TotalSeconds: round(r.TotalSeconds, 2),
	}
	for i, f := range r.Fractions {
		s.Precision[fractionKey(f)] = round(r.KATE.Precision[i], 4)
		s.PrecisionOrigin[fractionKey(f)] = round(r.KATE.PrecisionOrigin[i], 4)
	}
	if r.MultiLabel {
		s.MicroF1, s.MacroF1 = ptr(round(r.KATE.MicroF1, 4)), ptr(round(r.KATE.MacroF1, 4))
	} else {
		s.Accuracy = ptr(round(r.KATE.Accuracy, 4))
	}
	if r.Regression {
		s.R2 = ptr(round(r.KATE.R2, 4))
	}
	if q := r.NMF; q != nil {
		s.NMFNPMI, s.NMFDiv = ptr(round(q.NPMI, 4)), ptr(round(q.Diversity, 4))
	}
	if l := r.LSA; l != nil {
		if r.MultiLabel {
			s.LSAMicroF1, s.LSAMacroF1 = ptr(round(l.MicroF1, 4)), ptr(round(l.MacroF1, 4))
		} else {
			s.LSAAccuracy = ptr(round(l.Accuracy, 4))
		}
		if r.Regression {
			s.LSAR2 = ptr(round(l.R2, 4))
		}
		s.LSAPrecision = map[string]float64{}
		for i, f := range r.Fractions {
			s.LSAPrecision[fractionKey(f)] = round(l.Precision[i], 4)
		}
		s.LSALambda = ptr(l.Lambda)
		s.LSASeconds = ptr(round(l.Seconds, 2))
	}
	return s
}

func round(v float64, digits int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// printEvalTable writes the human-readable report.
func printEvalTable(w io.Writer, path string, r *eval.Result) {
	c := r.Config
	kind := "single-label"
	if r.MultiLabel {
		kind = "multi-label"
	}
	fmt.Fprintf(w, "data        %s: %d train, %d test documents, %d classes (%s)\n", path, r.DocsTrain, r.DocsTest, r.Classes, kind)
	fmt.Fprintf(w, "model       K=%d k=%d alpha=%g grad=%s V=%d stem=%t stopwords=%t seed=%d\n",
		c.Dim, c.Winners, c.Alpha, c.Grad, c.VocabSize, c.Text.Stem, c.Text.Stopwords, c.Seed)
	fmt.Fprintf(w, "training    %d epochs (best %d), val loss %.6f, %.1f s\n", r.Info.Epochs, r.Info.BestEpoch, r.Info.ValLoss, r.TrainSeconds)
	fmt.Fprintln(w)
	lsa := r.LSA
	cell := func(s *eval.Scores, f func(*eval.Scores) string) string {
		if s == nil {
			return "-"
		}
		return f(s)
	}
	row := func(name string, f func(*eval.Scores) string) {
		fmt.Fprintf(w, "%-18s %10s %10s\n", name, cell(&r.KATE, f), cell(lsa, f))
	}
	fmt.Fprintf(w, "%-18s %10s %10s\n", "", "KATE", "LSA")
	if r.MultiLabel {
		row("micro-F1", func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.MicroF1) })
		row("macro-F1", func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.MacroF1) })
	} else {
		row("accuracy", func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.Accuracy) })
	}
	if r.Regression {
		row("regression R²", func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.R2) })
	}
	for i, f := range r.Fractions {
		row("precision@"+fractionKey(f), func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.Precision[i]) })
	}
	// Measured from the origin (what `kate similar` ranks by); LSA's origin
	// is zero, so its column repeats the raw cosine.
	for i, f := range r.Fractions {
		row("  from origin@"+fractionKey(f), func(s *eval.Scores) string { return fmt.Sprintf("%.4f", s.PrecisionOrigin[i]) })
	}
	row("classifier L2", func(s *eval.Scores) string { return strconv.FormatFloat(s.Lambda, 'g', 3, 64) })
	row("time (s)", func(s *eval.Scores) string {
		return fmt.Sprintf("%.1f", s.Seconds+s.ClassifierSeconds+s.RetrievalSeconds)
	})
	fmt.Fprintf(w, "%-18s %10.4f %10s\n", "MSCD", r.MSCD, "-")
	fmt.Fprintln(w)
	nmf := func(f func(q *eval.TopicQuality) float64) string {
		if r.NMF == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", f(r.NMF))
	}
	fmt.Fprintf(w, "%-18s %10s %10s %10s\n", "topics (test docs)", "KATE", "by weight", "NMF")
	fmt.Fprintf(w, "%-18s %10.4f %10.4f %10s\n", "NPMI (top 10)", r.Topics.NPMI, r.TopicsByWeight.NPMI, nmf(func(q *eval.TopicQuality) float64 { return q.NPMI }))
	fmt.Fprintf(w, "%-18s %10.4f %10.4f %10s\n", "diversity (top 25)", r.Topics.Diversity, r.TopicsByWeight.Diversity, nmf(func(q *eval.TopicQuality) float64 { return q.Diversity }))
	fmt.Fprintf(w, "total %.1f s\n", r.TotalSeconds)
}
