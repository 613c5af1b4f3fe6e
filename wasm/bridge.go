//go:build js && wasm

package main

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall/js"
	"time"

	"github.com/kate-web/kate/internal/admit"
	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
	"github.com/kate-web/kate/wasm/simd"
)

// Memory of the engine (docs/limits.md). WebAssembly gives the Go heap at
// most 4 GiB; trainings are admitted while their estimated needs
// (trainNeed) add up to at most trainMemory, and wait in arrival order
// otherwise; the runtime's soft limit makes the collector keep the heap
// near the live data well before 4 GiB.
const (
	trainMemory   = 2560 << 20
	runtimeMemory = 3584 << 20
)

// trainNeed estimates the memory of training cfg on texts of textBytes
// bytes in all: the model and per-document state (Config.TrainMemory, at
// most one vector entry per 4 bytes of text) plus the corpus being built
// (a term id per token).
func trainNeed(cfg kate.Config, docs int, textBytes int64) int64 {
	return cfg.TrainMemory(docs, textBytes/4) + textBytes
}

// yieldEvery is how much work runs between two turns of the JavaScript
// event loop.
const yieldEvery = 50 * time.Millisecond

// progressEvery is the time between progress reports inside an epoch.
const progressEvery = 250 * time.Millisecond

// maxTopicWords bounds topics(n); Topics caps n at V anyway.
const maxTopicWords = 1000

// entry is one model in the handle table, with a vectorizer that keeps its
// token cache for the model's lifetime (the Model's own pool loses it at
// every garbage collection). mu serializes the vectorizer's users.
type entry struct {
	m   *kate.Model
	mu  sync.Mutex
	vec *kate.Vectorizer
}

type bridge struct {
	mu      sync.Mutex
	models  map[int]*entry
	next    int
	cancels map[string]context.CancelFunc
	kernels string
	// yieldFn(callback) schedules callback as a new JavaScript task.
	yieldFn js.Value
	wake    chan struct{}
	wakeFn  js.Func
	// ledger admits trainings by their memory need.
	ledger *admit.Ledger
}

func newBridge() *bridge {
	b := &bridge{models: map[int]*entry{}, next: 1, cancels: map[string]context.CancelFunc{}, kernels: "go",
		wake: make(chan struct{}, 1), ledger: admit.New(trainMemory)}
	debug.SetMemoryLimit(runtimeMemory)
	b.wakeFn = js.FuncOf(func(this js.Value, args []js.Value) any {
		select {
		case b.wake <- struct{}{}:
		default:
		}
		return nil
	})
	return b
}

// yield lets the JavaScript event loop run: through the page's yield
// function (a new task, no timer clamping) or else a 1 ms sleep.
func (b *bridge) yield() {
	if b.yieldFn.Type() == js.TypeFunction {
		b.yieldFn.Invoke(b.wakeFn)
		<-b.wake
		return
	}
	time.Sleep(time.Millisecond)
}

// yielder calls yield when yieldEvery has passed since the last turn.
type yielder struct {
	b    *bridge
	last time.Time
}

func (y *yielder) maybe() {
	if time.Since(y.last) >= yieldEvery {
		y.b.yield()
		y.last = time.Now()
	}
}

func (b *bridge) setYield(args []js.Value) any {
	if len(args) > 0 && args[0].Type() == js.TypeFunction {
		b.yieldFn = args[0]
		return true
	}
	return false
}

func (b *bridge) useKernels(args []js.Value) any {
	return async(func() (any, error) {
		if len(args) == 0 || args[0].IsNull() || args[0].IsUndefined() {
			kernels.Use(kernels.Go())
			b.kernels = "go"
			return b.kernels, nil
		}
		k := simd.Kernels(args[0])
		// Two rounds of the bit-for-bit check at start-up: its random
		// inputs cost ~40 ms per round under wasm, on every page load
		// (twelve rounds were most of initialize()). The tests run the full
		// check through selfTest.
		if err := simd.Check(kernels.Go(), k, 1, 2); err != nil {
			kernels.Use(kernels.Go())
			b.kernels = "go"
			return nil, err
		}
		kernels.Use(k)
		b.kernels = "simd"
		return b.kernels, nil
	})
}

// useEncodeKernels installs the SIMD SparseDot and AxpyRows, the kernels
// encoding uses (kate's preactivateFrom), after simd.CheckEncode has held
// them to the pure-Go kernels bit for bit in this engine (a few milliseconds, where
// useKernels' check costs tens to hundreds), so that an engine that only
// encodes (an encode helper, a page that loads a model) need not pay for
// the whole set's check (docs/design.md §4.1). It returns "simd" when that
// kernel, or the whole SIMD set, is in use; on a difference the pure-Go
// kernels stay and the promise rejects with it. The other kernels stay as
// they are; useKernels later checks and installs them all.
func (b *bridge) useEncodeKernels(args []js.Value) any {
	return async(func() (any, error) {
		if b.kernels == "simd" {
			return "simd", nil
		}
		if len(args) == 0 || args[0].IsNull() || args[0].IsUndefined() {
			return nil, errors.New("kate: useEncodeKernels needs the SIMD modules' exports")
		}
		k := simd.Kernels(args[0])
		if err := simd.CheckEncode(kernels.Go(), k, 1, 1); err != nil {
			return nil, err
		}
		// Nothing yields between this test and Use: the whole set cannot
		// have been installed meanwhile.
		if b.kernels != "simd" {
			kernels.Use(kernels.Set{Name: "wasm-simd-encode", SparseDot: k.SparseDot, AxpyRows: k.AxpyRows, ScanTokens: k.ScanTokens})
		}
		// The token scanner's check, now rather than in the first text.
		kate.PrepareTokenScanner()
		return "simd", nil
	})
}

func (b *bridge) selfTest(args []js.Value) any {
	return async(func() (any, error) {
		rounds, err := argInt(args, 0, "rounds")
		if err != nil {
			return nil, err
		}
		if err := simd.Check(kernels.Go(), kernels.Active(), 99, rounds); err != nil {
			return err.Error(), nil
		}
		return "", nil
	})
}

// model returns the entry of a handle argument.
func (b *bridge) model(args []js.Value) (*entry, error) {
	h, err := argInt(args, 0, "model handle")
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	e := b.models[h]
	b.mu.Unlock()
	if e == nil {
		return nil, errors.New("kate: this model has been disposed")
	}
	return e, nil
}

// add puts m in the handle table and returns its description.
func (b *bridge) add(m *kate.Model) js.Value {
	b.mu.Lock()
	h := b.next
	b.next++
	b.models[h] = &entry{m: m, vec: m.NewVectorizer()}
	b.mu.Unlock()
	p, info := m.Params(), m.Info()
	return newObject(
		"handle", h, "dim", p.Dim, "k", p.Winners, "alpha", float64(p.Alpha), "gradient", p.Grad.String(),
		"stem", p.Text.Stem, "stopwords", p.Text.Stopwords, "vocabSize", m.Vocabulary().Len(),
		"seed", strconv.FormatUint(info.Seed, 10), "epochs", info.Epochs, "bestEpoch", info.BestEpoch,
		"valLoss", num(info.ValLoss), "docs", info.Docs,
	)
}

func (b *bridge) dispose(args []js.Value) any {
	h, err := argInt(args, 0, "model handle")
	if err != nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.models[h]
	delete(b.models, h)
	return ok
}

// trainConfig reads the options object prepared by the JavaScript library
// (every field present and of the right type).
func trainConfig(o js.Value) (kate.Config, error) {
	cfg := kate.DefaultConfig()
	if o.Type() != js.TypeObject {
		return cfg, errArg("options must be an object")
	}
	intField := func(name string, dst *int) error {
		v := o.Get(name)
		if v.IsUndefined() {
			return nil
		}
		if v.Type() != js.TypeNumber || v.Float() != math.Trunc(v.Float()) || math.Abs(v.Float()) > 1<<31 {
			return errors.New("kate: option " + name + " must be an integer")
		}
		*dst = v.Int()
		return nil
	}
	boolField := func(name string, dst *bool) error {
		v := o.Get(name)
		if v.IsUndefined() {
			return nil
		}
		if v.Type() != js.TypeBoolean {
			return errors.New("kate: option " + name + " must be true or false")
		}
		*dst = v.Bool()
		return nil
	}
	minInputs := int(cfg.MinInputs)
	for name, dst := range map[string]*int{
		"dim": &cfg.Dim, "k": &cfg.Winners, "vocabSize": &cfg.VocabSize, "epochs": &cfg.Epochs,
		"batchSize": &cfg.BatchSize, "validationDocs": &cfg.ValidationDocs, "minInputs": &minInputs,
	} {
		if err := intField(name, dst); err != nil {
			return cfg, err
		}
	}
	cfg.MinInputs = int64(minInputs)
	if err := boolField("stem", &cfg.Text.Stem); err != nil {
		return cfg, err
	}
	if err := boolField("stopwords", &cfg.Text.Stopwords); err != nil {
		return cfg, err
	}
	if v := o.Get("alpha"); !v.IsUndefined() {
		if v.Type() != js.TypeNumber {
			return cfg, errors.New("kate: option alpha must be a number")
		}
		cfg.Alpha = float32(v.Float())
	}
	if v := o.Get("sampling"); !v.IsUndefined() {
		if v.Type() != js.TypeNumber {
			return cfg, errors.New("kate: option sampling must be a number")
		}
		cfg.Sampling = v.Float()
	}
	if v := o.Get("gradient"); !v.IsUndefined() {
		if v.Type() != js.TypeString {
			return cfg, errors.New(`kate: option gradient must be "full" or "none"`)
		}
		g, err := kate.ParseGradMode(v.String())
		if err != nil {
			return cfg, err
		}
		cfg.Grad = g
	}
	if v := o.Get("seed"); !v.IsUndefined() {
		if v.Type() != js.TypeString {
			return cfg, errors.New("kate: option seed must be a decimal string here")
		}
		s, err := strconv.ParseUint(v.String(), 10, 64)
		if err != nil {
			return cfg, errors.New("kate: option seed must be an integer in [0, 2^64)")
		}
		cfg.Seed = s
	}
	return cfg, cfg.Validate()
}

func progressObject(p kate.Progress) js.Value {
	return newObject(
		"epoch", p.Epoch, "epochs", p.Epochs, "batch", p.Batch, "batches", p.Batches,
		"loss", num(p.Loss), "valLoss", num(p.ValLoss), "bestValLoss", num(p.BestValLoss),
		"bestEpoch", p.BestEpoch, "learningRate", p.LearningRate, "docsPerSecond", num(p.DocsPerSecond),
		"elapsedMs", float64(p.Elapsed)/float64(time.Millisecond), "epochDone", p.EpochDone, "stopping", p.Stopping,
		"replicas", p.Replicas,
	)
}

func (b *bridge) train(args []js.Value) any {
	return async(func() (any, error) {
		if len(args) < 4 || args[0].Type() != js.TypeString {
			return nil, errArg("train(token, texts, options, onProgress, replica?)")
		}
		token := args[0].String()
		cfg, err := trainConfig(args[2])
		if err != nil {
			return nil, err
		}
		var rep *kate.Replica
		if len(args) > 4 {
			if rep, err = replicaFromJS(args[4]); err != nil {
				return nil, err
			}
		}
		onProgress := args[3]
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		b.mu.Lock()
		b.cancels[token] = cancel
		b.mu.Unlock()
		defer func() {
			b.mu.Lock()
			delete(b.cancels, token)
			b.mu.Unlock()
		}()
		y := &yielder{b: b, last: time.Now()}
		// Let a cancellation sent right after the call arrive before the
		// corpus is built.
		b.yield()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		texts, err := textsFromJS(args[1])
		if err != nil {
			return nil, err
		}
		var textBytes int64
		for _, t := range texts {
			textBytes += int64(len(t))
		}
		need := trainNeed(cfg, len(texts), textBytes)
		if err := b.ledger.Acquire(ctx, need, nil); err != nil {
			if errors.Is(err, admit.ErrTooLarge) {
				return nil, &memoryError{"kate: not enough memory for this model: training it on these " + itoa(len(texts)) +
					" texts needs about " + itoa(int(need>>20)) + " MiB (vocabSize " + itoa(cfg.VocabSize) + " x dim " + itoa(cfg.Dim) +
					"), more than the " + itoa(trainMemory>>20) + " MiB the engine can give; lower vocabSize or dim, or train on fewer texts"}
			}
			return nil, errors.New("kate: training was cancelled")
		}
		defer b.ledger.Release(need)
		opt := kate.TrainOptions{ProgressInterval: progressEvery, Yield: y.maybe, Replica: rep}
		if onProgress.Type() == js.TypeFunction {
			opt.Progress = func(p kate.Progress) { onProgress.Invoke(progressObject(p)) }
		}
		m, err := kate.Train(ctx, texts, cfg, opt)
		if errors.Is(err, kate.ErrDismissed) {
			return "dismissed", nil // replica 0 trains on alone
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, errors.New("kate: training was cancelled")
			}
			return nil, err
		}
		if rep != nil && rep.Index > 0 {
			// Another replica's copy of the model: replica 0 returns it.
			return nil, nil
		}
		return b.add(m), nil
	})
}

// memoryError is a refusal for lack of memory; it wraps kate.ErrMemory.
type memoryError struct{ msg string }

func (e *memoryError) Error() string { return e.msg }
func (e *memoryError) Unwrap() error { return kate.ErrMemory }

func (b *bridge) cancel(args []js.Value) any {
	if len(args) == 0 || args[0].Type() != js.TypeString {
		return false
	}
	b.mu.Lock()
	c := b.cancels[args[0].String()]
	b.mu.Unlock()
	if c != nil {
		c()
	}
	return c != nil
}

func (b *bridge) load(args []js.Value) any {
	return async(func() (any, error) {
		if len(args) == 0 {
			return nil, errArg("load(bytes)")
		}
		if n := args[0].Get("byteLength"); n.Type() == js.TypeNumber && n.Float() > kate.MaxModelBytes {
			return nil, errors.New("kate: invalid model file: larger than " + itoa(kate.MaxModelBytes) + " bytes")
		}
		data, err := bytesFromJS(args[0])
		if err != nil {
			return nil, err
		}
		m, err := kate.UnmarshalModel(data)
		if err != nil {
			return nil, err
		}
		return b.add(m), nil
	})
}

// encodeTexts encodes texts with e's vectorizer into a new n x dim slice,
// yielding to JavaScript now and then.
func (b *bridge) encodeTexts(e *entry, texts []string) []float32 {
	dim := e.m.Dim()
	out := make([]float32, len(texts)*dim)
	y := &yielder{b: b, last: time.Now()}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, t := range texts {
		_ = e.vec.EncodeTo(out[i*dim:(i+1)*dim], t) // rows have length dim
		if i%64 == 63 {
			e.mu.Unlock()
			y.maybe()
			e.mu.Lock()
		}
	}
	return out
}

func (b *bridge) encode(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		if len(args) < 2 {
			return nil, errArg("encode(handle, texts)")
		}
		texts, err := textsFromJS(args[1])
		if err != nil {
			return nil, err
		}
		return float32sToJS(b.encodeTexts(e, texts)), nil
	})
}

func (b *bridge) topics(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		n, err := argInt(args, 1, "n")
		if err != nil {
			return nil, err
		}
		if n > maxTopicWords {
			n = maxTopicWords
		}
		by := kate.RankDocuments
		if len(args) > 2 && args[2].Type() == js.TypeString {
			if by, err = kate.ParseTopicRanking(args[2].String()); err != nil {
				return nil, err
			}
		}
		ts, err := e.m.TopicsBy(n, by)
		if err != nil {
			return nil, err
		}
		out := jsArray.New(len(ts))
		for i, t := range ts {
			words := jsArray.New(len(t.Words))
			for q, w := range t.Words {
				words.SetIndex(q, w)
			}
			out.SetIndex(i, newObject("unit", t.Unit, "label", t.Label, "words", words, "weights", float32sToJS(t.Weights),
				"docs", t.Docs, "empty", t.Empty, "duplicateOf", t.DuplicateOf))
		}
		return out, nil
	})
}

// topicDocuments(handle, packedTexts, n): for each hidden unit, the indices
// of the (at most) n texts that represent it best (Model.TopicDocuments).
func (b *bridge) topicDocuments(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		if len(args) < 3 {
			return nil, errArg("topicDocuments(handle, texts, n)")
		}
		texts, err := textsFromJS(args[1])
		if err != nil {
			return nil, err
		}
		n, err := argInt(args, 2, "n")
		if err != nil {
			return nil, err
		}
		xs := make([]kate.SparseVector, len(texts))
		y := &yielder{b: b, last: time.Now()}
		e.mu.Lock()
		for i, t := range texts {
			xs[i] = e.vec.Vector(t)
			if i%64 == 63 {
				e.mu.Unlock()
				y.maybe()
				e.mu.Lock()
			}
		}
		e.mu.Unlock()
		best, err := e.m.TopicDocuments(xs, n)
		if err != nil {
			return nil, err
		}
		out := jsArray.New(len(best))
		for j, docs := range best {
			a := jsArray.New(len(docs))
			for q, d := range docs {
				a.SetIndex(q, d)
			}
			out.SetIndex(j, a)
		}
		return out, nil
	})
}

// rowsArg returns args[i] as embeddings of dimension dim: packed texts are
// encoded, a Float32Array is taken as rows of dim.
func (b *bridge) rowsArg(e *entry, args []js.Value, i int, what string) ([]float32, error) {
	if i >= len(args) {
		return nil, errArg(what)
	}
	if args[i].InstanceOf(jsFloat32Array) {
		f, err := float32sFromJS(args[i])
		if err != nil {
			return nil, err
		}
		if len(f)%e.m.Dim() != 0 {
			return nil, errors.New("kate: " + what + " has " + itoa(len(f)) + " numbers, not a multiple of the model's dimension " + itoa(e.m.Dim()))
		}
		return f, nil
	}
	texts, err := textsFromJS(args[i])
	if err != nil {
		return nil, err
	}
	return b.encodeTexts(e, texts), nil
}

func (b *bridge) similar(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		q, err := b.rowsArg(e, args, 1, "query")
		if err != nil {
			return nil, err
		}
		if len(q) != e.m.Dim() {
			return nil, errors.New("kate: the query must be one text or one embedding of dimension " + itoa(e.m.Dim()))
		}
		rows, err := b.rowsArg(e, args, 2, "candidates")
		if err != nil {
			return nil, err
		}
		n, err := argInt(args, 3, "n")
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return newObject("indices", intsToJS(nil), "scores", float32sToJS(nil)), nil
		}
		nb, err := e.m.Nearest(q, rows, n)
		if err != nil {
			return nil, err
		}
		idx := make([]int, len(nb))
		sc := make([]float32, len(nb))
		for i, x := range nb {
			idx[i], sc[i] = x.Index, x.Score
		}
		return newObject("indices", intsToJS(idx), "scores", float32sToJS(sc)), nil
	})
}

func (b *bridge) save(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		data, err := e.m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		return bytesToJS(data), nil
	})
}

func (b *bridge) explain(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		if len(args) < 3 || args[2].Type() != js.TypeString {
			return nil, errArg("explain(handle, text, gradient)")
		}
		texts, err := textsFromJS(args[1])
		if err != nil {
			return nil, err
		}
		if len(texts) != 1 {
			return nil, errArg("explain takes one text")
		}
		mode, err := kate.ParseGradMode(args[2].String())
		if err != nil {
			return nil, err
		}
		ex, err := e.m.Explain(texts[0], mode)
		if err != nil {
			return nil, err
		}
		terms := jsArray.New(len(ex.Terms))
		for i, t := range ex.Terms {
			terms.SetIndex(i, t)
		}
		return newObject(
			"z", float32sToJS(ex.Z), "h", float32sToJS(ex.H),
			"posWinners", intsToJS(ex.PosWinners), "negWinners", intsToJS(ex.NegWinners),
			"posLosers", intsToJS(ex.PosLosers), "negLosers", intsToJS(ex.NegLosers),
			"posEnergy", float64(ex.PosEnergy), "negEnergy", float64(ex.NegEnergy), "alpha", float64(ex.Alpha),
			"gradH", float32sToJS(ex.GradH), "gradZ", float32sToJS(ex.GradZ), "gradient", ex.Mode.String(),
			"loss", num(ex.Loss), "terms", terms, "x", float32sToJS(ex.X),
		), nil
	})
}

func (b *bridge) vocabulary(args []js.Value) any {
	return async(func() (any, error) {
		e, err := b.model(args)
		if err != nil {
			return nil, err
		}
		v := e.m.Vocabulary()
		out := jsArray.New(v.Len())
		for i := 0; i < v.Len(); i++ {
			out.SetIndex(i, v.Word(i))
		}
		return out, nil
	})
}

func (b *bridge) pca(args []js.Value) any {
	return async(func() (any, error) {
		if len(args) < 3 {
			return nil, errArg("pca(data, dim, out)")
		}
		rows, err := float32sFromJS(args[0])
		if err != nil {
			return nil, err
		}
		dim, err := argInt(args, 1, "dim")
		if err != nil {
			return nil, err
		}
		out, err := argInt(args, 2, "out")
		if err != nil {
			return nil, err
		}
		res, err := kate.PCA(rows, dim, out)
		if err != nil {
			return nil, err
		}
		return float32sToJS(res), nil
	})
}
