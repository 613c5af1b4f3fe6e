package eval

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kate-web/kate/kate"
)

// synthetic returns documents of three topics with their own words plus
// shared noise words; with multi, every third document has two labels.
func synthetic(rng *rand.Rand, n int, multi bool) []Example {
	topics := [][]string{
		{"rocket", "orbit", "launch", "nasa", "shuttle", "moon", "planet", "satellite"},
		{"goalie", "hockey", "puck", "season", "playoff", "team", "score", "league"},
		{"cipher", "encryption", "key", "clipper", "privacy", "secure", "algorithm", "chip"},
	}
	noise := []string{"people", "think", "good", "time", "question", "make", "way", "really"}
	labels := []string{"space", "hockey", "crypt"}
	out := make([]Example, n)
	for i := range out {
		c := i % 3
		var w []string
		for range 12 {
			w = append(w, topics[c][rng.IntN(len(topics[c]))])
		}
		for range 6 {
			w = append(w, noise[rng.IntN(len(noise))])
		}
		out[i] = Example{Text: strings.Join(w, " "), Labels: []string{labels[c]}}
		if multi && i%3 == 0 {
			c2 := (c + 1) % 3
			for range 8 {
				w = append(w, topics[c2][rng.IntN(len(topics[c2]))])
			}
			out[i] = Example{Text: strings.Join(w, " "), Labels: []string{labels[c], labels[c2]}}
		}
	}
	return out
}

func smallConfig() kate.Config {
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.Winners, cfg.VocabSize, cfg.Epochs, cfg.ValidationDocs = 16, 4, 100, 15, 30
	return cfg
}

func TestRunSynthetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	train, test := synthetic(rng, 240, false), synthetic(rng, 90, false)
	var stages []string
	res, err := Run(context.Background(), train, test, Options{Config: smallConfig(), Stage: func(s string) { stages = append(stages, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.DocsTrain != 240 || res.DocsTest != 90 || res.Classes != 3 || res.MultiLabel {
		t.Errorf("counts: %+v", res)
	}
	if res.KATE.Accuracy < 0.95 {
		t.Errorf("KATE accuracy %v on separable topics, want >= 0.95", res.KATE.Accuracy)
	}
	if res.LSA == nil || res.LSA.Accuracy < 0.95 {
		t.Errorf("LSA scores %+v, want accuracy >= 0.95", res.LSA)
	}
	if len(res.KATE.Precision) != len(DefaultFractions) || res.KATE.Precision[0] < 0.9 {
		t.Errorf("precision %v, want %d values starting >= 0.9", res.KATE.Precision, len(DefaultFractions))
	}
	// At fraction 1 the precision is the share of same-label documents.
	if p := res.KATE.Precision[len(DefaultFractions)-1]; p < 0.33 || p > 0.34 {
		t.Errorf("precision at 1.0 = %v, want 1/3", p)
	}
	if !(res.MSCD > 0 && res.MSCD < 1) {
		t.Errorf("MSCD %v not in (0, 1)", res.MSCD)
	}
	if res.Info.Epochs < 1 || res.Model == nil || res.Model.Dim() != 16 {
		t.Errorf("training info %+v", res.Info)
	}
	if len(stages) < 4 {
		t.Errorf("stages reported: %v", stages)
	}
}

func TestRunMultiLabel(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	train, test := synthetic(rng, 240, true), synthetic(rng, 90, true)
	res, err := Run(context.Background(), train, test, Options{Config: smallConfig(), SkipLSA: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.MultiLabel || res.LSA != nil {
		t.Fatalf("multi-label %v, LSA %v", res.MultiLabel, res.LSA)
	}
	if res.KATE.MicroF1 < 0.85 || res.KATE.MacroF1 < 0.85 {
		t.Errorf("micro-F1 %v, macro-F1 %v, want >= 0.85", res.KATE.MicroF1, res.KATE.MacroF1)
	}
}

func TestRunBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	good := synthetic(rng, 30, false)
	one := make([]Example, 30)
	for i := range one {
		one[i] = Example{Text: good[i].Text, Labels: []string{"same"}}
	}
	unlabelled := make([]Example, 30)
	for i := range unlabelled {
		unlabelled[i] = Example{Text: good[i].Text}
	}
	partly := append([]Example{{Text: "no label here"}}, good...)
	cases := []struct {
		name        string
		train, test []Example
		want        string
	}{
		{"no train", nil, good, "no training documents"},
		{"no test", good, nil, "no test documents"},
		{"one class", one, good, "only one class"},
		{"no labels", unlabelled, unlabelled, "no labels"},
		{"a document without label", partly, good, "1 of 61 documents have no label"},
	}
	for _, c := range cases {
		_, err := Run(context.Background(), c.train, c.test, Options{Config: smallConfig()})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	bad := smallConfig()
	bad.Winners = 100
	if _, err := Run(context.Background(), good, good, Options{Config: bad}); err == nil {
		t.Error("invalid config: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, good, good, Options{Config: smallConfig()}); err == nil {
		t.Error("cancelled: no error")
	}
}

func ExampleCutoff() {
	fmt.Println(Cutoff(0.001, 11314), Cutoff(0.5, 11314), Cutoff(1, 11314))
	// Output: 11 5657 11314
}

// TestRunPrecisionFromOrigin checks the retrieval that `kate similar` and
// the demo get: PrecisionOrigin must equal the precision of the rankings
// Model.Nearest returns, an independent implementation of "cosine from the
// origin", and LSA's must equal its raw cosine (its origin is zero).
func TestRunPrecisionFromOrigin(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	train, test := synthetic(rng, 240, false), synthetic(rng, 90, false)
	res, err := Run(context.Background(), train, test, Options{Config: smallConfig(), SkipNMF: true})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Model
	texts := func(xs []Example) []string {
		out := make([]string, len(xs))
		for i, e := range xs {
			out[i] = e.Text
		}
		return out
	}
	cTrain, cTest := m.Encode(texts(train)), m.Encode(texts(test))
	dim := m.Dim()
	for fi, f := range res.Fractions {
		n := Cutoff(f, len(train))
		sum := 0.0
		for q := range test {
			nb, err := m.Nearest(cTest[q*dim:(q+1)*dim], cTrain, n)
			if err != nil {
				t.Fatal(err)
			}
			hits := 0
			for _, r := range nb {
				if train[r.Index].Labels[0] == test[q].Labels[0] {
					hits++
				}
			}
			sum += float64(hits) / float64(n)
		}
		if want := sum / float64(len(test)); math.Abs(res.KATE.PrecisionOrigin[fi]-want) > 1e-9 {
			t.Errorf("fraction %v: PrecisionOrigin %v, Model.Nearest gives %v", f, res.KATE.PrecisionOrigin[fi], want)
		}
	}
	if !slices.Equal(res.LSA.PrecisionOrigin, res.LSA.Precision) {
		t.Errorf("LSA from origin %v, raw %v: want equal", res.LSA.PrecisionOrigin, res.LSA.Precision)
	}
}
