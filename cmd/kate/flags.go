package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/kate-web/kate/dataset"
	"github.com/kate-web/kate/kate"
)

// trainFlags are the training hyper-parameters shared by every command
// that trains a model (train, eval).
type trainFlags struct {
	dim, k, vocab, epochs, batch, val int
	alpha, sampling                   float64
	grad                              string
	seed                              uint64
	noStem, noStopwords, paper        bool
	minInputs                         int64
}

// addTrainFlags defines the training flags on fs, with the defaults of
// kate.DefaultConfig, and returns where their values land.
func addTrainFlags(fs *flag.FlagSet) *trainFlags {
	d := kate.DefaultConfig()
	f := &trainFlags{}
	fs.IntVar(&f.dim, "dim", d.Dim, "embedding size K (hidden units)")
	fs.IntVar(&f.k, "k", d.Winners, "number of winners of the k-competitive layer (at most --dim)")
	alpha, _ := strconv.ParseFloat(strconv.FormatFloat(float64(d.Alpha), 'g', -1, 32), 64) // 6.26, not 6.260000228881836
	fs.Float64Var(&f.alpha, "alpha", alpha, fmt.Sprintf("amplification of the losers' energy, in [0, %d]", kate.MaxAlpha))
	fs.IntVar(&f.vocab, "vocab", d.VocabSize, "vocabulary size V (most frequent terms)")
	fs.IntVar(&f.epochs, "epochs", d.Epochs, "maximum number of epochs (early stopping may end sooner)")
	fs.IntVar(&f.batch, "batch", d.BatchSize, "documents per gradient step")
	fs.StringVar(&f.grad, "grad", d.Grad.String(), "gradient through the competition: full or none")
	fs.Uint64Var(&f.seed, "seed", d.Seed, "random seed (initialisation, validation split, shuffling)")
	fs.Float64Var(&f.sampling, "sampling", 0, fmt.Sprintf("reconstruction sampling: zero outputs drawn per non-zero input, in [0, %d] (0: the exact loss over all V outputs)", kate.MaxSampling))
	fs.IntVar(&f.val, "val", d.ValidationDocs, "documents held out for validation (at most a fifth)")
	fs.BoolVar(&f.noStem, "no-stem", false, "do not stem tokens")
	fs.BoolVar(&f.noStopwords, "no-stopwords", false, "keep English stopwords")
	fs.Int64Var(&f.minInputs, "min-inputs", d.MinInputs, "non-zero inputs seen before early stopping may act (0: from the first epoch)")
	fs.BoolVar(&f.paper, "paper", false, "the paper's exact schedule: early stopping from the first epoch (--min-inputs 0)")
	return f
}

// config returns the training configuration the flags describe. It errors
// (with the flag's name) when a value is out of range or k > dim.
func (f *trainFlags) config() (kate.Config, error) {
	cfg := kate.DefaultConfig()
	switch {
	case f.dim < 1 || f.dim > kate.MaxDim:
		return cfg, fmt.Errorf("--dim %d must be in [1, %d]", f.dim, kate.MaxDim)
	case f.k < 1:
		return cfg, fmt.Errorf("--k %d must be at least 1", f.k)
	case f.k > f.dim:
		return cfg, fmt.Errorf("--k %d must not exceed --dim %d", f.k, f.dim)
	case f.vocab < 1 || f.vocab > kate.MaxVocabulary:
		return cfg, fmt.Errorf("--vocab %d must be in [1, %d]", f.vocab, kate.MaxVocabulary)
	case f.epochs < 1:
		return cfg, fmt.Errorf("--epochs %d must be at least 1", f.epochs)
	case f.batch < 1:
		return cfg, fmt.Errorf("--batch %d must be at least 1", f.batch)
	case f.val < 0:
		return cfg, fmt.Errorf("--val %d must be at least 0", f.val)
	case f.minInputs < 0:
		return cfg, fmt.Errorf("--min-inputs %d must be at least 0", f.minInputs)
	case !(f.alpha >= 0 && f.alpha <= kate.MaxAlpha):
		return cfg, fmt.Errorf("--alpha %v must be in [0, %d]", f.alpha, kate.MaxAlpha)
	case !(f.sampling >= 0 && f.sampling <= kate.MaxSampling):
		return cfg, fmt.Errorf("--sampling %v must be in [0, %d]", f.sampling, kate.MaxSampling)
	}
	g, err := kate.ParseGradMode(f.grad)
	if err != nil {
		return cfg, fmt.Errorf("--grad %q must be full or none", f.grad)
	}
	cfg.Dim, cfg.Winners, cfg.Alpha, cfg.Grad = f.dim, f.k, float32(f.alpha), g
	cfg.VocabSize, cfg.Epochs, cfg.BatchSize = f.vocab, f.epochs, f.batch
	cfg.Seed, cfg.ValidationDocs, cfg.Sampling, cfg.MinInputs = f.seed, f.val, f.sampling, f.minInputs
	if f.paper {
		cfg.MinInputs = 0
	}
	cfg.Text = kate.TextOptions{Stem: !f.noStem, Stopwords: !f.noStopwords}
	if err := cfg.Validate(); err != nil {
		return cfg, errors.New(strings.TrimPrefix(err.Error(), "kate: "))
	}
	return cfg, nil
}

// dataFlags select an input corpus.
type dataFlags struct {
	path, textField, labelField, split string
	// targetField is a numeric JSON field to read (eval --target).
	targetField string
	maxDocs     int
}

// addDataFlags defines --data, --text-field, --label-field, --split and
// --max-docs on fs.
func addDataFlags(fs *flag.FlagSet) *dataFlags {
	f := &dataFlags{}
	fs.StringVar(&f.path, "data", "", "input `FILE`: JSON Lines (.jsonl, optionally .gz), text with one document per line, or a directory of .txt files")
	fs.StringVar(&f.textField, "text-field", "text", "JSON field holding the text")
	fs.StringVar(&f.labelField, "label-field", "label", "JSON field holding the label")
	fs.StringVar(&f.split, "split", "", "keep only documents whose \"split\" field equals this (empty: all)")
	fs.IntVar(&f.maxDocs, "max-docs", 0, "read at most this many documents (0: all)")
	return f
}

// load reads the corpus. cmd names the command for the usage hint when
// --data is missing.
func (f *dataFlags) load(cmd string) ([]dataset.Doc, error) {
	if f.path == "" {
		return nil, usagef(cmd, "missing --data FILE")
	}
	if f.maxDocs < 0 {
		return nil, usagef(cmd, "--max-docs %d must be at least 0", f.maxDocs)
	}
	docs, err := dataset.Load(f.path, dataset.Options{
		TextField: f.textField, LabelField: f.labelField, TargetField: f.targetField, Split: f.split, MaxDocs: f.maxDocs,
	})
	if err != nil && strings.Contains(err.Error(), fmt.Sprintf("no %q field", f.textField)) {
		err = fmt.Errorf("%w; choose the field with --text-field", err)
	}
	return docs, err
}

// scan streams the corpus to fn (see dataset.Scan), without a bound on its
// total size: the callers keep bounded state. cmd names the command for the
// usage hints.
func (f *dataFlags) scan(ctx context.Context, cmd string, fn func(dataset.Doc) error) error {
	if f.path == "" {
		return usagef(cmd, "missing --data FILE")
	}
	if f.maxDocs < 0 {
		return usagef(cmd, "--max-docs %d must be at least 0", f.maxDocs)
	}
	err := dataset.Scan(ctx, f.path, dataset.Options{
		TextField: f.textField, LabelField: f.labelField, Split: f.split, MaxDocs: f.maxDocs, MaxBytes: -1,
	}, fn)
	if err != nil && strings.Contains(err.Error(), fmt.Sprintf("no %q field", f.textField)) {
		err = fmt.Errorf("%w; choose the field with --text-field", err)
	}
	return err
}

// scanBatches streams the corpus to fn in batches of encodeBatch documents
// (the last one shorter), checking ctx before each: memory stays bounded
// and Ctrl-C stops within a batch (docs/limits.md). The batch slice is
// reused after fn returns.
func (f *dataFlags) scanBatches(ctx context.Context, cmd string, fn func([]dataset.Doc) error) error {
	batch := make([]dataset.Doc, 0, encodeBatch)
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := fn(batch)
		batch = batch[:0]
		return err
	}
	err := f.scan(ctx, cmd, func(d dataset.Doc) error {
		batch = append(batch, d)
		if len(batch) == encodeBatch {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return err
}

// defaultMaxMemory is the default of kate train's --max-memory: the Go
// memory limit when GOMEMLIMIT sets one, 2 GiB otherwise.
var defaultMaxMemory = func() string {
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		return strconv.FormatInt(l, 10)
	}
	return "2GiB"
}()

// parseSize parses a byte count: an integer with an optional unit B, KiB,
// MiB, GiB or TiB (KB, MB... and K, M, G, T are read as powers of 1024 too).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRightFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToLower(strings.TrimSpace(t[len(num):]))
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 {
		return 0, errors.New("want a positive size such as 512MiB or 4GiB")
	}
	shift := 0
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "b"), "i") {
	case "":
	case "k":
		shift = 10
	case "m":
		shift = 20
	case "g":
		shift = 30
	case "t":
		shift = 40
	default:
		return 0, fmt.Errorf("unknown unit %q (use KiB, MiB, GiB or TiB)", unit)
	}
	if n > math.MaxInt64>>shift {
		return 0, errors.New("too large")
	}
	return n << shift, nil
}

// limitMemory sets the Go runtime's soft memory limit a quarter above max,
// so that the collector keeps the heap near the live data as it approaches
// the bound, unless GOMEMLIMIT already sets one.
func limitMemory(max int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(max + max/4)
}

// texts returns the documents' texts.
func texts(docs []dataset.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Text
	}
	return out
}

// loadModel reads a model file, with a clear error naming it.
func loadModel(cmd, path string) (*kate.Model, error) {
	if path == "" {
		return nil, usagef(cmd, "missing --model MODEL")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a model file", path)
	}
	m, err := kate.Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "kate: "))
	}
	return m, nil
}

// pathError shortens an *os.PathError to "path: reason".
func pathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, os.ErrNotExist):
			return fmt.Errorf("%s: no such file or directory", pe.Path)
		case errors.Is(pe.Err, os.ErrPermission):
			return fmt.Errorf("%s: permission denied", pe.Path)
		}
		return fmt.Errorf("%s: %v", pe.Path, pe.Err)
	}
	return err
}

// checkOutputDir errors early when path's directory does not exist, so
// that a long run does not fail at the end.
func checkOutputDir(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, pathError(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("cannot write %s: it is a directory", path)
	}
	return nil
}

// checkNotInput refuses an output path that is the input file (or a link
// to it), which writing would destroy.
func checkNotInput(out, in string) error {
	so, err1 := os.Stat(out)
	si, err2 := os.Stat(in)
	if err1 == nil && err2 == nil && os.SameFile(so, si) {
		return fmt.Errorf("cannot write %s: it is the input file %s", out, in)
	}
	return nil
}

// writeFileAtomic writes path through a temporary file in the same
// directory, flushed to disk (fsync) and renamed into place only when write
// succeeds, so that a failed or interrupted run, or a crash, leaves either
// the old file or the whole new one. Errors are failures (exit status 1)
// unless write's own error says otherwise.
//
// A replaced file keeps its permission bits; a new file gets 0666 less the
// umask. An existing path that is not a regular file (a device such as
// /dev/null or /dev/stdout, a named pipe) is written directly, never
// replaced. A symbolic link is followed, so that the file it points to is
// replaced; a link to nothing (dangling) is refused rather than replaced or
// followed to create a file elsewhere (docs/limits.md).
func writeFileAtomic(path string, write func(w io.Writer) error) error {
	if err := checkOutputDir(path); err != nil {
		return err
	}
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			dest, _ := os.Readlink(path)
			return fmt.Errorf("cannot write %s: it is a symbolic link to %s, which does not exist (remove the link or create its target)", path, dest)
		}
		path = target
	}
	perm := os.FileMode(0o666) // less the umask, applied by the system
	keep := false
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return writeDirect(path, write)
		}
		perm, keep = st.Mode().Perm(), true
	}
	tmp, err := createTemp(path, perm)
	if err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, pathError(err))}
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if keep {
		// The mode given at creation is masked by the umask; set it exactly.
		if err := tmp.Chmod(perm); err != nil {
			return &failure{fmt.Errorf("cannot write %s: %v", path, err)}
		}
	}
	if err := tmp.Sync(); err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, err)}
	}
	if err := tmp.Close(); err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, err)}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, pathError(err))}
	}
	ok = true
	// Make the rename itself durable (not supported everywhere: best effort).
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// createTemp creates a new hidden file next to path with permission perm
// (less the umask).
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	var err error
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		var f *os.File
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
	return nil, err
}

// writeDirect writes to an existing non-regular file such as a device.
func writeDirect(path string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, pathError(err))}
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return &failure{fmt.Errorf("cannot write %s: %v", path, err)}
	}
	return nil
}
