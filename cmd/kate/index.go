package main

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kate-web/kate/kate"
)

func init() {
	commands["index"] = &command{
		summary: "build a site-search index (model + int8 embeddings + titles, URLs, snippets) from Markdown, HTML or JSON Lines",
		usage:   "kate index -o search.kidx [--model MODEL | training flags] PATH...",
		run:     runIndex,
	}
}

// The site-search index file (docs/site-search.md): gzip of
//
//	"KATEIDX1"  magic
//	uint32      length of the JSON header, then the header (indexHeader)
//	            zero padding to a multiple of 4 bytes
//	float32[V]  per-term scale of W's rows
//	int8[V*K]   W, one row of K weights per vocabulary term, row i = round(W_i / scale_i)
//	float32[K]  the bias b
//	float32[N]  per-document scale
//	int8[N*K]   unit-length embeddings measured from the empty document's
//	            embedding tanh(b), row d = round(e_d / scale_d)
//
// all little-endian. The page encodes a query as tanh(x W + b) with the
// model's own input vector x (log(1+count) / log(1+max count)).
const indexMagic = "KATEIDX1"

// indexHeader is the JSON header of the index file.
type indexHeader struct {
	Format int    `json:"format"`
	Kate   string `json:"kate"`
	Dim    int    `json:"dim"`
	Vocab  int    `json:"vocab"`
	Docs   int    `json:"docs"`
	// Forms lists, for every vocabulary term, the lower-cased words of the
	// indexed text that the model's tokenizer maps to it, space-separated:
	// the page looks query words up here instead of stemming them.
	Forms []string `json:"forms"`
	// Entries are the documents: title, URL and snippet.
	Entries []indexEntry `json:"entries"`
}

// indexEntry is one searchable document.
type indexEntry struct {
	Title   string `json:"t"`
	URL     string `json:"u,omitempty"`
	Snippet string `json:"s"`
}

// indexDoc is a document read from the input, with its full text.
type indexDoc struct {
	indexEntry
	text string
}

func runIndex(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "index")
	tf := addTrainFlags(fs)
	// A site index is downloaded by every visitor: 64 dimensions (k = 16)
	// halve the embeddings and the weights (docs/site-search.md has the sizes).
	fs.Lookup("dim").DefValue, fs.Lookup("k").DefValue = "64", "16"
	tf.dim, tf.k = 64, 16
	var out, modelPath, baseURL, textField, titleField, urlField string
	var snippetLen, maxDocs int
	var quiet bool
	fs.StringVar(&out, "o", "", "output index `FILE` (e.g. search.kidx)")
	fs.StringVar(&modelPath, "model", "", "use this model `FILE` instead of training one on the documents")
	fs.StringVar(&baseURL, "base-url", "", "prefix of the URLs of Markdown and HTML pages (e.g. /docs/)")
	fs.StringVar(&textField, "text-field", "text", "JSON Lines: field holding the text")
	fs.StringVar(&titleField, "title-field", "title", "JSON Lines: field holding the title")
	fs.StringVar(&urlField, "url-field", "url", "JSON Lines: field holding the URL")
	fs.IntVar(&snippetLen, "snippet", 160, "characters of text kept per document for the result snippet")
	fs.IntVar(&maxDocs, "max-docs", 0, "index at most this many documents (0: all)")
	fs.BoolVar(&quiet, "quiet", false, "no progress output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if out == "" {
		return usagef("index", "missing -o FILE")
	}
	if len(pos) == 0 {
		return usagef("index", "missing PATH: Markdown (.md), HTML (.html) or JSON Lines (.jsonl, .jsonl.gz) files or directories")
	}
	if snippetLen < 20 || snippetLen > 5000 {
		return usagef("index", "--snippet %d must be in [20, 5000]", snippetLen)
	}
	if maxDocs < 0 {
		return usagef("index", "--max-docs %d must be at least 0", maxDocs)
	}
	cfg, err := tf.config()
	if err != nil {
		return usagef("index", "%v", err)
	}
	if err := checkOutputDir(out); err != nil {
		return err
	}
	r := &indexReader{baseURL: baseURL, textField: textField, titleField: titleField, urlField: urlField, snippet: snippetLen, max: maxDocs}
	for _, p := range pos {
		if err := r.add(p); err != nil {
			return err
		}
	}
	if len(r.docs) == 0 {
		return fmt.Errorf("no documents with text in %s", strings.Join(pos, ", "))
	}
	texts := make([]string, len(r.docs))
	for i, d := range r.docs {
		texts[i] = d.text
	}
	var m *kate.Model
	if modelPath != "" {
		if m, err = loadModel("index", modelPath); err != nil {
			return err
		}
	} else {
		if !quiet {
			fmt.Fprintf(e.stderr, "training K=%d k=%d on %d documents\n", cfg.Dim, cfg.Winners, len(texts))
		}
		progress := func(kate.Progress) {}
		if !quiet {
			progress = newProgressPrinter(e.stderr)
		}
		m, err = kate.Train(ctx, texts, cfg, kate.TrainOptions{Progress: progress})
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted; no index written: %w", ctx.Err())
			}
			return fmt.Errorf("training failed: %s", trimKate(err))
		}
	}
	var size int64
	err = writeFileAtomic(out, func(w io.Writer) error {
		cw := &countWriter{w: w}
		if err := writeIndex(cw, m, r.docs, texts); err != nil {
			return &failure{fmt.Errorf("cannot write %s: %v", out, err)}
		}
		size = cw.n
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%s gzipped): %d documents, %d-d, vocabulary %d terms\n",
		out, fmtBytes(size), len(r.docs), m.Dim(), m.Vocabulary().Len())
	return nil
}

// writeIndex writes the gzip'd index of docs (whose full texts are texts)
// for model m to w.
func writeIndex(w io.Writer, m *kate.Model, docs []indexDoc, texts []string) error {
	K, V := m.Dim(), m.Vocabulary().Len()
	hdr := indexHeader{Format: 1, Kate: kate.Version, Dim: K, Vocab: V, Docs: len(docs),
		Forms: surfaceForms(m, texts), Entries: make([]indexEntry, len(docs))}
	for i, d := range docs {
		hdr.Entries[i] = d.indexEntry
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	bw.WriteString(indexMagic)
	binary.Write(bw, binary.LittleEndian, uint32(len(js)))
	bw.Write(js)
	bw.Write(make([]byte, (4-(len(indexMagic)+4+len(js))%4)%4))

	// W as V rows of K (wt is K x V).
	wt, b, _ := m.Weights()
	row := make([]float32, K)
	scales := make([]float32, V)
	q := make([]int8, V*K)
	for i := range V {
		for j := range K {
			row[j] = wt[j*V+i]
		}
		scales[i] = quantize(q[i*K:(i+1)*K], row)
	}
	binary.Write(bw, binary.LittleEndian, scales)
	binary.Write(bw, binary.LittleEndian, q)
	binary.Write(bw, binary.LittleEndian, b)

	// Embeddings measured from the empty document's, unit length.
	emb := m.Encode(texts)
	e0 := make([]float32, K)
	for j := range K {
		e0[j] = float32(math.Tanh(float64(b[j])))
	}
	dscale := make([]float32, len(docs))
	dq := make([]int8, len(docs)*K)
	for d := range docs {
		r := emb[d*K : (d+1)*K]
		var n2 float64
		for j := range K {
			r[j] -= e0[j]
			n2 += float64(float64(r[j]) * float64(r[j]))
		}
		if n2 > 0 {
			inv := float32(1 / math.Sqrt(n2))
			for j := range r {
				r[j] *= inv
			}
		}
		dscale[d] = quantize(dq[d*K:(d+1)*K], r)
	}
	binary.Write(bw, binary.LittleEndian, dscale)
	binary.Write(bw, binary.LittleEndian, dq)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// quantize writes round(v / s) into q with s = max |v| / 127 and returns s
// (0 for a zero vector).
func quantize(q []int8, v []float32) float32 {
	var mx float32
	for _, x := range v {
		mx = max(mx, float32(math.Abs(float64(x))))
	}
	if mx == 0 {
		clear(q)
		return 0
	}
	s := mx / 127
	for j, x := range v {
		q[j] = int8(math.Round(float64(x / s)))
	}
	return s
}

// rawWords calls fn with every maximal run of letters and digits of text,
// lower-cased: the raw tokens of kate's tokenizer (and of the page's query
// parser).
func rawWords(text string, fn func(w string)) {
	start := -1
	for i, r := range text {
		word := unicode.IsLetter(r) || unicode.IsDigit(r)
		if word && start < 0 {
			start = i
		} else if !word && start >= 0 {
			fn(strings.ToLower(text[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		fn(strings.ToLower(text[start:]))
	}
}

// surfaceForms returns, for every vocabulary term of m, the distinct raw
// words of texts that m's tokenizer maps to it (sorted, space-separated).
func surfaceForms(m *kate.Model, texts []string) []string {
	tok := m.Params().Text
	vocab := m.Vocabulary()
	seen := map[string]bool{}
	forms := make([][]string, vocab.Len())
	for _, t := range texts {
		rawWords(t, func(w string) {
			if seen[w] || len(w) > 64 {
				return
			}
			seen[w] = true
			terms := tok.Tokens(w)
			if len(terms) != 1 {
				return
			}
			if i, ok := vocab.Index(terms[0]); ok {
				forms[i] = append(forms[i], w)
			}
		})
	}
	out := make([]string, len(forms))
	for i, f := range forms {
		slices.Sort(f)
		out[i] = strings.Join(f, " ")
	}
	return out
}

// indexReader reads documents from Markdown, HTML and JSON Lines files.
type indexReader struct {
	baseURL, textField, titleField, urlField string
	snippet, max                             int
	docs                                     []indexDoc
}

// add reads path: a file, or a directory walked for .md, .markdown, .html,
// .htm, .jsonl, .ndjson and .jsonl.gz files in path order.
func (r *indexReader) add(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return pathError(err)
	}
	if !st.IsDir() {
		return r.addFile(path, filepath.Base(path))
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != path && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && indexKind(p) != "" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return pathError(err)
	}
	sort.Strings(files)
	for _, f := range files {
		rel, _ := filepath.Rel(path, f)
		if err := r.addFile(f, filepath.ToSlash(rel)); err != nil {
			return err
		}
	}
	return nil
}

// indexKind returns "md", "html" or "jsonl" for a file name, or "".
func indexKind(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".md"), strings.HasSuffix(n, ".markdown"):
		return "md"
	case strings.HasSuffix(n, ".html"), strings.HasSuffix(n, ".htm"):
		return "html"
	case strings.HasSuffix(n, ".jsonl"), strings.HasSuffix(n, ".ndjson"), strings.HasSuffix(n, ".jsonl.gz"):
		return "jsonl"
	}
	return ""
}

// maxIndexFile bounds one input file (256 MiB).
const maxIndexFile = 256 << 20

func (r *indexReader) addFile(path, rel string) error {
	kind := indexKind(path)
	if kind == "" {
		return fmt.Errorf("%s: not a Markdown (.md), HTML (.html) or JSON Lines (.jsonl, .jsonl.gz) file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return pathError(err)
	}
	defer f.Close()
	var in io.Reader = bufio.NewReader(f)
	if head, _ := in.(*bufio.Reader).Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		in = zr
	}
	if kind == "jsonl" {
		return r.addJSONL(path, in)
	}
	data, err := io.ReadAll(io.LimitReader(in, maxIndexFile+1))
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(data) > maxIndexFile {
		return fmt.Errorf("%s: larger than %d MiB", path, maxIndexFile>>20)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%s: not UTF-8 text", path)
	}
	if kind == "md" {
		url := r.baseURL + strings.TrimSuffix(strings.TrimSuffix(rel, ".md"), ".markdown") + ".html"
		for _, s := range markdownSections(string(data), strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))) {
			u := url
			if s.anchor != "" {
				u += "#" + s.anchor
			}
			r.push(s.title, u, s.text)
		}
		return nil
	}
	title, text := htmlText(string(data))
	if title == "" {
		title = filepath.Base(rel)
	}
	r.push(title, r.baseURL+rel, text)
	return nil
}

func (r *indexReader) addJSONL(path string, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("%s:%d: not a JSON object: %v", path, line, err)
		}
		text, ok := rec[r.textField].(string)
		if !ok {
			return fmt.Errorf("%s:%d: no %q string field; choose the field with --text-field", path, line, r.textField)
		}
		title, _ := rec[r.titleField].(string)
		url, _ := rec[r.urlField].(string)
		if title == "" {
			title = firstWords(text, 80)
		}
		r.push(title, url, text)
		if r.max > 0 && len(r.docs) >= r.max {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: line %d: %v", path, line+1, err)
	}
	return nil
}

// push adds a document unless its text is blank or the limit is reached.
func (r *indexReader) push(title, url, text string) {
	text = strings.TrimSpace(text)
	if text == "" || (r.max > 0 && len(r.docs) >= r.max) {
		return
	}
	r.docs = append(r.docs, indexDoc{indexEntry{Title: strings.TrimSpace(title), URL: url, Snippet: firstWords(text, r.snippet)}, text})
}

// firstWords returns text with runs of white space collapsed, cut at a word
// boundary to at most n characters (with "…" when cut).
func firstWords(text string, n int) string {
	t := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(t) <= n {
		return t
	}
	r := []rune(t)[:n-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// mdSection is a part of a Markdown page under one heading.
type mdSection struct {
	title, anchor, text string
}

var (
	mdHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdLink    = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarks   = regexp.MustCompile("[*_`>|]+|^\\s*[-+]\\s+|<[^>]+>")
)

// markdownSections splits a Markdown page at its headings: every section
// becomes a document titled "Page › Heading" with the heading's GitHub-style
// anchor. Fenced code is kept as text; link targets, emphasis and table
// pipes are dropped.
func markdownSections(src, name string) []mdSection {
	page := ""
	var out []mdSection
	cur := mdSection{}
	var body strings.Builder
	flush := func() {
		cur.text = strings.TrimSpace(body.String())
		if cur.text != "" {
			out = append(out, cur)
		}
		body.Reset()
	}
	fence := false
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		if m := mdHeading.FindStringSubmatch(line); m != nil && !fence {
			flush()
			h := mdInline(m[2])
			if page == "" && len(m[1]) == 1 {
				page = h
				cur = mdSection{title: h}
				continue
			}
			title := h
			if page != "" {
				title = page + " › " + h
			}
			cur = mdSection{title: title, anchor: mdAnchor(m[2])}
			continue
		}
		body.WriteString(mdInline(line))
		body.WriteByte('\n')
	}
	flush()
	if page == "" {
		page = name
	}
	for i := range out {
		if out[i].title == "" {
			out[i].title = page
		}
	}
	return out
}

// mdInline removes inline Markdown syntax from a line, keeping link texts.
func mdInline(s string) string {
	s = mdLink.ReplaceAllString(s, "$1")
	return html.UnescapeString(mdMarks.ReplaceAllString(s, " "))
}

// mdAnchor is GitHub's anchor for a heading: lower-case, punctuation other
// than '-' and '_' dropped, spaces as '-'.
func mdAnchor(h string) string {
	h = mdLink.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

var (
	htmlDrop  = regexp.MustCompile(`(?is)<(script|style|nav|header|footer|template|svg)\b.*?</(script|style|nav|header|footer|template|svg)\s*>`)
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlH1    = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	htmlBody  = regexp.MustCompile(`(?is)<body[^>]*>(.*)</body>`)
	htmlMain  = regexp.MustCompile(`(?is)<main[^>]*>(.*)</main>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlCmt   = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// htmlText returns an HTML page's title (<title>, else the first <h1>) and
// the visible text of its <main> (else <body>), without scripts, styles and
// navigation.
func htmlText(src string) (title, text string) {
	src = htmlCmt.ReplaceAllString(src, " ")
	if m := htmlTitle.FindStringSubmatch(src); m != nil {
		title = strings.TrimSpace(html.UnescapeString(htmlTag.ReplaceAllString(m[1], " ")))
	}
	body := src
	if m := htmlMain.FindStringSubmatch(src); m != nil {
		body = m[1]
	} else if m := htmlBody.FindStringSubmatch(src); m != nil {
		body = m[1]
	}
	body = htmlDrop.ReplaceAllString(body, " ")
	if title == "" {
		if m := htmlH1.FindStringSubmatch(body); m != nil {
			title = strings.TrimSpace(html.UnescapeString(htmlTag.ReplaceAllString(m[1], " ")))
		}
	}
	text = html.UnescapeString(htmlTag.ReplaceAllString(body, " "))
	return strings.Join(strings.Fields(title), " "), strings.TrimSpace(text)
}
