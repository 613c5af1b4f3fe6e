package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readIndex decodes an index file written by kate index (the format is
// described in index.go) and checks its layout.
func readIndex(t *testing.T, path string) (hdr indexHeader, wscale []float32, w []int8, b []float32, dscale []float32, d []int8) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[:8]) != indexMagic {
		t.Fatalf("magic %q", raw[:8])
	}
	n := int(binary.LittleEndian.Uint32(raw[8:12]))
	if err := json.Unmarshal(raw[12:12+n], &hdr); err != nil {
		t.Fatal(err)
	}
	off := 12 + n
	off += (4 - off%4) % 4
	K, V, N := hdr.Dim, hdr.Vocab, hdr.Docs
	if want := off + 4*V + V*K + 4*K + 4*N + N*K; len(raw) != want {
		t.Fatalf("index of %d bytes, want %d", len(raw), want)
	}
	r := bytes.NewReader(raw[off:])
	wscale, w, b, dscale, d = make([]float32, V), make([]int8, V*K), make([]float32, K), make([]float32, N), make([]int8, N*K)
	for _, x := range []any{wscale, w, b, dscale, d} {
		if err := binary.Read(r, binary.LittleEndian, x); err != nil {
			t.Fatal(err)
		}
	}
	return
}

// TestIndexJSONL indexes a JSON Lines corpus with a given model and checks
// the stored weights, embeddings, word forms and entries against the model.
func TestIndexJSONL(t *testing.T) {
	fx := getFixture(t)
	out := filepath.Join(t.TempDir(), "s.kidx")
	code, stdout, stderr := kateRun(t, "index", "--model", fx.model, "--snippet", "40", "--title-field", "label", "-o", out, fx.data)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "240 documents, 16-d") {
		t.Errorf("stdout %q", stdout)
	}
	hdr, wscale, w, b, dscale, d := readIndex(t, out)
	m := fx.m
	K, V := m.Dim(), m.Vocabulary().Len()
	if hdr.Dim != K || hdr.Vocab != V || hdr.Docs != 240 || len(hdr.Entries) != 240 || len(hdr.Forms) != V {
		t.Fatalf("header dim %d vocab %d docs %d entries %d forms %d", hdr.Dim, hdr.Vocab, hdr.Docs, len(hdr.Entries), len(hdr.Forms))
	}
	if e := hdr.Entries[0]; e.Title != fx.docs[0].Label || !strings.HasSuffix(e.Snippet, "…") || len([]rune(e.Snippet)) > 40 {
		t.Errorf("entry 0: %+v", e)
	}
	// W rows within half a quantisation step; b exact.
	wt, bias, _ := m.Weights()
	for i := range V {
		for j := range K {
			if got, want := float64(float64(wscale[i])*float64(w[i*K+j])), float64(wt[j*V+i]); math.Abs(got-want) > float64(wscale[i])*0.5001 {
				t.Fatalf("W[%d][%d] = %g, want %g", i, j, got, want)
			}
		}
	}
	for j := range K {
		if b[j] != bias[j] {
			t.Fatalf("b[%d] = %g, want %g", j, b[j], bias[j])
		}
	}
	// Embeddings: unit vectors from the empty document's embedding, cosine > 0.999 with the model's.
	texts := make([]string, len(fx.docs))
	for i, doc := range fx.docs {
		texts[i] = doc.Text
	}
	emb := m.Encode(texts)
	e0 := m.Encode([]string{""})
	for n := range 240 {
		var dot, qq, ee float64
		for j := range K {
			q := float64(dscale[n]) * float64(d[n*K+j])
			e := float64(emb[n*K+j] - e0[j])
			dot, qq, ee = dot+float64(q*e), qq+float64(q*q), ee+float64(e*e)
		}
		if c := dot / math.Sqrt(qq*ee); c < 0.999 || math.Abs(qq-1) > 0.02 {
			t.Fatalf("document %d: cosine %g with the model's embedding, norm² %g", n, c, qq)
		}
	}
	// Word forms: every raw word of the corpus that the tokenizer maps to a term.
	found := false
	for i, f := range hdr.Forms {
		for _, w := range strings.Fields(f) {
			if got, _ := m.Vocabulary().Index(m.Vocabulary().Word(i)); got != i {
				t.Fatal("vocabulary index")
			}
			if w == "rocket" {
				found = m.Vocabulary().Word(i) == "rocket"
			}
		}
	}
	if !found {
		t.Error(`the form "rocket" does not map to the term "rocket"`)
	}
}

// TestIndexMarkdownHTML indexes a directory of Markdown and HTML pages
// (training a small model on them) and checks the sections, titles, URLs.
func TestIndexMarkdownHTML(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	os.MkdirAll(filepath.Join(site, "guide"), 0o755)
	os.MkdirAll(filepath.Join(site, ".git"), 0o755)
	var md strings.Builder
	md.WriteString("# Rockets\n\nIntro about **rockets** and [orbits](orbit.html).\n\n")
	for i, sec := range []string{"space", "sport", "health"} {
		md.WriteString("## The " + sec + " part, " + strings.Repeat("x", i) + "!\n\n```\ncode " + sec + "\n```\n")
		for range 8 {
			md.WriteString(strings.Join(topicWords[sec], " ") + "\n")
		}
		md.WriteString("\n")
	}
	os.WriteFile(filepath.Join(site, "guide", "rockets.md"), []byte(md.String()), 0o644)
	page := `<html><head><title>Health &amp; care</title><style>body{}</style></head><body><nav>menu words</nav>
<main><h1>Ignored heading</h1><p>` + strings.Repeat(strings.Join(topicWords["health"], " ")+" ", 5) + `</p><script>var x = "script";</script></main></body></html>`
	os.WriteFile(filepath.Join(site, "health.html"), []byte(page), 0o644)
	os.WriteFile(filepath.Join(site, ".git", "x.md"), []byte("# hidden\n\ntext"), 0o644)
	os.WriteFile(filepath.Join(site, "notes.txt"), []byte("not indexed"), 0o644)
	out := filepath.Join(dir, "s.kidx")
	code, _, stderr := kateRun(t, "index", "--dim", "8", "--k", "2", "--epochs", "2", "--val", "0", "--quiet", "--base-url", "/docs/", "-o", out, site)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	hdr, _, _, _, _, _ := readIndex(t, out)
	want := []indexEntry{
		{Title: "Rockets", URL: "/docs/guide/rockets.html"},
		{Title: "Rockets › The space part, !", URL: "/docs/guide/rockets.html#the-space-part-"},
		{Title: "Rockets › The sport part, x!", URL: "/docs/guide/rockets.html#the-sport-part-x"},
		{Title: "Rockets › The health part, xx!", URL: "/docs/guide/rockets.html#the-health-part-xx"},
		{Title: "Health & care", URL: "/docs/health.html"}, // files in path order
	}
	if len(hdr.Entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(hdr.Entries), len(want), hdr.Entries)
	}
	for i, w := range want {
		if g := hdr.Entries[i]; g.Title != w.Title || g.URL != w.URL {
			t.Errorf("entry %d: %q %q, want %q %q", i, g.Title, g.URL, w.Title, w.URL)
		}
	}
	if s := hdr.Entries[4].Snippet; strings.Contains(s, "script") || strings.Contains(s, "menu") || !strings.HasPrefix(s, "Ignored heading doctor") {
		t.Errorf("HTML snippet %q", s)
	}
	if s := hdr.Entries[0].Snippet; s != "Intro about rockets and orbits." {
		t.Errorf("Markdown snippet %q", s)
	}
	if s := hdr.Entries[1].Snippet; !strings.HasPrefix(s, "code space orbit rocket") {
		t.Errorf("section snippet %q (fenced code is kept as text)", s)
	}
}

// TestIndexBadInput checks the one-line errors.
func TestIndexBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"text\": \"fine\"}\n{\"body\": \"no text\"}\n"), 0o644)
	txt := filepath.Join(dir, "a.txt")
	os.WriteFile(txt, []byte("x"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	out := filepath.Join(dir, "o.kidx")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"index", dir}, "missing -o FILE"},
		{[]string{"index", "-o", out}, "missing PATH"},
		{[]string{"index", "-o", out, bad}, `bad.jsonl:2: no "text" string field`},
		{[]string{"index", "-o", out, txt}, "not a Markdown (.md), HTML (.html) or JSON Lines"},
		{[]string{"index", "-o", out, empty}, "no documents with text"},
		{[]string{"index", "-o", out, filepath.Join(dir, "missing")}, "no such file or directory"},
		{[]string{"index", "-o", out, "--snippet", "5", bad}, "--snippet 5 must be in [20, 5000]"},
		{[]string{"index", "-o", out, "--k", "80", bad}, "--k 80 must not exceed --dim 64"},
	} {
		code, _, stderr := kateRun(t, c.args...)
		if code != exitUsage && code != exitFailure {
			t.Errorf("%v: exit %d", c.args, code)
		}
		checkOneLine(t, stderr, c.want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run wrote the index")
	}
}
