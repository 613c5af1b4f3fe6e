package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kate-web/kate/kate"
)

// evalRun runs the program in-process and returns its exit status, stdout
// and stderr.
func evalRun(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// lastJSON decodes the last line of stdout as a JSON object.
func lastJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
		t.Fatalf("last line is not a JSON object: %v\n%s", err, stdout)
	}
	return m
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("JSON field %q = %v (%T), want a number", key, m[key], m[key])
	}
	return v
}

// evalCorpus writes a JSON Lines corpus of synthetic documents on three
// topics, split train/test, and returns its path. mutate may change each
// record before it is written.
func evalCorpus(t *testing.T, n int, mutate func(i int, rec map[string]any)) string {
	t.Helper()
	topics := map[string][]string{
		"space":  strings.Fields("orbit rocket launch shuttle planet moon nasa satellite astronaut telescope"),
		"sport":  strings.Fields("goal match team player season coach league score referee stadium"),
		"health": strings.Fields("doctor patient disease vaccine hospital medicine virus treatment symptom nurse"),
	}
	common := strings.Fields("people time year report week city country world group house")
	labels := []string{"space", "sport", "health"}
	rng := rand.New(rand.NewPCG(3, 5))
	var b bytes.Buffer
	for i := range n {
		label := labels[i%3]
		var words []string
		for range 30 {
			if rng.IntN(3) == 0 {
				words = append(words, common[rng.IntN(len(common))])
			} else {
				words = append(words, topics[label][rng.IntN(10)])
			}
		}
		split := "train"
		if i%4 == 3 {
			split = "test"
		}
		rec := map[string]any{"id": fmt.Sprint(i), "split": split, "label": label, "text": strings.Join(words, " ")}
		if mutate != nil {
			mutate(i, rec)
		}
		line, _ := json.Marshal(rec)
		b.Write(line)
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), "corpus.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var evalSmall = []string{"--dim", "16", "--k", "4", "--vocab", "100", "--epochs", "10", "--val", "20", "--quiet"}

// TestEvalSample is the CI smoke test: the whole pipeline (training,
// classifier, retrieval, MSCD, LSA) on the bundled 20 Newsgroups sample
// (2,000 train and 800 test documents, 20 groups) with the default model
// (K=128, k=32) and a shorter schedule: batches of 25 for at most 30 epochs
// take as many gradient steps as the default schedule's 100 epochs on this
// small corpus, at a quarter of the cost (about 7 s of CPU).
func TestEvalSample(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "20news-sample.jsonl.gz")
	code, stdout, stderr := evalRun("eval", "--data", sample, "--batch", "25", "--epochs", "30", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("--quiet run wrote to stderr: %q", stderr)
	}
	for _, want := range []string{"accuracy", "precision@0.001", "MSCD", "KATE", "LSA"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	m := lastJSON(t, stdout)
	if num(t, m, "docs_train") != 2000 || num(t, m, "docs_test") != 800 || num(t, m, "classes") != 20 {
		t.Errorf("counts: %v", m)
	}
	if m["dataset"] != "20news-sample.jsonl.gz" || num(t, m, "dim") != 128 || num(t, m, "k") != 32 || m["grad"] != "full" {
		t.Errorf("settings: %v", m)
	}
	// Chance is 0.05; this run scores about 0.63 (KATE) and 0.61 (LSA).
	acc, lsa := num(t, m, "accuracy"), num(t, m, "lsa_accuracy")
	if acc < 0.5 {
		t.Errorf("KATE accuracy %v, want >= 0.5 (chance 0.05)", acc)
	}
	if lsa < 0.5 {
		t.Errorf("LSA accuracy %v, want >= 0.5", lsa)
	}
	p, ok := m["precision"].(map[string]any)
	if !ok || len(p) != 10 {
		t.Fatalf("precision = %v, want 10 fractions", m["precision"])
	}
	p1, _ := p["0.001"].(float64)
	pAll, _ := p["1"].(float64)
	if p1 < 0.25 || pAll < 0.049 || pAll > 0.051 || p1 <= pAll {
		t.Errorf("precision@0.001 = %v (want >= 0.25), @1 = %v (want 0.05)", p1, pAll)
	}
	if mscd := num(t, m, "mscd"); !(mscd > 0 && mscd < 0.5) {
		t.Errorf("MSCD %v, want in (0, 0.5)", mscd)
	}
	// Topics ranked by their documents are more coherent than by raw
	// weight; NMF's are measured on the same test documents.
	tn, wn, nn := num(t, m, "topic_npmi"), num(t, m, "topic_npmi_by_weight"), num(t, m, "nmf_npmi")
	if !(tn > wn) || tn < -1 || tn > 1 || nn < -1 || nn > 1 {
		t.Errorf("topic NPMI %v, by weight %v, NMF %v", tn, wn, nn)
	}
	for _, key := range []string{"topic_diversity", "topic_diversity_by_weight", "nmf_diversity"} {
		if d := num(t, m, key); !(d > 0 && d <= 1) {
			t.Errorf("%s %v, want in (0, 1]", key, d)
		}
	}
	if !strings.Contains(stdout, "NPMI (top 10)") || !strings.Contains(stdout, "NMF") {
		t.Errorf("table lacks the topic rows:\n%s", stdout)
	}
	if e := num(t, m, "epochs"); e < 1 || e > 30 || num(t, m, "best_epoch") > e {
		t.Errorf("epochs %v, best %v", e, m["best_epoch"])
	}
	if num(t, m, "train_seconds") <= 0 {
		t.Errorf("train_seconds %v", m["train_seconds"])
	}
}

func TestEvalSynthetic(t *testing.T) {
	data := evalCorpus(t, 240, nil)
	model := filepath.Join(t.TempDir(), "m.kate")
	code, stdout, stderr := evalRun(append([]string{"eval", "--data", data, "--save", model}, evalSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := lastJSON(t, stdout)
	for _, key := range []string{"dataset", "docs_train", "docs_test", "dim", "k", "grad", "accuracy", "lsa_accuracy", "precision", "mscd", "epochs", "train_seconds"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if num(t, m, "docs_train") != 180 || num(t, m, "docs_test") != 60 || num(t, m, "dim") != 16 {
		t.Errorf("counts: %v", m)
	}
	if acc := num(t, m, "accuracy"); acc < 0.9 {
		t.Errorf("accuracy %v on separable topics, want >= 0.9", acc)
	}
	f, err := os.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if mod, err := kate.Load(f); err != nil || mod.Dim() != 16 {
		t.Errorf("saved model: %v", err)
	}

	// --grad none, --no-lsa and a custom split name.
	data2 := evalCorpus(t, 240, func(i int, rec map[string]any) {
		if rec["split"] == "test" {
			rec["split"] = "heldout"
		}
	})
	code, stdout, stderr = evalRun(append([]string{"eval", "--data", data2, "--grad", "none", "--no-lsa", "--no-nmf", "--test-split", "heldout", "--lambdas", "0.001,0.01"}, evalSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m = lastJSON(t, stdout)
	if m["grad"] != "none" || m["lsa_accuracy"] != nil || m["nmf_npmi"] != nil || num(t, m, "docs_test") != 60 {
		t.Errorf("grad none, no LSA, no NMF: %v", m)
	}
	if l := num(t, m, "lambda"); l != 0.001 && l != 0.01 {
		t.Errorf("lambda %v not from --lambdas", l)
	}
}

func TestEvalMultiLabel(t *testing.T) {
	data := evalCorpus(t, 240, func(i int, rec map[string]any) {
		ls := []string{rec["label"].(string)}
		if i%5 == 0 {
			ls = append(ls, "extra")
			rec["text"] = rec["text"].(string) + " bonus bonus extra"
		}
		rec["tags"] = ls
	})
	code, stdout, stderr := evalRun(append([]string{"eval", "--data", data, "--label-field", "tags"}, evalSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := lastJSON(t, stdout)
	if m["multi_label"] != true || m["accuracy"] != nil {
		t.Errorf("multi-label run: %v", m)
	}
	if f := num(t, m, "micro_f1"); f < 0.8 {
		t.Errorf("micro-F1 %v, want >= 0.8", f)
	}
	if !strings.Contains(stdout, "micro-F1") {
		t.Errorf("table lacks micro-F1:\n%s", stdout)
	}
}

func TestEvalBadInput(t *testing.T) {
	allTrain := evalCorpus(t, 60, func(i int, rec map[string]any) { rec["split"] = "train" })
	noLabels := evalCorpus(t, 60, func(i int, rec map[string]any) { delete(rec, "label") })
	oneClass := evalCorpus(t, 60, func(i int, rec map[string]any) { rec["label"] = "only" })
	good := evalCorpus(t, 60, nil)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no test split", []string{"--data", allTrain}, `"test"`},
		{"no labels", []string{"--data", noLabels}, "no labels"},
		{"one class", []string{"--data", oneClass}, "one class"},
		{"missing file", []string{"--data", filepath.Join(t.TempDir(), "none.jsonl")}, "no such file"},
		{"no data", nil, "missing --data"},
		{"bad lambdas", []string{"--data", good, "--lambdas", "x"}, "--lambdas"},
		{"bad holdout", []string{"--data", good, "--holdout", "2"}, "--holdout"},
		{"k above dim", []string{"--data", good, "--dim", "8", "--k", "9"}, "--k"},
		{"extra argument", []string{"--data", good, "what"}, "unexpected argument"},
	}
	for _, c := range cases {
		code, stdout, stderr := evalRun(append([]string{"eval", "--quiet"}, c.args...)...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", c.name, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing", c.name, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "kate eval: ") || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: stderr %q, want one line with %q", c.name, stderr, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	if code := run(ctx, append([]string{"eval", "--data", good}, evalSmall...), nil, &out, &errb); code != 130 {
		t.Errorf("cancelled: exit %d (%s), want 130", code, errb.String())
	}
}

// TestEvalRealCorpusFlags covers the flags for corpora without a split:
// --test-share/--split-seed (a seeded random split, printed in the JSON),
// --skip-unlabelled and --target (ridge R² for KATE and LSA), and that the
// JSON leaves out what does not apply.
func TestEvalRealCorpusFlags(t *testing.T) {
	// No split field; every 7th document unlabelled; a numeric "score"
	// that follows the topic (plus noise), so the codes can predict it.
	data := evalCorpus(t, 300, func(i int, rec map[string]any) {
		delete(rec, "split")
		rec["score"] = map[string]float64{"space": 1, "sport": 5, "health": 9}[rec["label"].(string)] + float64(i%3)/10
		if i%7 == 0 {
			delete(rec, "label")
		}
	})
	args := append([]string{"eval", "--data", data, "--test-share", "0.25", "--split-seed", "4", "--skip-unlabelled", "--target", "score"}, evalSmall...)
	code, stdout, stderr := evalRun(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := lastJSON(t, stdout)
	// 300 - 43 unlabelled = 257 documents, a quarter (64) for the test.
	if num(t, m, "docs_test") != 64 || num(t, m, "docs_train") != 193 || num(t, m, "skipped_unlabelled") != 43 {
		t.Errorf("split counts: %v", m)
	}
	if num(t, m, "test_share") != 0.25 || num(t, m, "split_seed") != 4 || m["target"] != "score" {
		t.Errorf("split settings not printed: %v", m)
	}
	if r2 := num(t, m, "r2"); r2 < 0.8 {
		t.Errorf("KATE R² %v on a topic-determined target, want >= 0.8", r2)
	}
	if r2 := num(t, m, "lsa_r2"); r2 < 0.8 {
		t.Errorf("LSA R² %v, want >= 0.8", r2)
	}
	if !strings.Contains(stdout, "regression R²") {
		t.Errorf("table lacks the R² row:\n%s", stdout)
	}
	// The same seed gives the same split (and so the same JSON apart from
	// timings); another seed another one.
	_, stdout2, _ := evalRun(args...)
	m2 := lastJSON(t, stdout2)
	if m2["accuracy"] != m["accuracy"] || m2["r2"] != m["r2"] {
		t.Errorf("same split seed, different results: %v vs %v", m, m2)
	}
	// Without --target, --test-share and multi-label: no key for them.
	code, stdout, stderr = evalRun(append([]string{"eval", "--data", evalCorpus(t, 120, nil)}, evalSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m = lastJSON(t, stdout)
	for _, key := range []string{"r2", "lsa_r2", "target", "test_share", "split_seed", "skipped_unlabelled", "micro_f1", "macro_f1"} {
		if _, ok := m[key]; ok {
			t.Errorf("JSON has %q, which does not apply: %v", key, m)
		}
	}
	for _, key := range []string{"accuracy", "lsa_accuracy"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	code, stdout, stderr = evalRun(append([]string{"eval", "--data", evalCorpus(t, 120, nil), "--no-lsa"}, evalSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, ok := lastJSON(t, stdout)["lsa_accuracy"]; ok {
		t.Errorf("--no-lsa JSON has lsa_accuracy: %s", stdout)
	}
}

func TestEvalRealCorpusBadInput(t *testing.T) {
	unsplit := evalCorpus(t, 60, func(i int, rec map[string]any) {
		if i%2 == 0 {
			rec["split"] = "dev"
		} else {
			delete(rec, "split")
		}
	})
	someUnlabelled := evalCorpus(t, 60, func(i int, rec map[string]any) {
		if i%10 == 0 {
			delete(rec, "label")
		}
	})
	badTarget := evalCorpus(t, 60, func(i int, rec map[string]any) { rec["score"] = "high" })
	missingTarget := evalCorpus(t, 60, func(i int, rec map[string]any) {
		if i != 5 {
			rec["score"] = i
		}
	})
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"split values listed", []string{"--data", unsplit}, []string{`"dev" (30)`, "none (30)", "--test-share"}},
		{"unlabelled", []string{"--data", someUnlabelled}, []string{"6 of 60", "--skip-unlabelled"}},
		{"bad share", []string{"--data", unsplit, "--test-share", "1"}, []string{"--test-share 1 must be in (0, 1)"}},
		{"negative share", []string{"--data", unsplit, "--test-share", "-0.2"}, []string{"--test-share"}},
		{"target not a number", []string{"--data", badTarget, "--target", "score"}, []string{`field "score" is not a finite number`, "line 1"}},
		{"target missing", []string{"--data", missingTarget, "--target", "score"}, []string{`1 of 60 documents have no "score" field`}},
	}
	for _, c := range cases {
		code, stdout, stderr := evalRun(append([]string{"eval", "--quiet"}, c.args...)...)
		if code != 2 || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q; want 2 and nothing", c.name, code, stdout)
		}
		if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "kate eval: ") {
			t.Errorf("%s: stderr %q, want one line", c.name, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, stderr, w)
			}
		}
	}
}
