package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
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
	docs, err := df.load("similar")
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rows := m.Encode(texts(docs))
	q := make([]float32, m.Dim())
	if err := m.EncodeTo(q, query); err != nil {
		return fmt.Errorf("encoding the query: %s", trimKate(err))
	}
	best, err := m.Nearest(q, rows, min(n, len(docs)))
	if err != nil {
		return fmt.Errorf("ranking: %s", trimKate(err))
	}
	w := bufio.NewWriter(e.stdout)
	for i, nb := range best {
		d := docs[nb.Index]
		label := ""
		if d.Label != "" {
			label = " [" + d.Label + "]"
		}
		fmt.Fprintf(w, "%d\t%.4f\t%s%s\t%s\n", i+1, nb.Score, d.ID, label, snippet(d.Text, 100))
	}
	if err := w.Flush(); err != nil {
		return &failure{fmt.Errorf("writing to stdout: %v", err)}
	}
	return nil
}

// snippet returns text on one line (white space collapsed, control
// characters dropped), cut to at most max runes with "...".
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
		case r < 0x20 || r == 0x7f:
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
