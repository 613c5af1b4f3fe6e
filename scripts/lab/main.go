// Command lab measures the levers of issue 9 (why KATE loses to LSA on some
// corpora) on several corpora at once: for every corpus, training
// configuration and seed it trains one model and scores its codes several
// ways (raw cosine, cosine from the model's origin, from the training
// codes' mean, standardised by the training codes' mean and deviation; z
// codes and codes after the competition h), next to LSA scored raw and
// standardised. It prints one tab-separated line per (corpus, configuration,
// seed); docs/results.md gives the commands and the tables made from them.
//
//	go run ./scripts/lab -corpus spam=corpora/spam.jsonl.gz -corpus 20ng=../shared/data/20news-bydate.jsonl.gz \
//	    -seeds 1,2,3 -config paper -config v5000:vocab=5000 -config none:grad=none
//
// A corpus without a "split" field is split 80/20 by a seeded hash of its
// position (-split-seed); documents without a label are left out.
// A configuration is NAME[:key=value,...] with keys vocab, vocabby
// (count|df), grad (full|none), k, dim, val (validation documents), valshare
// (validation share of the training documents), epochs, lr, stop (stop
// patience), reduce (reduce patience), mindf.
package main

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/eval"
	"github.com/kate-web/kate/kate"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

type corpusData struct {
	name          string
	train, test   []string
	yTrain, yTest [][]int
	classes       int
	multi         bool
}

func main() {
	var corpora, configs multiFlag
	seeds := flag.String("seeds", "1", "comma-separated seeds")
	splitSeed := flag.Uint64("split-seed", 1, "seed of the 80/20 split of corpora without a split field")
	maxTrain := flag.Int("max-train", 0, "use a seeded random subset of at most this many training documents (0: all)")
	noLSA := flag.Bool("no-lsa", false, "skip LSA")
	flag.Var(&corpora, "corpus", "NAME=PATH[,label=FIELD] (repeatable)")
	flag.Var(&configs, "config", "NAME[:key=value,...] (repeatable)")
	flag.Parse()
	if len(configs) == 0 {
		configs = multiFlag{"paper"}
	}
	var seedList []uint64
	for _, s := range strings.Split(*seeds, ",") {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			fail("bad seed %q", s)
		}
		seedList = append(seedList, v)
	}
	fmt.Println(strings.Join([]string{"corpus", "config", "seed", "V", "epochs", "best", "valloss", "trainsec",
		"cls_z", "cls_h", "p001_raw", "p01_raw", "p01_origin", "p01_mean", "p01_std", "p001_std", "p01_h", "p01_hstd"}, "\t"))
	ctx := context.Background()
	for _, c := range corpora {
		cd := loadCorpus(c, *splitSeed, *maxTrain)
		lsaDone := map[string]bool{}
		for _, cs := range configs {
			name, cfg, by := parseConfig(cs)
			vocab, xTrain, xTest := vectors(cd, cfg.Text, cfg.VocabSize, by)
			vkey := fmt.Sprintf("%d/%s", cfg.VocabSize, by)
			if !*noLSA && !lsaDone[vkey] {
				lsaDone[vkey] = true
				runLSA(ctx, cd, vocab, xTrain, xTest, cfg.Dim, vkey)
			}
			if cfg.ValidationDocs < 0 {
				cfg.ValidationDocs = int(float64(-cfg.ValidationDocs) / 1e6 * float64(len(xTrain)))
			}
			for _, seed := range seedList {
				cfg.Seed = seed
				t0 := time.Now()
				m, err := kate.TrainVectors(ctx, vocab, xTrain, cfg, kate.TrainOptions{})
				if err != nil {
					fail("%s %s: %v", cd.name, name, err)
				}
				sec := time.Since(t0).Seconds()
				zTr, _ := m.EncodeVectors(xTrain)
				zTe, _ := m.EncodeVectors(xTest)
				dim := m.Dim()
				p := m.Params()
				hTr, hTe := compete(zTr, dim, p.Winners, p.Alpha), compete(zTe, dim, p.Winners, p.Alpha)
				info := m.Info()
				row := []string{cd.name, name, strconv.FormatUint(seed, 10), strconv.Itoa(vocab.Len()),
					strconv.Itoa(info.Epochs), strconv.Itoa(info.BestEpoch), f4(info.ValLoss), fmt.Sprintf("%.1f", sec)}
				row = append(row, f4(classify(ctx, cd, zTr, zTe, dim)), f4(classify(ctx, cd, hTr, hTe, dim)))
				raw := retrieve(ctx, cd, zTr, zTe, dim)
				org := m.Origin()
				mean, std := stats(zTr, dim)
				pOrg := retrieve(ctx, cd, shift(zTr, org, nil, dim), shift(zTe, org, nil, dim), dim)
				pMean := retrieve(ctx, cd, shift(zTr, mean, nil, dim), shift(zTe, mean, nil, dim), dim)
				pStd := retrieve(ctx, cd, shift(zTr, mean, std, dim), shift(zTe, mean, std, dim), dim)
				hm, hs := stats(hTr, dim)
				pH := retrieve(ctx, cd, hTr, hTe, dim)
				pHs := retrieve(ctx, cd, shift(hTr, hm, hs, dim), shift(hTe, hm, hs, dim), dim)
				row = append(row, f4(raw[0]), f4(raw[1]), f4(pOrg[1]), f4(pMean[1]), f4(pStd[1]), f4(pStd[0]), f4(pH[1]), f4(pHs[1]))
				fmt.Println(strings.Join(row, "\t"))
			}
		}
	}
}

func runLSA(ctx context.Context, cd *corpusData, vocab *kate.Vocabulary, xTrain, xTest []kate.SparseVector, dim int, vkey string) {
	l, err := eval.FitLSA(xTrain, vocab.Len(), min(dim, vocab.Len()))
	if err != nil {
		fail("LSA: %v", err)
	}
	a, _ := l.Transform(xTrain)
	b, _ := l.Transform(xTest)
	d := l.Dim()
	raw := retrieve(ctx, cd, a, b, d)
	mean, std := stats(a, d)
	pMean := retrieve(ctx, cd, shift(a, mean, nil, d), shift(b, mean, nil, d), d)
	pStd := retrieve(ctx, cd, shift(a, mean, std, d), shift(b, mean, std, d), d)
	row := []string{cd.name, "LSA " + vkey, "-", strconv.Itoa(vocab.Len()), "-", "-", "-", "-",
		f4(classify(ctx, cd, a, b, d)), "-", f4(raw[0]), f4(raw[1]), "-", f4(pMean[1]), f4(pStd[1]), f4(pStd[0]), "-", "-"}
	fmt.Println(strings.Join(row, "\t"))
}

func f4(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "lab: "+format+"\n", a...)
	os.Exit(2)
}

func parseConfig(s string) (string, kate.Config, string) {
	cfg := kate.DefaultConfig()
	name, rest, _ := strings.Cut(s, ":")
	by := "count"
	valShare := 0.0
	if rest != "" {
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "vocab":
				cfg.VocabSize = int(n)
			case "vocabby":
				by = v
			case "grad":
				g, err := kate.ParseGradMode(v)
				if err != nil {
					fail("%v", err)
				}
				cfg.Grad = g
			case "k":
				cfg.Winners = int(n)
			case "dim":
				cfg.Dim = int(n)
			case "val":
				cfg.ValidationDocs = int(n)
			case "valshare":
				valShare = n
			case "epochs":
				cfg.Epochs = int(n)
			case "lr":
				cfg.LearningRate = n
			case "stop":
				cfg.StopPatience = int(n)
			case "reduce":
				cfg.ReducePatience = int(n)
			case "alpha":
				cfg.Alpha = float32(n)
			default:
				fail("unknown config key %q", k)
			}
		}
	}
	if valShare > 0 {
		cfg.ValidationDocs = -int(valShare * 1e6) // resolved per corpus
	}
	return name, cfg, by
}

func loadCorpus(spec string, splitSeed uint64, maxTrain int) *corpusData {
	name, rest, ok := strings.Cut(spec, "=")
	if !ok {
		fail("corpus %q: want NAME=PATH", spec)
	}
	parts := strings.Split(rest, ",")
	opt := dataset.Options{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		if k == "label" {
			opt.LabelField = v
		}
	}
	docs, err := dataset.Load(parts[0], opt)
	if err != nil {
		fail("%v", err)
	}
	cd := &corpusData{name: name}
	hasSplit := slices.ContainsFunc(docs, func(d dataset.Doc) bool { return d.Split != "" })
	var trL, teL [][]string
	for i, d := range docs {
		if len(d.Labels) == 0 {
			continue
		}
		test := d.Split == "test"
		if !hasSplit {
			h := fnv.New64a()
			fmt.Fprintf(h, "%d/%d", splitSeed, i)
			test = h.Sum64()%5 == 0
		} else if d.Split != "train" && d.Split != "test" {
			continue
		}
		if test {
			cd.test = append(cd.test, d.Text)
			teL = append(teL, d.Labels)
		} else {
			cd.train = append(cd.train, d.Text)
			trL = append(trL, d.Labels)
		}
	}
	if maxTrain > 0 && len(cd.train) > maxTrain {
		// A seeded random subset, in file order (the first N would follow
		// the file's order: by group, by part of speech, ...).
		keep := make([]bool, len(cd.train))
		for _, i := range rand.New(rand.NewPCG(splitSeed, 0x6d617874)).Perm(len(cd.train))[:maxTrain] {
			keep[i] = true
		}
		var tx []string
		var tl [][]string
		for i, k := range keep {
			if k {
				tx = append(tx, cd.train[i])
				tl = append(tl, trL[i])
			}
		}
		cd.train, trL = tx, tl
	}
	idx := map[string]int{}
	var names []string
	for _, ls := range trL {
		for _, l := range ls {
			if _, ok := idx[l]; !ok {
				idx[l] = 0
				names = append(names, l)
			}
		}
		if len(ls) > 1 {
			cd.multi = true
		}
	}
	for _, ls := range teL {
		if len(ls) > 1 {
			cd.multi = true
		}
	}
	sort.Strings(names)
	for i, n := range names {
		idx[n] = i
	}
	cd.classes = len(names)
	enc := func(all [][]string) [][]int {
		out := make([][]int, len(all))
		for i, ls := range all {
			for _, l := range ls {
				c, ok := idx[l]
				if !ok {
					c = -1
				}
				out[i] = append(out[i], c)
			}
		}
		return out
	}
	cd.yTrain, cd.yTest = enc(trL), enc(teL)
	fmt.Fprintf(os.Stderr, "%s: %d train, %d test, %d classes, multi=%t\n", name, len(cd.train), len(cd.test), cd.classes, cd.multi)
	return cd
}

// vectors builds the vocabulary (by total count, the core's rule, or by
// document frequency) and the input vectors.
func vectors(cd *corpusData, opts kate.TextOptions, size int, by string) (*kate.Vocabulary, []kate.SparseVector, []kate.SparseVector) {
	if by == "count" {
		c, err := kate.BuildCorpus(cd.train, opts, size)
		if err != nil {
			fail("%v", err)
		}
		te := make([]kate.SparseVector, len(cd.test))
		for i, t := range cd.test {
			te[i] = c.Vocab.Vector(opts.Tokens(t))
		}
		return c.Vocab, c.Vectors, te
	}
	tok := opts
	toks := make([][]string, len(cd.train))
	df := map[string]int{}
	for i, t := range cd.train {
		toks[i] = tok.Tokens(t)
		seen := map[string]bool{}
		for _, w := range toks[i] {
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	type wc struct {
		w string
		c int
	}
	all := make([]wc, 0, len(df))
	for w, c := range df {
		all = append(all, wc{w, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].c != all[j].c {
			return all[i].c > all[j].c
		}
		return all[i].w < all[j].w
	})
	all = all[:min(size, len(all))]
	words := make([]string, len(all))
	for i, e := range all {
		words[i] = e.w
	}
	vocab, err := kate.NewVocabulary(words)
	if err != nil {
		fail("%v", err)
	}
	vec := vocab.Vector
	tr := make([]kate.SparseVector, len(cd.train))
	for i := range tr {
		tr[i] = vec(toks[i])
	}
	te := make([]kate.SparseVector, len(cd.test))
	for i, t := range cd.test {
		te[i] = vec(tok.Tokens(t))
	}
	return vocab, tr, te
}

func compete(z []float32, dim, k int, alpha float32) []float32 {
	h := make([]float32, len(z))
	kp, kn := (k+1)/2, k/2
	idx := make([]int, 0, dim)
	for r := 0; r < len(z)/dim; r++ {
		row := z[r*dim : (r+1)*dim]
		out := h[r*dim : (r+1)*dim]
		for _, pos := range []bool{true, false} {
			idx = idx[:0]
			for j, v := range row {
				if (pos && v > 0) || (!pos && v < 0) {
					idx = append(idx, j)
				}
			}
			sort.SliceStable(idx, func(a, b int) bool { return math.Abs(float64(row[idx[a]])) > math.Abs(float64(row[idx[b]])) })
			q := kn
			if pos {
				q = kp
			}
			q = min(q, len(idx))
			var e float32
			for _, j := range idx[q:] {
				e += row[j]
			}
			for _, j := range idx[:q] {
				out[j] = row[j] + float32(alpha*e)
			}
		}
	}
	return h
}

func stats(x []float32, dim int) (mean, std []float32) {
	n := len(x) / dim
	m := make([]float64, dim)
	s := make([]float64, dim)
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			m[j] += float64(v)
		}
	}
	for j := range m {
		m[j] /= float64(n)
	}
	for i := range n {
		for j, v := range x[i*dim : (i+1)*dim] {
			d := float64(v) - m[j]
			s[j] += float64(d * d)
		}
	}
	mean, std = make([]float32, dim), make([]float32, dim)
	for j := range m {
		mean[j] = float32(m[j])
		sd := math.Sqrt(s[j] / float64(n))
		if sd < 1e-6 {
			sd = 1
		}
		std[j] = float32(sd)
	}
	return mean, std
}

func shift(x, mean, std []float32, dim int) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		j := i % dim
		out[i] = v - mean[j]
		if std != nil {
			out[i] /= std[j]
		}
	}
	return out
}

func classify(ctx context.Context, cd *corpusData, tr, te []float32, dim int) float64 {
	opt := eval.ClassifierOptions{Seed: 1}
	if cd.multi {
		c, err := eval.TrainSigmoid(ctx, tr, dim, cd.yTrain, cd.classes, opt)
		if err != nil {
			fail("%v", err)
		}
		pred, _ := c.PredictSets(te)
		truth := make([][]int, len(cd.yTest))
		for i, ls := range cd.yTest {
			for _, l := range ls {
				if l < 0 {
					l = cd.classes
				}
				truth[i] = append(truth[i], l)
			}
		}
		micro, _, err := eval.F1(pred, truth, cd.classes+1)
		if err != nil {
			fail("%v", err)
		}
		return micro
	}
	y := make([]int, len(cd.yTrain))
	for i, ls := range cd.yTrain {
		y[i] = ls[0]
	}
	c, err := eval.TrainSoftmax(ctx, tr, dim, y, cd.classes, opt)
	if err != nil {
		fail("%v", err)
	}
	pred, _ := c.Predict(te)
	truth := make([]int, len(cd.yTest))
	for i, ls := range cd.yTest {
		truth[i] = ls[0]
	}
	a, err := eval.Accuracy(pred, truth)
	if err != nil {
		fail("%v", err)
	}
	return a
}

func retrieve(ctx context.Context, cd *corpusData, tr, te []float32, dim int) []float64 {
	var rel eval.Relevance
	if cd.multi {
		rel = eval.SharedLabel(cd.yTest, cd.yTrain)
	} else {
		q := make([]int, len(cd.yTest))
		for i, ls := range cd.yTest {
			q[i] = ls[0]
		}
		d := make([]int, len(cd.yTrain))
		for i, ls := range cd.yTrain {
			d[i] = ls[0]
		}
		rel = eval.SameLabel(q, d)
	}
	p, err := eval.RetrievalPrecision(ctx, te, tr, dim, rel, []float64{0.001, 0.01})
	if err != nil {
		fail("%v", err)
	}
	return p
}
