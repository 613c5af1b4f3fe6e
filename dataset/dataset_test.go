package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(t *testing.T, content string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

const sampleJSONL = `{"id": "a", "split": "train", "label": "sport", "text": "the match was won"}

{"id": 7, "split": "test", "label": ["x", "y"], "text": "caf\u00e9 prices rise"}` + "\r\n" +
	`{"split": "train", "label": 3, "text": "line three", "extra": {"nested": [1, 2]}}
{"split": "train", "label": null, "text": ""}
`

var sampleDocs = []Doc{
	{ID: "a", Split: "train", Label: "sport", Labels: []string{"sport"}, Text: "the match was won"},
	{ID: "7", Split: "test", Label: "x", Labels: []string{"x", "y"}, Text: "café prices rise"},
	{ID: "4", Split: "train", Label: "3", Labels: []string{"3"}, Text: "line three"},
	{ID: "5", Split: "train", Text: ""},
}

func mustLoad(t *testing.T, path string, opt Options) []Doc {
	t.Helper()
	docs, err := Load(path, opt)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return docs
}

func TestJSONL(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jsonl", "a.ndjson", "a.json", "noext"} {
		got := mustLoad(t, write(t, dir, name, sampleJSONL), Options{})
		if !reflect.DeepEqual(got, sampleDocs) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, sampleDocs)
		}
	}
}

func TestJSONLGzip(t *testing.T) {
	dir := t.TempDir()
	// Detected by magic bytes whatever the name.
	for _, name := range []string{"a.jsonl.gz", "a.jsonl", "data.bin"} {
		got := mustLoad(t, write(t, dir, name, gz(t, sampleJSONL)), Options{})
		if !reflect.DeepEqual(got, sampleDocs) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, sampleDocs)
		}
	}
}

func TestFields(t *testing.T) {
	p := write(t, t.TempDir(), "f.jsonl", `{"body": "hello world", "topic": "greet", "text": 5}`+"\n")
	got := mustLoad(t, p, Options{TextField: "body", LabelField: "topic"})
	want := []Doc{{ID: "1", Text: "hello world", Label: "greet", Labels: []string{"greet"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v want %+v", got, want)
	}
}

func TestTargetField(t *testing.T) {
	p := write(t, t.TempDir(), "t.jsonl", `{"text": "a", "rating": 7.5}
{"text": "b", "rating": "3"}
{"text": "c", "rating": null}
{"text": "d"}
`)
	got := mustLoad(t, p, Options{TargetField: "rating"})
	want := []struct {
		v  float64
		ok bool
	}{{7.5, true}, {3, true}, {0, false}, {0, false}}
	for i, w := range want {
		if got[i].Target != w.v || got[i].HasTarget != w.ok {
			t.Errorf("doc %d: target %v/%t, want %v/%t", i, got[i].Target, got[i].HasTarget, w.v, w.ok)
		}
	}
	// Without TargetField the field is ignored.
	if d := mustLoad(t, p, Options{}); d[0].HasTarget {
		t.Error("target read without TargetField")
	}
	for _, bad := range []string{`"high"`, `[1]`, `"NaN"`, `"1e999"`, `true`} {
		p := write(t, t.TempDir(), "b.jsonl", `{"text": "a", "rating": 1}`+"\n"+`{"text": "a", "rating": `+bad+`}`+"\n")
		_, err := Load(p, Options{TargetField: "rating"})
		if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `"rating" is not a finite number`) {
			t.Errorf("rating %s: error %v", bad, err)
		}
	}
}

func TestSplit(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.jsonl", sampleJSONL)
	got := mustLoad(t, p, Options{Split: "test"})
	if len(got) != 1 || got[0].ID != "7" {
		t.Errorf("split test: got %+v", got)
	}
	got = mustLoad(t, p, Options{Split: "train"})
	if len(got) != 3 || got[0].ID != "a" || got[2].ID != "5" {
		t.Errorf("split train: got %+v", got)
	}
	// No split field anywhere: the filter keeps everything.
	p2 := write(t, dir, "b.jsonl", `{"text": "one"}`+"\n"+`{"text": "two"}`+"\n")
	if got := mustLoad(t, p2, Options{Split: "train"}); len(got) != 2 {
		t.Errorf("no splits: got %d docs, want 2", len(got))
	}
	// Mixed: documents without a split are dropped once one has a split,
	// also those read before it.
	p3 := write(t, dir, "c.jsonl", `{"text": "one"}`+"\n"+`{"text": "two", "split": "train"}`+"\n"+`{"text": "three"}`+"\n")
	if got := mustLoad(t, p3, Options{Split: "train"}); len(got) != 1 || got[0].Text != "two" {
		t.Errorf("mixed: got %+v", got)
	}
	// No document of the split.
	_, err := Load(p, Options{Split: "dev"})
	if !errors.Is(err, ErrNoDocuments) || !strings.Contains(err.Error(), `"dev"`) || !strings.Contains(err.Error(), p) {
		t.Errorf("missing split: err = %v", err)
	}
	// Plain text has no splits: the option is ignored.
	p4 := write(t, dir, "d.txt", "one\ntwo\n")
	if got := mustLoad(t, p4, Options{Split: "train"}); len(got) != 2 {
		t.Errorf("text with split: got %d docs", len(got))
	}
}

func TestMaxDocs(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.jsonl", sampleJSONL)
	if got := mustLoad(t, p, Options{MaxDocs: 2}); len(got) != 2 || got[1].ID != "7" {
		t.Errorf("jsonl: got %+v", got)
	}
	if got := mustLoad(t, p, Options{MaxDocs: 2, Split: "train"}); len(got) != 2 || got[1].ID != "4" {
		t.Errorf("jsonl split: got %+v", got)
	}
	p = write(t, dir, "a.txt", "a\nb\nc\n")
	if got := mustLoad(t, p, Options{MaxDocs: 1}); len(got) != 1 || got[0].Text != "a" {
		t.Errorf("text: got %+v", got)
	}
	d := filepath.Join(dir, "d")
	write(t, d, "1.txt", "x")
	write(t, d, "2.txt", "y")
	if got := mustLoad(t, d, Options{MaxDocs: 1}); len(got) != 1 || got[0].ID != "1.txt" {
		t.Errorf("dir: got %+v", got)
	}
}

func TestPlainText(t *testing.T) {
	dir := t.TempDir()
	content := "first document here\n\n   \nsecond one\r\n{not json, but a .txt}\nlast without newline"
	want := []Doc{
		{ID: "1", Text: "first document here"},
		{ID: "4", Text: "second one"},
		{ID: "5", Text: "{not json, but a .txt}"},
		{ID: "6", Text: "last without newline"},
	}
	for name, data := range map[string]string{"a.txt": content, "a.txt.gz": gz(t, content), "corpus.dat": strings.Replace(content, "{", "(", 1)} {
		got := mustLoad(t, write(t, dir, name, data), Options{})
		w := want
		if name == "corpus.dat" {
			w = append([]Doc(nil), want...)
			w[2].Text = "(not json, but a .txt}"
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, w)
		}
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.txt", "root b")
	write(t, dir, "a.TXT", "root a")
	write(t, dir, "notes.md", "ignored")
	write(t, dir, ".hidden.txt", "ignored")
	write(t, dir, ".git/x.txt", "ignored")
	write(t, dir, "sports/2.txt", "goal\nscored")
	write(t, dir, "sports/1.txt", "")
	write(t, dir, "politics/deep/x.txt", "vote")
	write(t, dir, "politics/z.txt.gz", "not a .txt name")
	want := []Doc{
		{ID: "a.TXT", Text: "root a"},
		{ID: "b.txt", Text: "root b"},
		{ID: "politics/deep/x.txt", Text: "vote", Label: "politics", Labels: []string{"politics"}},
		{ID: "sports/1.txt", Text: "", Label: "sports", Labels: []string{"sports"}},
		{ID: "sports/2.txt", Text: "goal\nscored", Label: "sports", Labels: []string{"sports"}},
	}
	got := mustLoad(t, dir, Options{})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	// Compressed .txt files are decompressed.
	d2 := t.TempDir()
	write(t, d2, "c.txt", gz(t, "zipped text"))
	if got := mustLoad(t, d2, Options{}); got[0].Text != "zipped text" {
		t.Errorf("gzip file in dir: %q", got[0].Text)
	}
}

// loadErr loads path and checks that the error mentions every fragment.
func loadErr(t *testing.T, path string, opt Options, fragments ...string) error {
	t.Helper()
	docs, err := Load(path, opt)
	if err == nil {
		t.Fatalf("Load(%s): no error, %d docs", path, len(docs))
	}
	msg := err.Error()
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("Load(%s) error %q does not contain %q", path, msg, f)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error has several lines: %q", msg)
	}
	return err
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	good := `{"text": "ok"}` + "\n"
	loadErr(t, filepath.Join(dir, "missing.jsonl"), Options{}, "missing.jsonl", "no such file")

	for _, content := range []string{"", "\n\n  \n"} {
		err := loadErr(t, write(t, dir, "empty.txt", content), Options{}, "empty.txt", "no documents")
		if !errors.Is(err, ErrNoDocuments) {
			t.Errorf("empty: %v is not ErrNoDocuments", err)
		}
		loadErr(t, write(t, dir, "empty.jsonl", content), Options{}, "empty.jsonl", "no documents")
	}
	loadErr(t, write(t, dir, "e.jsonl.gz", gz(t, "")), Options{}, "no documents")
	loadErr(t, t.TempDir(), Options{}, "no documents", "no .txt files")

	cases := []struct{ name, line, want string }{
		{"bad", `{"text": "unterminated}`, "invalid JSON"},
		{"trail", `{"text": "x"} garbage`, "invalid JSON"},
		{"array", `["text"]`, "expected an object"},
		{"notext", `{"body": "x", "id": 1}`, `no "text" field (fields: "body", "id")`},
		{"textnum", `{"text": 12}`, `field "text" is not a string`},
		{"textnull", `{"text": null}`, `field "text" is not a string`},
		{"label", `{"text": "x", "label": {"a": 1}}`, `field "label" is not a string, a number or a list of strings`},
		{"labels", `{"text": "x", "label": ["a", 2]}`, `field "label"`},
		{"id", `{"text": "x", "id": [1]}`, `field "id" is not a string or a number`},
		{"split", `{"text": "x", "split": 1}`, `field "split" is not a string`},
	}
	for _, c := range cases {
		p := write(t, dir, c.name+".jsonl", good+"\n"+good+c.line+"\n"+good)
		loadErr(t, p, Options{}, p, "line 4:", c.want)
		// The same inside a gzip file.
		pz := write(t, dir, c.name+".jsonl.gz", gz(t, good+"\n"+good+c.line+"\n"+good))
		loadErr(t, pz, Options{}, pz, "line 4:", c.want)
	}
}

func TestSizeLimits(t *testing.T) {
	dir := t.TempDir()
	old := maxLine
	maxLine = 100
	defer func() { maxLine = old }()
	long := strings.Repeat("x", 101)
	loadErr(t, write(t, dir, "long.txt", "ok\n"+long+"\nok\n"), Options{}, "long.txt", "line 2 is longer than 100 bytes")
	loadErr(t, write(t, dir, "long2.txt", "ok\n"+long), Options{}, "line 2 is longer than 100 bytes")
	loadErr(t, write(t, dir, "long.jsonl", `{"text": "`+long+`"}`), Options{}, "line 1 is longer than 100 bytes")
	// Exactly at the limit is fine, with either line ending.
	exact := strings.Repeat("y", 100)
	if got := mustLoad(t, write(t, dir, "exact.txt", exact+"\r\n"+exact+"\n"+exact), Options{}); len(got) != 3 || got[0].Text != exact {
		t.Errorf("exact: %d docs", len(got))
	}
	maxLine = old

	// Total size: plain, compressed (a small file that inflates), directory.
	big := strings.Repeat("word word word\n", 1000) // 15,000 bytes
	loadErr(t, write(t, dir, "big.txt", big), Options{MaxBytes: 10000}, "big.txt", "more than 10000 bytes")
	loadErr(t, write(t, dir, "big.txt.gz", gz(t, big)), Options{MaxBytes: 10000}, "big.txt.gz", "more than 10000 bytes")
	if got := mustLoad(t, filepath.Join(dir, "big.txt.gz"), Options{MaxBytes: 15000 + 1000*DocOverhead}); len(got) != 1000 {
		t.Errorf("at the limit: %d docs", len(got))
	}
	// Load counts DocOverhead per document: many short lines are bounded
	// in memory, not only in bytes (issue 13, item 1).
	loadErr(t, filepath.Join(dir, "big.txt.gz"), Options{MaxBytes: 15000 + 999*DocOverhead}, "big.txt.gz", "counting 128 bytes per document")
	if got := mustLoad(t, filepath.Join(dir, "big.txt.gz"), Options{MaxBytes: -1}); len(got) != 1000 {
		t.Errorf("unbounded: %d docs", len(got))
	}
	d := filepath.Join(dir, "d")
	write(t, d, "a.txt", big)
	write(t, d, "b.txt", big)
	loadErr(t, d, Options{MaxBytes: 20000}, "b.txt", "more than 20000 bytes")
	write(t, d, "c.txt", gz(t, big+big))
	loadErr(t, d, Options{MaxBytes: 40000}, "c.txt", "more than 40000 bytes")
}

func TestCorruptGzip(t *testing.T) {
	dir := t.TempDir()
	var lines strings.Builder
	for range 2000 {
		lines.WriteString(`{"text": "some text that is long enough to span blocks 0123456789"}` + "\n")
	}
	z := gz(t, lines.String())
	loadErr(t, write(t, dir, "trunc.jsonl.gz", z[:len(z)/2]), Options{}, "trunc.jsonl.gz", "line ", "corrupt or truncated gzip")
	bad := []byte(z)
	bad[len(bad)-6] ^= 0xff // the CRC-32 in the trailer
	loadErr(t, write(t, dir, "crc.jsonl.gz", string(bad)), Options{}, "crc.jsonl.gz", "corrupt or truncated gzip")
	loadErr(t, write(t, dir, "hdr.jsonl.gz", "\x1f\x8bnot gzip at all"), Options{}, "hdr.jsonl.gz", "gzip")
}

// Test20News checks the loader on the shared 20 Newsgroups file when it is
// present; the other tests cover every format without it.
func Test20News(t *testing.T) {
	const path = "../../shared/data/20news-bydate.jsonl.gz"
	if _, err := os.Stat(path); err != nil {
		t.Skip("20 Newsgroups data not present")
	}
	train := mustLoad(t, path, Options{Split: "train"})
	test := mustLoad(t, path, Options{Split: "test", MaxDocs: 100})
	if len(train) != 11314 || len(test) != 100 {
		t.Fatalf("train %d docs (want 11314), test %d (want 100)", len(train), len(test))
	}
	labels := map[string]bool{}
	for _, d := range train {
		if d.Split != "train" || d.Text == "" || d.Label == "" || !strings.HasPrefix(d.ID, "train/"+d.Label+"/") {
			t.Fatalf("bad document %q split %q label %q", d.ID, d.Split, d.Label)
		}
		labels[d.Label] = true
	}
	if len(labels) != 20 {
		t.Errorf("%d labels, want 20", len(labels))
	}
}

// TestBOM: a UTF-8 byte order mark at the start of a file is skipped, also
// when it decides the format of a file without an extension (issue 13,
// item 6).
func TestBOM(t *testing.T) {
	dir := t.TempDir()
	bom := "\xef\xbb\xbf"
	for _, name := range []string{"bom.jsonl", "bom-noext", "bom.jsonl.gz"} {
		data := bom + sampleJSONL
		if strings.HasSuffix(name, ".gz") {
			data = gz(t, data)
		}
		got := mustLoad(t, write(t, dir, name, data), Options{})
		if !reflect.DeepEqual(got, sampleDocs) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, sampleDocs)
		}
	}
	got := mustLoad(t, write(t, dir, "bom.txt", bom+"first\nsecond\n"), Options{})
	if len(got) != 2 || got[0].Text != "first" {
		t.Errorf("text with BOM: %+v", got)
	}
	d := filepath.Join(dir, "d")
	write(t, d, "a.txt", bom+"hello")
	if got := mustLoad(t, d, Options{}); got[0].Text != "hello" {
		t.Errorf("directory file with BOM: %q", got[0].Text)
	}
	// A BOM elsewhere is text.
	got = mustLoad(t, write(t, dir, "mid.txt", "a\n"+bom+"b\n"), Options{})
	if got[1].Text != bom+"b" {
		t.Errorf("BOM inside: %q", got[1].Text)
	}
}

// TestScan: Scan streams the same documents as Load, stops on fn's error
// and on a cancelled context, and applies Split and MaxDocs the same way.
func TestScan(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "a.jsonl", sampleJSONL)
	for _, opt := range []Options{{}, {Split: "train"}, {MaxDocs: 2}, {Split: "train", MaxDocs: 2}} {
		var got []Doc
		if err := Scan(context.Background(), p, opt, func(d Doc) error { got = append(got, d); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := mustLoad(t, p, opt); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: Scan %+v, Load %+v", opt, got, want)
		}
	}
	stop := errors.New("stop")
	n := 0
	if err := Scan(context.Background(), p, Options{}, func(Doc) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("fn error: err %v after %d docs", err, n)
	}
	// Mixed splits with the split-less documents first: Scan reads ahead.
	p3 := write(t, dir, "c.jsonl", `{"text": "one"}`+"\n"+`{"text": "two", "split": "train"}`+"\n"+`{"text": "three"}`+"\n")
	var texts []string
	if err := Scan(context.Background(), p3, Options{Split: "train"}, func(d Doc) error { texts = append(texts, d.Text); return nil }); err != nil || !reflect.DeepEqual(texts, []string{"two"}) {
		t.Errorf("mixed: %v %v", texts, err)
	}
	// A cancelled context stops the reading (the documents are many).
	big := write(t, dir, "big.txt", strings.Repeat("word\n", 100000))
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err := Scan(ctx, big, Options{}, func(Doc) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > 10+checkEvery {
		t.Errorf("cancel: err %v after %d docs", err, n)
	}
	if _, err := LoadContext(ctx, big, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadContext after cancel: %v", err)
	}
	if err := Scan(context.Background(), write(t, dir, "empty.txt", "\n"), Options{}, func(Doc) error { return nil }); !errors.Is(err, ErrNoDocuments) {
		t.Errorf("empty: %v", err)
	}
}
