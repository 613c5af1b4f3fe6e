// Command make-sample writes testdata/20news-sample.jsonl.gz, the bundled
// 20 Newsgroups sample used by the demo, by `kate eval`'s default and by the
// CI smoke test on a fresh clone.
//
// It reads the full corpus (by default ../shared/data/20news-bydate.jsonl.gz
// relative to the repository root, fields id, split, label, text and
// text_stripped) and keeps, for each of the 20 newsgroups, the
// first -train training and -test test documents in the order of an FNV-1a hash
// of their id: a deterministic, balanced subset. Only the fields id, split,
// label and text are written (headers kept); texts longer than -maxchars
// characters are cut at a word boundary. The output is a gzip'd JSON Lines
// file with no timestamp in its header, so the same input always gives the
// same bytes.
//
//	go run ./scripts/make-sample [-in FILE] [-out FILE] [-train 100] [-test 40] [-maxchars 2500]
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// doc is one line of the input and of the output.
type doc struct {
	ID    string `json:"id"`
	Split string `json:"split"`
	Label string `json:"label"`
	Text  string `json:"text"`
	// TextStripped is the post without mail headers, signature and quoted
	// replies (empty for a few posts that are only quotes).
	TextStripped string `json:"text_stripped"`
}

func main() {
	in := flag.String("in", "../shared/data/20news-bydate.jsonl.gz", "full corpus (gzip'd JSON Lines)")
	out := flag.String("out", "testdata/20news-sample.jsonl.gz", "output file")
	nTrain := flag.Int("train", 100, "training documents per label")
	nTest := flag.Int("test", 40, "test documents per label")
	maxChars := flag.Int("maxchars", 2500, "cut texts at this many characters (at a word boundary); 0 keeps them whole")
	maxBytes := flag.Int("maxbytes", 1700000, "fail when the output is larger than this many bytes")
	flag.Parse()
	if err := run(*in, *out, *nTrain, *nTest, *maxChars, *maxBytes); err != nil {
		fmt.Fprintln(os.Stderr, "make-sample:", err)
		os.Exit(1)
	}
}

func run(in, out string, nTrain, nTest, maxChars, maxBytes int) error {
	if nTrain < 0 || nTest < 0 || nTrain+nTest == 0 {
		return errors.New("-train and -test must be non-negative and not both 0")
	}
	docs, err := read(in)
	if err != nil {
		return err
	}
	picked := sample(docs, map[string]int{"train": nTrain, "test": nTest})
	if len(picked) == 0 {
		return fmt.Errorf("%s: no train or test documents", in)
	}
	for i := range picked {
		picked[i].Text = cut(picked[i].Text, maxChars)
		picked[i].TextStripped = cut(dropHeaderBlocks(picked[i].TextStripped), maxChars)
	}
	var buf strings.Builder
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	for _, d := range picked {
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if maxBytes > 0 && buf.Len() > maxBytes {
		return fmt.Errorf("output would be %d bytes, more than -maxbytes %d: lower -train, -test or -maxchars", buf.Len(), maxBytes)
	}
	if err := os.WriteFile(out, []byte(buf.String()), 0o644); err != nil {
		return err
	}
	labels := map[string]bool{}
	for _, d := range picked {
		labels[d.Label] = true
	}
	fmt.Fprintf(os.Stderr, "make-sample: wrote %s: %d documents, %d labels, %d bytes\n", out, len(picked), len(labels), buf.Len())
	return nil
}

// read loads every document of a gzip'd JSON Lines file.
func read(path string) ([]doc, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var docs []doc
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var d doc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return docs, nil
}

// sample keeps, per label and split, the quota[split] documents with the
// smallest FNV-1a hash of their id (ties by id). The result is ordered by
// split (train first), label, then id.
func sample(docs []doc, quota map[string]int) []doc {
	type key struct{ split, label string }
	groups := map[key][]doc{}
	for _, d := range docs {
		if _, ok := quota[d.Split]; ok && d.Label != "" {
			k := key{d.Split, d.Label}
			groups[k] = append(groups[k], d)
		}
	}
	var picked []doc
	for k, g := range groups {
		sort.Slice(g, func(i, j int) bool {
			hi, hj := hash(g[i].ID), hash(g[j].ID)
			if hi != hj {
				return hi < hj
			}
			return g[i].ID < g[j].ID
		})
		if n := quota[k.split]; len(g) > n {
			g = g[:n]
		}
		picked = append(picked, g...)
	}
	sort.Slice(picked, func(i, j int) bool {
		a, b := picked[i], picked[j]
		if a.Split != b.Split {
			return a.Split > b.Split // "train" before "test"
		}
		if a.Label != b.Label {
			return a.Label < b.Label
		}
		return a.ID < b.ID
	})
	return picked
}

func hash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// dropHeaderBlocks removes leading paragraphs made only of mail header lines
// ("Name: value", or continuation lines starting with white space): the
// corpus's stripped text still begins with the headers of forwarded posts.
func dropHeaderBlocks(s string) string {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		para, rest, _ := strings.Cut(s, "\n\n")
		if para == "" || !isHeaderBlock(para) {
			return strings.TrimRightFunc(s, unicode.IsSpace)
		}
		s = rest
	}
}

// isHeaderBlock reports whether every line of para looks like a mail header.
func isHeaderBlock(para string) bool {
	for i, line := range strings.Split(para, "\n") {
		if i > 0 && line != "" && (line[0] == ' ' || line[0] == '\t') {
			continue
		}
		name, _, ok := strings.Cut(line, ": ")
		if !ok || name == "" || strings.ContainsFunc(name, func(r rune) bool {
			return !(r == '-' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))
		}) {
			return false
		}
	}
	return true
}

// cut returns s shortened to at most max characters, at the last white space
// before the limit when there is one. max <= 0 keeps s whole.
func cut(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	end, n := 0, 0
	for i := range s {
		if n == max {
			end = i
			break
		}
		n++
	}
	s = s[:end]
	if i := strings.LastIndexFunc(s, unicode.IsSpace); i > 0 {
		s = s[:i]
	}
	return strings.TrimRightFunc(s, unicode.IsSpace)
}
