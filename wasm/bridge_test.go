//go:build js && wasm

package main

import (
	"encoding/binary"
	"math"
	"strings"
	"syscall/js"
	"testing"

	"github.com/kate-web/kate/kate"
)

func pack(texts ...string) js.Value {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(texts)))
	for _, t := range texts {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t)))
	}
	for _, t := range texts {
		b = append(b, t...)
	}
	return bytesToJS(b)
}

func TestTextsRoundTrip(t *testing.T) {
	in := []string{"one", "", "zwei drei", "ünïcödé 🙂"}
	got, err := textsFromJS(pack(in...))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != strings.Join(in, "|") || len(got) != len(in) {
		t.Fatalf("got %q, want %q", got, in)
	}
}

func TestTextsMalformed(t *testing.T) {
	le := binary.LittleEndian
	for name, b := range map[string][]byte{
		"short":          {1, 0},
		"count too big":  le.AppendUint32(nil, 1000),
		"length too big": le.AppendUint32(le.AppendUint32(nil, 1), 50),
		"trailing bytes": append(le.AppendUint32(le.AppendUint32(nil, 1), 1), 'a', 'b'),
		"huge count":     le.AppendUint32(nil, math.MaxUint32),
	} {
		if _, err := textsFromJS(bytesToJS(b)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := textsFromJS(js.ValueOf("not bytes")); err == nil {
		t.Error("a string was accepted as packed texts")
	}
}

func TestFloatRoundTrip(t *testing.T) {
	in := []float32{0, -1.5, 3.25e-7, float32(math.Pi)}
	got, err := float32sFromJS(float32sToJS(in))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if math.Float32bits(got[i]) != math.Float32bits(in[i]) {
			t.Fatalf("element %d: got %v, want %v", i, got[i], in[i])
		}
	}
	bad := float32sToJS([]float32{1, float32(math.NaN())})
	if _, err := float32sFromJS(bad); err == nil {
		t.Error("NaN accepted in embeddings")
	}
}

func TestTrainConfig(t *testing.T) {
	obj := func(kv ...any) js.Value { return newObject(kv...) }
	cfg, err := trainConfig(obj("dim", 16, "k", 4, "alpha", 2.5, "gradient", "none", "seed", "18446744073709551615",
		"stem", false, "stopwords", false, "vocabSize", 300, "epochs", 7, "batchSize", 20, "validationDocs", 0, "sampling", 2.5))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dim != 16 || cfg.Winners != 4 || cfg.Alpha != 2.5 || cfg.Grad != kate.GradNone || cfg.Seed != math.MaxUint64 ||
		cfg.Text.Stem || cfg.Text.Stopwords || cfg.VocabSize != 300 || cfg.Epochs != 7 || cfg.BatchSize != 20 || cfg.ValidationDocs != 0 || cfg.Sampling != 2.5 {
		t.Fatalf("options not applied: %+v", cfg)
	}
	def, err := trainConfig(obj())
	if err != nil {
		t.Fatal(err)
	}
	if want := kate.DefaultConfig(); def.Dim != want.Dim || def.Winners != want.Winners || def.Seed != want.Seed || def.Epochs != want.Epochs {
		t.Fatalf("defaults: got %+v", def)
	}
	for name, o := range map[string]js.Value{
		"k > dim":       obj("dim", 8, "k", 9),
		"fractional":    obj("dim", 8.5),
		"string dim":    obj("dim", "8"),
		"bad gradient":  obj("gradient", "half"),
		"bad seed":      obj("seed", "-1"),
		"bool as stem":  obj("stem", 1),
		"zero epochs":   obj("epochs", 0),
		"sampling text": obj("sampling", "2"),
		"sampling < 0":  obj("sampling", -1),
		"not an object": js.ValueOf(3),
	} {
		if _, err := trainConfig(o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestBridgeCalls drives the bridge object as the JavaScript library does:
// train with progress, encode, save, load, explain, topics, dispose, and
// errors as rejected promises.
func TestBridgeCalls(t *testing.T) {
	b := newBridge()
	o := b.object()
	await := awaitJS
	var texts []string
	words := strings.Fields("apple banana cherry grape lemon mango melon peach pear plum engine wheel brake motor piston clutch gear valve fuel tyre")
	for d := 0; d < 60; d++ {
		var s []string
		for w := 0; w < 6+d%7; w++ {
			s = append(s, words[(d*5+w*w)%10+10*(d%2)])
		}
		texts = append(texts, strings.Join(s, " "))
	}
	events := 0
	progress := js.FuncOf(func(this js.Value, args []js.Value) any {
		if args[0].Get("epoch").Int() < 1 {
			t.Error("progress event without an epoch")
		}
		events++
		return nil
	})
	defer progress.Release()
	opts := newObject("dim", 8, "k", 2, "vocabSize", 20, "epochs", 2, "batchSize", 10, "validationDocs", 10, "seed", "3")
	info, err := await(o.Call("train", "t1", pack(texts...), opts, progress))
	if err != nil {
		t.Fatal(err)
	}
	if events < 2 || info.Get("dim").Int() != 8 || info.Get("k").Int() != 2 || info.Get("seed").String() != "3" {
		t.Fatalf("train: %d events, info dim %v k %v", events, info.Get("dim"), info.Get("k"))
	}
	h := info.Get("handle").Int()
	emb, err := await(o.Call("encode", h, pack(texts[:3]...)))
	if err != nil {
		t.Fatal(err)
	}
	if emb.Get("length").Int() != 3*8 {
		t.Fatalf("encode: %d values", emb.Get("length").Int())
	}
	saved, err := await(o.Call("save", h))
	if err != nil {
		t.Fatal(err)
	}
	info2, err := await(o.Call("load", saved))
	if err != nil {
		t.Fatal(err)
	}
	emb2, err := await(o.Call("encode", info2.Get("handle"), pack(texts[:3]...)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 24; i++ {
		if emb.Index(i).Float() != emb2.Index(i).Float() {
			t.Fatalf("the loaded model encodes differently at %d", i)
		}
	}
	ex, err := await(o.Call("explain", h, pack(texts[0]), "full"))
	if err != nil {
		t.Fatal(err)
	}
	if ex.Get("z").Get("length").Int() != 8 || ex.Get("posWinners").Get("length").Int()+ex.Get("negWinners").Get("length").Int() > 2 {
		t.Fatal("explain: wrong shapes")
	}
	// topics and topicDocuments give what the Go model gives.
	raw := make([]byte, saved.Get("length").Int())
	js.CopyBytesToGo(raw, saved)
	gm, err := kate.UnmarshalModel(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, by := range []kate.TopicRanking{kate.RankDocuments, kate.RankWeight} {
		tp, err := await(o.Call("topics", h, 3, by.String()))
		if err != nil || tp.Get("length").Int() != 8 {
			t.Fatalf("topics: %v", err)
		}
		want, _ := gm.TopicsBy(3, by)
		for j, w := range want {
			got := tp.Index(j)
			gw := got.Get("words")
			if gw.Get("length").Int() != 3 || got.Get("label").String() != w.Label || got.Get("duplicateOf").Int() != w.DuplicateOf ||
				got.Get("docs").Int() != w.Docs || got.Get("empty").Bool() != w.Empty {
				t.Fatalf("topics by %s unit %d: label %q docs %d, want %+v", by, j, got.Get("label").String(), got.Get("docs").Int(), w)
			}
			for q, word := range w.Words {
				if gw.Index(q).String() != word {
					t.Fatalf("topics by %s unit %d word %d: %q, want %q", by, j, q, gw.Index(q).String(), word)
				}
			}
		}
	}
	if _, err := await(o.Call("topics", h, 3, "size")); err == nil {
		t.Error("topics by an unknown ranking accepted")
	}
	td, err := await(o.Call("topicDocuments", h, pack(texts...), 2))
	if err != nil {
		t.Fatal(err)
	}
	xs := make([]kate.SparseVector, len(texts))
	for i, text := range texts {
		xs[i] = gm.Vectorize(text)
	}
	best, _ := gm.TopicDocuments(xs, 2)
	for j, docs := range best {
		got := td.Index(j)
		if got.Get("length").Int() != len(docs) {
			t.Fatalf("topicDocuments unit %d: %d documents, want %d", j, got.Get("length").Int(), len(docs))
		}
		for q, d := range docs {
			if got.Index(q).Int() != d {
				t.Fatalf("topicDocuments unit %d: document %d, want %d", j, got.Index(q).Int(), d)
			}
		}
	}
	// Errors reject.
	corrupt := jsUint8Array.New(saved.Get("length"))
	corrupt.Call("set", saved)
	corrupt.SetIndex(100, corrupt.Index(100).Int()^0xff)
	if _, err := await(o.Call("load", corrupt)); err == nil || !strings.Contains(err.Error(), "invalid model file") {
		t.Errorf("corrupted model: %v", err)
	}
	if _, err := await(o.Call("explain", h, pack("zzz qqq"), "full")); err == nil {
		t.Error("explain of a text without vocabulary terms: no error")
	}
	if !o.Call("dispose", h).Bool() || o.Call("dispose", h).Bool() {
		t.Error("dispose should succeed once")
	}
	if _, err := await(o.Call("encode", h, pack("x"))); err == nil || !strings.Contains(err.Error(), "disposed") {
		t.Errorf("encode after dispose: %v", err)
	}
	if _, err := await(o.Call("train", "t2", pack(texts...), newObject("dim", 4, "k", 5), js.Null())); err == nil {
		t.Error("k > dim: no error")
	}
}

// TestTrainNeed: one training of the largest model (V x K = 2^25) on a
// few thousand texts is admitted, three at once are not (issue 13, item 3:
// five concurrent ones ran the engine out of memory), and a model whose
// estimate exceeds the whole budget is refused outright.
func TestTrainNeed(t *testing.T) {
	cfg := kate.DefaultConfig()
	cfg.Dim, cfg.VocabSize = 512, 65536
	one := trainNeed(cfg, 4000, 8<<20)
	if one > trainMemory {
		t.Errorf("need %d MiB of a %d MiB budget", one>>20, trainMemory>>20)
	}
	if 3*one <= trainMemory {
		t.Errorf("three largest trainings (%d MiB each) fit in %d MiB", one>>20, trainMemory>>20)
	}
	if huge := trainNeed(cfg, 1000000, 2<<30); huge <= trainMemory {
		t.Errorf("2 GiB of text: need %d MiB", huge>>20)
	}
}

// awaitJS waits for the promise p: its value, or its rejection as an error.
func awaitJS(p js.Value) (js.Value, error) {
	done := make(chan struct{})
	var res js.Value
	var err error
	then := js.FuncOf(func(this js.Value, args []js.Value) any {
		res = args[0]
		close(done)
		return nil
	})
	catch := js.FuncOf(func(this js.Value, args []js.Value) any {
		err = js.Error{Value: args[0]}
		close(done)
		return nil
	})
	defer then.Release()
	defer catch.Release()
	p.Call("then", then, catch)
	<-done
	return res, err
}

// TestUseEncodeKernelsRefusesAWrongKernel gives useEncodeKernels a module
// whose sparseDot adds nothing: the check must reject it with the
// difference, and the pure-Go kernels must stay. Without exports it
// rejects with a clear message. (wasm/simd's tests check the real module.)
func TestUseEncodeKernelsRefusesAWrongKernel(t *testing.T) {
	b := newBridge()
	o := b.object()
	if _, err := awaitJS(o.Call("useEncodeKernels")); err == nil || !strings.Contains(err.Error(), "needs the SIMD modules' exports") {
		t.Fatalf("without exports: got %v", err)
	}
	noop := js.FuncOf(func(this js.Value, args []js.Value) any { return nil })
	defer noop.Release()
	exports := newObject("sparseDot", noop)
	_, err := awaitJS(o.Call("useEncodeKernels", exports))
	if err == nil || !strings.Contains(err.Error(), "SparseDot (encoding) differs") {
		t.Fatalf("a wrong sparseDot: got %v, want the difference", err)
	}
	if got := o.Call("kernelSet").String(); got != "go" {
		t.Fatalf("after a failed check the kernel set is %q, want go", got)
	}
}
