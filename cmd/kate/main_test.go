package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
)

// kateRun runs the program in-process and returns its exit status, stdout
// and stderr.
func kateRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return kateRunCtx(t, context.Background(), args...)
}

func kateRunCtx(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

var topicWords = map[string][]string{
	"space":  strings.Fields("orbit rocket launch shuttle planet moon nasa satellite astronaut telescope galaxy comet mission gravity solar"),
	"sport":  strings.Fields("goal match team player season coach league score referee stadium trophy striker keeper tournament champion"),
	"health": strings.Fields("doctor patient disease vaccine hospital medicine virus treatment symptom nurse clinic surgery therapy diagnosis blood"),
}
var commonWords = strings.Fields("people time year report week city country world group house money story night water history party office market power family")

// writeCorpus writes a JSON Lines corpus of n synthetic documents (three
// labels, splits alternating train/test) and returns its path.
func writeCorpus(t testing.TB, dir string, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	labels := []string{"space", "sport", "health"}
	var b bytes.Buffer
	for i := range n {
		label := labels[i%3]
		var words []string
		for range 25 + rng.IntN(25) {
			if rng.IntN(3) == 0 {
				words = append(words, commonWords[rng.IntN(len(commonWords))])
			} else {
				tw := topicWords[label]
				words = append(words, tw[rng.IntN(len(tw))])
			}
		}
		split := "train"
		if i%4 == 3 {
			split = "test"
		}
		line, _ := json.Marshal(map[string]string{
			"id": fmt.Sprintf("doc%03d", i), "split": split, "label": label, "text": strings.Join(words, " "),
		})
		b.Write(line)
		b.WriteByte('\n')
	}
	p := filepath.Join(dir, "corpus.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// smallTrain are fast training flags for tests.
var smallTrain = []string{"--dim", "16", "--k", "4", "--vocab", "200", "--epochs", "3", "--val", "20", "--quiet"}

// fixture is a corpus and a model trained on it, shared by the tests.
type fixture struct {
	dir, data, model string
	m                *kate.Model
	docs             []dataset.Doc
}

var (
	fixOnce sync.Once
	fix     fixture
	fixErr  string
)

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kate-cli-test")
		if err != nil {
			fixErr = err.Error()
			return
		}
		fix.dir = dir
		fix.data = writeCorpus(t, dir, 240)
		fix.model = filepath.Join(dir, "m.kate")
		var out, errb bytes.Buffer
		args := append([]string{"train", "--data", fix.data, "--split", "train", "-o", fix.model}, smallTrain...)
		if code := run(context.Background(), args, nil, &out, &errb); code != 0 {
			fixErr = fmt.Sprintf("train exit %d: %s", code, errb.String())
			return
		}
		f, err := os.Open(fix.model)
		if err != nil {
			fixErr = err.Error()
			return
		}
		defer f.Close()
		if fix.m, err = kate.Load(f); err != nil {
			fixErr = err.Error()
			return
		}
		if fix.docs, err = dataset.Load(fix.data, dataset.Options{}); err != nil {
			fixErr = err.Error()
		}
	})
	if fixErr != "" {
		t.Fatal(fixErr)
	}
	return &fix
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fix.dir != "" {
		os.RemoveAll(fix.dir)
	}
	os.Exit(code)
}

func TestTrain(t *testing.T) {
	f := getFixture(t)
	p := f.m.Params()
	if f.m.Dim() != 16 || p.Winners != 4 || p.Grad != kate.GradFull || !p.Text.Stem || !p.Text.Stopwords {
		t.Errorf("params %+v", p)
	}
	if v := f.m.Vocabulary().Len(); v < 40 || v > 200 {
		t.Errorf("vocabulary %d terms", v)
	}
	info := f.m.Info()
	if info.Docs != 180 || info.Epochs != 3 || info.BestEpoch < 1 || info.BestEpoch > 3 || !(info.ValLoss > 0) {
		t.Errorf("info %+v (want 180 training documents, 3 epochs)", info)
	}

	// Same flags and seed: the same bytes. Options reach the model, and the
	// summary names what it should.
	dir := t.TempDir()
	out := filepath.Join(dir, "again.kate")
	code, stdout, stderr := kateRun(t, append([]string{"train", "--data", f.data, "--split", "train", "-o", out}, smallTrain...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(f.model)
	b, _ := os.ReadFile(out)
	if !bytes.Equal(a, b) {
		t.Error("same seed and data gave different model files")
	}
	for _, want := range []string{"wrote " + out, "documents   180 (20 held out", "vocabulary  ", "epochs      3 run of 3, best ", "val loss    ", "docs/s", "K=16 k=4"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("--quiet wrote to stderr: %q", stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("output directory holds %d entries, want only the model", len(entries))
	}

	out2 := filepath.Join(dir, "opts.kate")
	code, _, stderr = kateRun(t, "train", "--data", f.data, "-o", out2, "--dim", "8", "--k", "3", "--alpha", "2.5",
		"--grad", "none", "--no-stem", "--no-stopwords", "--seed", "9", "--epochs", "1", "--batch", "30", "--vocab", "50")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := loadFile(t, out2)
	p = m.Params()
	if p.Dim != 8 || p.Winners != 3 || p.Alpha != 2.5 || p.Grad != kate.GradNone || p.Text.Stem || p.Text.Stopwords ||
		m.Info().Seed != 9 || m.Info().Docs != 240 || m.Vocabulary().Len() != 50 {
		t.Errorf("params %+v info %+v V %d", p, m.Info(), m.Vocabulary().Len())
	}
	// Progress lines (plain, stderr is not a terminal): one per epoch.
	if !strings.Contains(stderr, "read 240 documents") || strings.Count(stderr, "epoch 1/1") != 1 || strings.Contains(stderr, "\r") {
		t.Errorf("progress output:\n%s", stderr)
	}
}

func loadFile(t *testing.T, path string) *kate.Model {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := kate.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEncode(t *testing.T) {
	f := getFixture(t)
	var txt []string
	for _, d := range f.docs {
		txt = append(txt, d.Text)
	}
	want := f.m.Encode(txt)
	k := f.m.Dim()
	dir := t.TempDir()

	tsv := filepath.Join(dir, "e.tsv")
	if code, _, stderr := kateRun(t, "encode", "--model", f.model, "--data", f.data, "-o", tsv); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(tsv)
	got := parseTSV(t, string(data), k)
	if len(got) != len(want) {
		t.Fatalf("tsv: %d values, want %d (%d docs x %d)", len(got), len(want), len(f.docs), k)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tsv value %d = %v, want %v", i, got[i], want[i])
		}
	}

	f32 := filepath.Join(dir, "e.F32")
	if code, _, stderr := kateRun(t, "encode", "--model", f.model, "--data", f.data, "-o", f32); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	raw, _ := os.ReadFile(f32)
	if len(raw) != 4*len(want) {
		t.Fatalf("f32: %d bytes, want %d", len(raw), 4*len(want))
	}
	for i := range want {
		if v := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); v != want[i] {
			t.Fatalf("f32 value %d = %v, want %v", i, v, want[i])
		}
	}

	// "-": TSV on stdout, here with a split filter (every fourth is test).
	code, stdout, stderr := kateRun(t, "encode", "--model", f.model, "--data", f.data, "--split", "test", "-o", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got = parseTSV(t, stdout, k)
	if len(got) != 60*k {
		t.Fatalf("stdout: %d values, want %d", len(got), 60*k)
	}
	for r := range 60 {
		row := want[(4*r+3)*k : (4*r+4)*k] // document 4r+3 is the r-th test one
		for j := range k {
			if got[r*k+j] != row[j] {
				t.Fatalf("stdout row %d col %d = %v, want %v", r, j, got[r*k+j], row[j])
			}
		}
	}

	// Plain text and directory inputs.
	lines := filepath.Join(dir, "docs.txt")
	os.WriteFile(lines, []byte(f.docs[0].Text+"\n\n"+f.docs[1].Text+"\n"), 0o644)
	code, stdout, _ = kateRun(t, "encode", "--model", f.model, "--data", lines, "-o", "-")
	if got := parseTSV(t, stdout, k); code != 0 || len(got) != 2*k || got[k] != want[k] {
		t.Errorf("text file: exit %d, %d values", code, len(got))
	}
	d := filepath.Join(dir, "docs")
	os.MkdirAll(filepath.Join(d, "space"), 0o755)
	os.WriteFile(filepath.Join(d, "space", "a.txt"), []byte(f.docs[0].Text), 0o644)
	os.WriteFile(filepath.Join(d, "b.txt"), []byte(f.docs[1].Text), 0o644)
	code, stdout, _ = kateRun(t, "encode", "--model", f.model, "--data", d, "-o", "-")
	if got := parseTSV(t, stdout, k); code != 0 || len(got) != 2*k || got[0] != want[k] || got[k] != want[0] {
		t.Errorf("directory: exit %d, %d values", code, len(got))
	}
}

func parseTSV(t *testing.T, s string, k int) []float32 {
	t.Helper()
	var out []float32
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != k {
			t.Fatalf("tsv row %d has %d columns, want %d", i, len(cols), k)
		}
		for _, c := range cols {
			v, err := strconv.ParseFloat(c, 32)
			if err != nil {
				t.Fatalf("tsv row %d: %v", i, err)
			}
			out = append(out, float32(v))
		}
	}
	return out
}

func TestTopics(t *testing.T) {
	f := getFixture(t)
	for _, by := range []kate.TopicRanking{kate.RankDocuments, kate.RankWeight, kate.RankLearned} {
		args := []string{"topics", "--model", f.model, "-n", "3"}
		if by != kate.RankDocuments {
			args = append(args, "--by", by.String())
		}
		code, stdout, stderr := kateRun(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want, _ := f.m.TopicsBy(3, by)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != f.m.Dim() {
			t.Fatalf("%d lines, want %d", len(lines), f.m.Dim())
		}
		for i, line := range lines {
			body, mark, _ := strings.Cut(line, "  # ")
			fields := strings.Fields(body)
			wantMark := ""
			if want[i].Empty {
				wantMark = "empty"
			} else if want[i].DuplicateOf >= 0 {
				wantMark = "near-duplicate of " + strconv.Itoa(want[i].DuplicateOf)
			}
			if len(fields) != 4 || fields[0] != strconv.Itoa(i) || strings.Join(fields[1:], " ") != strings.Join(want[i].Words, " ") || mark != wantMark {
				t.Errorf("--by %s line %d = %q, want unit %d, %v, mark %q", by, i, line, i, want[i].Words, wantMark)
			}
		}
	}
	_, stdout, _ := kateRun(t, "topics", "--model", f.model, "--weights")
	first := strings.Fields(strings.Split(stdout, "\n")[0])
	if len(first) < 11 || !strings.Contains(first[1], ":") {
		t.Errorf("--weights line: %q", first)
	}
	// --docs lists, under each unit, the documents TopicDocuments picks.
	code, stdout, stderr := kateRun(t, "topics", "--model", f.model, "-n", "2", "--docs", "--docs-n", "2", "--data", f.data)
	if code != 0 {
		t.Fatalf("--docs exit %d: %s", code, stderr)
	}
	xs := make([]kate.SparseVector, len(f.docs))
	for i, d := range f.docs {
		xs[i] = f.m.Vectorize(d.Text)
	}
	best, err := f.m.TopicDocuments(xs, 2)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for j := range f.m.Dim() {
		want = append(want, strconv.Itoa(j))
		for _, d := range best[j] {
			want = append(want, f.docs[d].ID)
		}
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		if strings.HasPrefix(line, "    ") {
			id, _, _ := strings.Cut(strings.TrimSpace(line), ":")
			got = append(got, id)
		} else {
			got = append(got, strings.Fields(line)[0])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("--docs listed %v, want %v", got, want)
	}
	for _, bad := range [][]string{{"--by", "size"}, {"--docs"}, {"--data", f.data}, {"--docs", "--data", f.data, "--docs-n", "0"}} {
		if code, _, stderr := kateRun(t, append([]string{"topics", "--model", f.model}, bad...)...); code != 2 || strings.Count(stderr, "\n") > 3 {
			t.Errorf("%v: exit %d: %s", bad, code, stderr)
		}
	}
}

func TestSimilar(t *testing.T) {
	f := getFixture(t)
	query := "rocket launch orbit nasa"
	// Flags may follow the query.
	code, stdout, stderr := kateRun(t, "similar", "--model", f.model, query, "--data", f.data, "-n", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var txt []string
	for _, d := range f.docs {
		txt = append(txt, d.Text)
	}
	rows := f.m.Encode(txt)
	q := make([]float32, f.m.Dim())
	f.m.EncodeTo(q, query)
	best, _ := f.m.Nearest(q, rows, 4)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), stdout)
	}
	for i, line := range lines {
		cols := strings.Split(line, "\t")
		d := f.docs[best[i].Index]
		if len(cols) != 4 || cols[0] != strconv.Itoa(i+1) || cols[1] != fmt.Sprintf("%.4f", best[i].Score) ||
			cols[2] != d.ID+" ["+d.Label+"]" || !strings.HasPrefix(d.Text, strings.TrimSuffix(cols[3], "...")) {
			t.Errorf("line %d = %q, want %s %.4f", i, line, d.ID, best[i].Score)
		}
	}
	// More results than documents: all of them.
	lines3 := filepath.Join(t.TempDir(), "three.txt")
	os.WriteFile(lines3, []byte("rocket orbit\nmatch goal\ndoctor virus\n"), 0o644)
	code, stdout, _ = kateRun(t, "similar", "--model", f.model, "--data", lines3, "-n", "10", "rocket", "orbit")
	if n := strings.Count(stdout, "\n"); code != 0 || n != 3 {
		t.Errorf("exit %d, %d lines", code, n)
	}
}

func TestSnippet(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"  hello\n\tworld  ", 20, "hello world"},
		{"abc def ghi", 7, "abc def..."},
		{"abcdefghij", 5, "abcde..."},
		{"a\x00b\x1bc\xffd", 10, "abcd"},
		{"ééé ééé", 5, "ééé é..."},
		{"", 5, ""},
	}
	for _, c := range cases {
		if got := snippet(c.in, c.max); got != c.want {
			t.Errorf("snippet(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// TestBadInput checks that every kind of bad input gives exit status 2
// and one clear line on stderr.
func TestBadInput(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	w := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := w("empty.jsonl", "")
	blank := w("blank.txt", "\n  \n\n")
	badJSON := w("bad.jsonl", `{"text": "fine"}`+"\n"+`{"text": "fine"}`+"\n"+`{"text": "broken}`+"\n")
	noText := w("notext.jsonl", `{"text": "fine"}`+"\n"+`{"body": "other field"}`+"\n")
	noTerms := w("noterms.txt", "the and of\n123 456\n")
	modelBytes, _ := os.ReadFile(f.model)
	truncated := w("trunc.kate", string(modelBytes[:len(modelBytes)/2]))
	flipped := append([]byte(nil), modelBytes...)
	flipped[len(flipped)/2] ^= 1
	corrupt := w("flip.kate", string(flipped))
	garbage := w("garbage.kate", "this is not a model")
	out := filepath.Join(dir, "out.kate")
	train := func(extra ...string) []string {
		return append([]string{"train", "--data", f.data, "-o", out, "--epochs", "1"}, extra...)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown command", []string{"frobnicate"}, []string{`kate: unknown command "frobnicate"`, "kate help"}},
		{"help unknown", []string{"help", "frobnicate"}, []string{`unknown command "frobnicate"`}},
		{"unknown flag", train("--bogus"), []string{"kate train: unknown flag -bogus", "kate help train"}},
		{"bad flag value", train("--dim", "many"), []string{`invalid value "many" for flag -dim`}},
		{"k > dim", train("--k", "40", "--dim", "32"), []string{"--k 40 must not exceed --dim 32"}},
		{"dim 0", train("--dim", "0"), []string{"--dim 0 must be in"}},
		{"grad", train("--grad", "half"), []string{`--grad "half" must be full or none`}},
		{"epochs", train("--epochs", "0"), []string{"--epochs 0 must be at least 1"}},
		{"alpha", train("--alpha", "NaN"), []string{"--alpha NaN must be"}},
		{"sampling", train("--sampling", "-1"), []string{"--sampling -1 must be in [0, 1000]"}},
		{"missing data", []string{"train", "-o", out}, []string{"missing --data FILE", "kate help train"}},
		{"missing output", []string{"train", "--data", f.data}, []string{"missing -o MODEL"}},
		{"positional", train("extra"), []string{`unexpected argument "extra"`}},
		{"missing file", train("--data", filepath.Join(dir, "nope.jsonl")), []string{"nope.jsonl: no such file or directory"}},
		{"empty file", train("--data", empty), []string{"empty.jsonl: no documents"}},
		{"blank file", train("--data", blank), []string{"blank.txt: no documents"}},
		{"bad json", train("--data", badJSON), []string{"bad.jsonl: line 3: invalid JSON"}},
		{"no text field", train("--data", noText), []string{`notext.jsonl: line 2: no "text" field`, "--text-field"}},
		{"text field", train("--data", f.data, "--text-field", "body"), []string{`line 1: no "body" field`}},
		{"no split", train("--split", "dev"), []string{`no documents with split "dev"`}},
		{"no terms", train("--data", noTerms), []string{"noterms.txt:", "no"}},
		{"output dir", train("-o", filepath.Join(dir, "nodir", "m.kate")), []string{"cannot write", "nodir"}},
		{"max docs", train("--max-docs", "-1"), []string{"--max-docs -1"}},
		{"encode no model flag", []string{"encode", "--data", f.data, "-o", "-"}, []string{"missing --model MODEL"}},
		{"encode no data", []string{"encode", "--model", f.model, "-o", "-"}, []string{"missing --data FILE"}},
		{"encode no output", []string{"encode", "--model", f.model, "--data", f.data}, []string{"missing -o OUT"}},
		{"encode format", []string{"encode", "--model", f.model, "--data", f.data, "-o", filepath.Join(dir, "e.csv")}, []string{`unknown format ".csv"`}},
		{"encode missing model", []string{"encode", "--model", filepath.Join(dir, "none.kate"), "--data", f.data, "-o", "-"}, []string{"none.kate: no such file"}},
		{"encode truncated model", []string{"encode", "--model", truncated, "--data", f.data, "-o", "-"}, []string{"trunc.kate: invalid model file"}},
		{"encode corrupt model", []string{"encode", "--model", corrupt, "--data", f.data, "-o", "-"}, []string{"flip.kate: invalid model file"}},
		{"encode not a model", []string{"encode", "--model", garbage, "--data", f.data, "-o", "-"}, []string{"garbage.kate: invalid model file"}},
		{"encode model dir", []string{"encode", "--model", dir, "--data", f.data, "-o", "-"}, []string{"is a directory"}},
		{"encode bad data", []string{"encode", "--model", f.model, "--data", badJSON, "-o", "-"}, []string{"line 3: invalid JSON"}},
		{"topics no model", []string{"topics"}, []string{"missing --model MODEL"}},
		{"topics n", []string{"topics", "--model", f.model, "-n", "0"}, []string{"-n 0 must be at least 1"}},
		{"topics corrupt", []string{"topics", "--model", corrupt}, []string{"invalid model file"}},
		{"similar no query", []string{"similar", "--model", f.model, "--data", f.data}, []string{"missing the query text"}},
		{"similar unknown terms", []string{"similar", "--model", f.model, "--data", f.data, "zzzz qqqq"}, []string{"no term of the model's vocabulary"}},
		{"similar n", []string{"similar", "--model", f.model, "--data", f.data, "-n", "0", "rocket"}, []string{"-n 0 must be at least 1"}},
		{"similar missing data", []string{"similar", "--model", f.model, "--data", empty, "rocket"}, []string{"no documents"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := kateRun(t, c.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, exitUsage, stderr)
			}
			checkOneLine(t, stderr, c.want...)
			if c.name != "encode bad data" && stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed train wrote the model")
	}
}

func checkOneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	if !strings.HasPrefix(stderr, "kate") {
		t.Errorf("stderr does not start with the program name: %q", stderr)
	}
	for _, bad := range []string{"goroutine", "panic", "runtime."} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr has %q: %q", bad, stderr)
		}
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, stdout, stderr := kateRun(t, "version")
	if code != 0 || stdout != fmt.Sprintf("kate %s (%s %s/%s, kernels %s)\n", kate.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, kernels.Name()) || stderr != "" {
		t.Errorf("version: %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = kateRun(t, "help")
	for _, name := range []string{"train", "encode", "topics", "similar", "version"} {
		if !strings.Contains(stdout, "  "+name+" ") {
			t.Errorf("help lacks %s:\n%s", name, stdout)
		}
	}
	if code != 0 {
		t.Errorf("help: exit %d", code)
	}
	for _, args := range [][]string{{"help", "train"}, {"train", "-h"}, {"train", "--help"}} {
		code, stdout, stderr = kateRun(t, args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "Usage: kate train --data FILE -o MODEL") ||
			!strings.Contains(stdout, "-dim int") || !strings.Contains(stdout, "(default 6.26)") || strings.Count(stdout, "Usage:") != 1 {
			t.Errorf("%v: exit %d stderr %q stdout:\n%s", args, code, stderr, stdout)
		}
	}
	// No arguments: the usage on stderr, status 2.
	code, stdout, stderr = kateRun(t)
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "Usage:") {
		t.Errorf("no args: %d %q %q", code, stdout, stderr)
	}
}

func TestTrainFlagsConfig(t *testing.T) {
	fs := newFlagSet(&env{}, "x")
	tf := addTrainFlags(fs)
	if _, err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := tf.config()
	if err != nil {
		t.Fatal(err)
	}
	if d := kate.DefaultConfig(); cfg != d {
		t.Errorf("defaults:\n got %+v\nwant %+v", cfg, d)
	}
	pos, err := parseFlags(fs, []string{"a", "--dim", "64", "b", "--", "--k", "c"})
	if err != nil || strings.Join(pos, ",") != "a,b,--k,c" {
		t.Errorf("positional %q err %v", pos, err)
	}
	if cfg, _ := tf.config(); cfg.Dim != 64 {
		t.Errorf("dim %d", cfg.Dim)
	}
}

func TestProgressPrinter(t *testing.T) {
	mid := kate.Progress{Epoch: 2, Epochs: 10, Batch: 5, Batches: 10, Loss: 0.5, ValLoss: math.NaN(),
		BestValLoss: 0.4, BestEpoch: 1, LearningRate: 2, DocsPerSecond: 1234.4, Elapsed: 15 * time.Second}
	end := mid
	end.Batch, end.EpochDone, end.ValLoss, end.Elapsed = 10, true, 0.39, 20*time.Second
	last := end
	last.Epoch, last.Stopping = 10, true

	var plain bytes.Buffer
	pp := progressPrinter(&plain, false)
	pp(mid)
	pp(end)
	pp(last)
	want := "epoch  2/10  loss 0.50000  val 0.39000 (best 0.40000 @1)  lr 2  1234 docs/s  ETA 1m20s\n" +
		"epoch 10/10  loss 0.50000  val 0.39000 (best 0.40000 @1)  lr 2  1234 docs/s  done in 20.0s\n"
	if plain.String() != want {
		t.Errorf("plain:\n got %q\nwant %q", plain.String(), want)
	}

	var live bytes.Buffer
	lp := progressPrinter(&live, true)
	lp(mid)
	lp(end)
	want = "\repoch  2/10 [==========          ]  5/10  loss 0.50000  1234 docs/s  ETA 1m25s\x1b[K" +
		"\repoch  2/10 [====================] 10/10  loss 0.50000  val 0.39000 (best 0.40000 @1)  lr 2  1234 docs/s  ETA 1m20s\x1b[K\n"
	if live.String() != want {
		t.Errorf("live:\n got %q\nwant %q", live.String(), want)
	}

	if isTerminal(&plain) {
		t.Error("a buffer is not a terminal")
	}
	tmp, _ := os.CreateTemp(t.TempDir(), "f")
	defer tmp.Close()
	if isTerminal(tmp) {
		t.Error("a regular file is not a terminal")
	}
}

// countdownCtx is a context whose Err reports cancellation after n calls:
// it interrupts training after a few batches, deterministically.
type countdownCtx struct {
	context.Context
	mu sync.Mutex
	n  int
}

func (c *countdownCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

func TestInterrupt(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "m.kate")
	ctx := &countdownCtx{Context: context.Background(), n: 3}
	code, stdout, stderr := kateRunCtx(t, ctx, append([]string{"train", "--data", f.data, "-o", out}, smallTrain...)...)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (stderr %q)", code, exitInterrupted, stderr)
	}
	checkOneLine(t, stderr)
	if stderr != "kate train: interrupted; no model written\n" {
		t.Errorf("stderr %q", stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || stdout != "" {
		t.Errorf("interrupted run left %d files, stdout %q", len(entries), stdout)
	}
}

// TestSignal builds the binary and interrupts a training run with SIGINT.
func TestSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "js" {
		t.Skip("no SIGINT")
	}
	f := getFixture(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "kate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	model := filepath.Join(dir, "m.kate")
	cmd := exec.Command(bin, "train", "--data", f.data, "-o", model, "--dim", "64", "--k", "8", "--epochs", "100000", "--val", "0")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the first epoch, then interrupt.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stderr.String(), "epoch") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want %d; stderr:\n%s", code, err, exitInterrupted, stderr.String())
	}
	if !strings.HasSuffix(stderr.String(), "\nkate train: interrupted; no model written\n") {
		s := stderr.String()
		t.Errorf("stderr ends %q", s[max(0, len(s)-200):])
	}
	if _, err := os.Stat(model); err == nil {
		t.Error("model written after the interrupt")
	}
}

// TestOutputs checks writing through a symbolic link, to a device, and a
// failed write (exit status 1, nothing left behind).
func TestOutputs(t *testing.T) {
	f := getFixture(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "real.tsv")
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.tsv")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if code, _, stderr := kateRun(t, "encode", "--model", f.model, "--data", f.data, "--max-docs", "3", "-o", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link was replaced")
	}
	if data, _ := os.ReadFile(real); strings.Count(string(data), "\n") != 3 {
		t.Errorf("link target holds %q", data)
	}

	if st, err := os.Stat(os.DevNull); err == nil && st.Mode()&os.ModeDevice != 0 {
		args := append([]string{"train", "--data", f.data, "-o", os.DevNull}, smallTrain...)
		if code, _, stderr := kateRun(t, args...); code != 0 {
			t.Errorf("-o %s: exit %d: %s", os.DevNull, code, stderr)
		}
		if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeDevice == 0 {
			t.Fatalf("%s was replaced", os.DevNull)
		}
	}
	if st, err := os.Stat("/dev/full"); err == nil && st.Mode()&os.ModeDevice != 0 {
		args := append([]string{"train", "--data", f.data, "-o", "/dev/full"}, smallTrain...)
		code, _, stderr := kateRun(t, args...)
		if code != exitFailure {
			t.Errorf("-o /dev/full: exit %d, want %d", code, exitFailure)
		}
		checkOneLine(t, stderr, "cannot write /dev/full")
		if st, err := os.Stat("/dev/full"); err != nil || st.Mode()&os.ModeDevice == 0 {
			t.Fatal("/dev/full was replaced")
		}
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
