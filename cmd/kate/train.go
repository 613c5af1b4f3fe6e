package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/kate"
)

func init() {
	commands["train"] = &command{
		summary: "train a model on a corpus and save it",
		usage:   "kate train --data FILE -o MODEL [--split train] [--text-field text] [training flags]",
		run:     runTrain,
	}
}

func runTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "train")
	df := addDataFlags(fs)
	tf := addTrainFlags(fs)
	var out string
	var quiet bool
	fs.StringVar(&out, "o", "", "output model `FILE`")
	fs.BoolVar(&quiet, "quiet", false, "no progress output")
	memFlag := defaultMaxMemory
	fs.StringVar(&memFlag, "max-memory", memFlag, "memory bound for the corpus and the model (e.g. 512MiB, 4GiB); a larger corpus is refused (docs/limits.md)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("train", pos); err != nil {
		return err
	}
	cfg, err := tf.config()
	if err != nil {
		return usagef("train", "%v", err)
	}
	if df.path == "" {
		return usagef("train", "missing --data FILE")
	}
	if out == "" {
		return usagef("train", "missing -o MODEL")
	}
	if err := checkOutputDir(out); err != nil {
		return err
	}
	if err := checkNotInput(out, df.path); err != nil {
		return err
	}
	maxMem, err := parseSize(memFlag)
	if err != nil {
		return usagef("train", "--max-memory %q: %v", memFlag, err)
	}
	modelMem := cfg.TrainMemory(0, 0)
	if maxMem <= modelMem {
		return usagef("train", "--max-memory %s is not enough for the model alone (--vocab %d x --dim %d needs %s)",
			fmtBytes(maxMem), cfg.VocabSize, cfg.Dim, fmtBytes(modelMem))
	}
	limitMemory(maxMem)
	start := time.Now()
	// Two passes over the data, keeping only the input vectors: the first
	// counts the terms, the second keeps each document's vector over the
	// chosen vocabulary (docs/limits.md).
	cb, err := kate.NewCorpusBuilder(cfg.Text, cfg.VocabSize, maxMem-modelMem)
	if err != nil {
		return usagef("train", "%s", trimKate(err))
	}
	corpusErr := func(err error) error {
		switch {
		case errors.Is(err, kate.ErrMemory):
			return fmt.Errorf("%s: %s (--max-memory %s, of which the model takes %s); train on fewer documents (--max-docs) or raise --max-memory",
				df.path, trimKate(err), fmtBytes(maxMem), fmtBytes(modelMem))
		case strings.HasPrefix(err.Error(), "kate: "):
			return fmt.Errorf("%s: %s", df.path, trimKate(err))
		}
		return err
	}
	n := 0
	if err := df.scan(ctx, "train", func(d dataset.Doc) error { n++; return cb.Count(d.Text) }); err != nil {
		return corpusErr(err)
	}
	if err := df.scan(ctx, "train", func(d dataset.Doc) error { return cb.Add(d.Text) }); err != nil {
		return corpusErr(err)
	}
	corpus, err := cb.Corpus()
	if err != nil {
		return corpusErr(err)
	}
	vocab := corpus.Vocab.Len()
	if !quiet {
		split := ""
		if df.split != "" {
			split = fmt.Sprintf(" (split %q)", df.split)
		}
		fmt.Fprintf(e.stderr, "read %d documents from %s%s, vocabulary %d terms, in %s\n",
			n, df.path, split, vocab, fmtDuration(time.Since(start)))
		fmt.Fprintf(e.stderr, "training K=%d k=%d alpha=%g grad=%s on %d documents (%d held out for validation)\n",
			cfg.Dim, cfg.Winners, cfg.Alpha, cfg.Grad, n-heldOut(n, cfg.ValidationDocs), heldOut(n, cfg.ValidationDocs))
	}
	var last kate.Progress
	progress := func(p kate.Progress) { last = p }
	if !quiet {
		pp := newProgressPrinter(e.stderr)
		progress = func(p kate.Progress) { last = p; pp(p) }
	}
	trainStart := time.Now()
	m, err := kate.TrainVectors(ctx, corpus.Vocab, corpus.Vectors, cfg, kate.TrainOptions{Progress: progress})
	if err != nil {
		if ctx.Err() != nil {
			if !quiet && isTerminal(e.stderr) {
				fmt.Fprintln(e.stderr)
			}
			return fmt.Errorf("interrupted; no model written: %w", ctx.Err())
		}
		return fmt.Errorf("training failed: %s", trimKate(err))
	}
	trainTime := time.Since(trainStart)
	var size int64
	err = writeFileAtomic(out, func(w io.Writer) error {
		cw := &countWriter{w: w}
		if err := m.Save(cw); err != nil {
			return &failure{fmt.Errorf("cannot write %s: %v", out, err)}
		}
		size = cw.n
		return nil
	})
	if err != nil {
		return err
	}
	info := m.Info()
	rate := last.DocsPerSecond
	fmt.Fprintf(e.stdout, "wrote %s (%s)\n", out, fmtBytes(size))
	fmt.Fprintf(e.stdout, "documents   %d (%d held out for validation)\n", info.Docs, heldOut(info.Docs, cfg.ValidationDocs))
	fmt.Fprintf(e.stdout, "vocabulary  %d terms\n", vocab)
	fmt.Fprintf(e.stdout, "model       K=%d k=%d alpha=%g grad=%s stem=%t stopwords=%t seed=%d\n",
		cfg.Dim, cfg.Winners, cfg.Alpha, cfg.Grad, cfg.Text.Stem, cfg.Text.Stopwords, cfg.Seed)
	fmt.Fprintf(e.stdout, "epochs      %d run of %d, best %d\n", info.Epochs, cfg.Epochs, info.BestEpoch)
	fmt.Fprintf(e.stdout, "val loss    %.6f\n", info.ValLoss)
	fmt.Fprintf(e.stdout, "time        %s training, %s total, %s docs/s\n", fmtDuration(trainTime), fmtDuration(time.Since(start)), fmtRate(rate))
	return nil
}

// heldOut mirrors kate's rule for the validation split: at most a fifth of
// the documents, none with fewer than 10.
func heldOut(n, val int) int {
	if n < 10 {
		return 0
	}
	return min(val, n/5)
}

func trimKate(err error) string {
	s := err.Error()
	if len(s) > 6 && s[:6] == "kate: " {
		return s[6:]
	}
	return s
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
