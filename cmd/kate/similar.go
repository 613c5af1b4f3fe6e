package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kate-web/kate/dataset"
)

func init() {
	commands["similar"] = &command{
		summary: "rank a corpus's documents by cosine similarity to a query (measured from the empty document)",
		usage:   `kate similar --model MODEL --data FILE [-n 5] "query text"`,
		run:     runSimilar,
	}
}

func runSimilar(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "similar")
	var modelPath string
	var n int
	fs.StringVar(&modelPath, "model", "", "model `FILE` written by kate train")
	df := addDataFlags(fs)
	fs.IntVar(&n, "n", 5, "number of documents to show")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(pos, " "))
	switch {
	case modelPath == "":
		return usagef("similar", "missing --model MODEL")
	case df.path == "":
		return usagef("similar", "missing --data FILE")
	case query == "":
		return usagef("similar", "missing the query text")
	case n < 1:
		return usagef("similar", "-n %d must be at least 1", n)
	}
	m, err := loadModel("similar", modelPath)
	if err != nil {
		return err
	}
	if m.Vectorize(query).Nnz() == 0 {
		return fmt.Errorf("the query has no term of the model's vocabulary")
	}
	q := make([]float32, m.Dim())
	if err := m.EncodeTo(q, query); err != nil {
		return fmt.Errorf("encoding the query: %s", trimKate(err))
	}
	// Stream the corpus in batches, keeping the n best documents so far:
	// memory does not grow with the corpus (docs/limits.md).
	type hit struct {
		score float32
		doc   dataset.Doc
	}
	var best []hit
	texts := make([]string, 0, encodeBatch)
	err = df.scanBatches(ctx, "similar", func(batch []dataset.Doc) error {
		texts = texts[:0]
		for _, d := range batch {
			texts = append(texts, d.Text)
		}
		nb, err := m.Nearest(q, m.Encode(texts), min(n, len(batch)))
		if err != nil {
			return fmt.Errorf("ranking: %s", trimKate(err))
		}
		for _, x := range nb {
			best = append(best, hit{x.Score, batch[x.Index]})
		}
		// Earlier documents first among equal scores, as a single ranking
		// of the whole corpus gives.
		slices.SortStableFunc(best, func(a, b hit) int { return cmp.Compare(b.score, a.score) })
		best = best[:min(n, len(best))]
		return nil
	})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(e.stdout)
	for i, h := range best {
		d := h.doc
		label := ""
		if d.Label != "" {
			label = " [" + snippet(d.Label, 100) + "]"
		}
		fmt.Fprintf(w, "%d\t%.4f\t%s%s\t%s\n", i+1, h.score, snippet(d.ID, 200), label, snippet(d.Text, 100))
	}
	if err := w.Flush(); err != nil {
		return &failure{fmt.Errorf("writing to stdout: %v", err)}
	}
	return nil
}

// snippet returns text on one line (white space collapsed, control
// characters — C0, DEL, C1 — and bidirectional overrides dropped, so that
// no escape sequence from a corpus reaches the terminal), cut to at most
// max runes with "...". kate similar shows IDs and labels through it too.
func snippet(text string, max int) string {
	if len(text) > 64*max {
		text = text[:64*max]
	}
	var b strings.Builder
	runes := 0
	space := false
	for _, r := range text {
		switch {
		case r == utf8.RuneError:
			continue
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
			space = b.Len() > 0
			continue
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			continue
		}
		if space {
			if runes+1 >= max {
				return b.String() + "..."
			}
			b.WriteByte(' ')
			runes++
			space = false
		}
		if runes >= max {
			return b.String() + "..."
		}
		b.WriteRune(r)
		runes++
	}
	return b.String()
}
