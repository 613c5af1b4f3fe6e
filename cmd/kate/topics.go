package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/kate-web/kate/kate"
)

func init() {
	commands["topics"] = &command{
		summary: "print each hidden unit's best words (and the documents that represent it)",
		usage:   "kate topics --model MODEL [-n 10] [--by documents|weight|learned] [--weights] [--docs --data FILE [--docs-n 3]]",
		run:     runTopics,
	}
}

func runTopics(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "topics")
	var modelPath, by string
	var n, docsN int
	var weights, docs bool
	fs.StringVar(&modelPath, "model", "", "model `FILE` written by kate train")
	fs.IntVar(&n, "n", 10, "words per hidden unit")
	fs.StringVar(&by, "by", "documents", "how words are ranked: documents (over-represented in the training documents the unit represents best), weight (raw weight), learned (weight change in training)")
	fs.BoolVar(&weights, "weights", false, "print each word's score as word:score")
	fs.BoolVar(&docs, "docs", false, "also print the documents of --data that represent each unit best")
	fs.IntVar(&docsN, "docs-n", 3, "documents per unit with --docs")
	df := &dataFlags{}
	fs.StringVar(&df.path, "data", "", "corpus `FILE` for --docs (JSON Lines, text lines or a directory)")
	fs.StringVar(&df.textField, "text-field", "text", "JSON field holding the text")
	fs.IntVar(&df.maxDocs, "max-docs", 0, "read at most this many documents (0: all)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("topics", pos); err != nil {
		return err
	}
	if n < 1 {
		return usagef("topics", "-n %d must be at least 1", n)
	}
	rank, err := kate.ParseTopicRanking(by)
	if err != nil {
		return usagef("topics", "--by %q must be documents, weight or learned", by)
	}
	if docs && df.path == "" {
		return usagef("topics", "--docs needs --data FILE")
	}
	if !docs && df.path != "" {
		return usagef("topics", "--data is only used with --docs")
	}
	if docsN < 1 {
		return usagef("topics", "--docs-n %d must be at least 1", docsN)
	}
	m, err := loadModel("topics", modelPath)
	if err != nil {
		return err
	}
	topics, err := m.TopicsBy(n, rank)
	if err != nil {
		return fmt.Errorf("topics: %s", trimKate(err))
	}
	var best [][]int
	var ids, texts []string
	if docs {
		corpus, err := df.load("topics")
		if err != nil {
			return pathError(err)
		}
		xs := make([]kate.SparseVector, len(corpus))
		vz := m.NewVectorizer()
		for i, d := range corpus {
			xs[i] = vz.Vector(d.Text)
			ids = append(ids, d.ID)
			texts = append(texts, d.Text)
		}
		if best, err = m.TopicDocuments(xs, docsN); err != nil {
			return fmt.Errorf("topics: %s", trimKate(err))
		}
	}
	w := bufio.NewWriter(e.stdout)
	width := len(fmt.Sprint(len(topics) - 1))
	for _, t := range topics {
		words := t.Words
		if weights {
			words = make([]string, len(t.Words))
			for i, word := range t.Words {
				words[i] = fmt.Sprintf("%s:%.3g", word, t.Weights[i])
			}
		}
		mark := ""
		switch {
		case t.Empty:
			mark = "  # empty"
		case t.DuplicateOf >= 0:
			mark = fmt.Sprintf("  # near-duplicate of %d", t.DuplicateOf)
		}
		fmt.Fprintf(w, "%*d  %s%s\n", width, t.Unit, strings.Join(words, " "), mark)
		if docs {
			for _, d := range best[t.Unit] {
				fmt.Fprintf(w, "%*s    %s: %s\n", width, "", ids[d], snippet(texts[d], 100))
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &failure{fmt.Errorf("writing to stdout: %v", err)}
	}
	return nil
}
