package kate

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// buildStreaming builds texts' corpus with a CorpusBuilder in two passes.
func buildStreaming(t *testing.T, texts []string, opts TextOptions, size int, maxBytes int64) (*Corpus, error) {
	t.Helper()
	b, err := NewCorpusBuilder(opts, size, maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		if err := b.Count(s); err != nil {
			return nil, err
		}
	}
	for _, s := range texts {
		if err := b.Add(s); err != nil {
			return nil, err
		}
	}
	return b.Corpus()
}

// TestCorpusBuilderMatchesBuildCorpus: the streaming builder gives the
// corpus BuildCorpus gives, hence the same model bytes.
func TestCorpusBuilderMatchesBuildCorpus(t *testing.T) {
	texts, _ := synthCorpus(300, 4, 3)
	texts = append(texts, "", "123 !!", "Stemming stemmed stems the THE")
	for _, opts := range []TextOptions{{}, DefaultTextOptions()} {
		want, err := BuildCorpus(texts, opts, 50)
		if err != nil {
			t.Fatal(err)
		}
		got, err := buildStreaming(t, texts, opts, 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Vocab.Words(), want.Vocab.Words()) {
			t.Fatalf("%+v: vocabularies differ", opts)
		}
		if len(got.Vectors) != len(want.Vectors) {
			t.Fatalf("%d vectors, want %d", len(got.Vectors), len(want.Vectors))
		}
		for i := range got.Vectors {
			g, w := got.Vectors[i], want.Vectors[i]
			if !reflect.DeepEqual(append([]int32{}, g.Indices...), append([]int32{}, w.Indices...)) ||
				!reflect.DeepEqual(append([]float32{}, g.Values...), append([]float32{}, w.Values...)) {
				t.Fatalf("%+v: document %d: %v, want %v", opts, i, g, w)
			}
		}
		cfg := smallConfig()
		cfg.Text = opts
		m1, err := TrainVectors(context.Background(), got.Vocab, got.Vectors, cfg, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m2, err := TrainCorpus(context.Background(), want, cfg, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := m1.MarshalBinary()
		b2, _ := m2.MarshalBinary()
		if !bytes.Equal(b1, b2) {
			t.Errorf("%+v: streamed corpus trains a different model", opts)
		}
	}
}

// TestCorpusBuilderMemoryBound: many short documents are refused, with
// ErrMemory, once their per-document state passes the bound — during the
// first pass, before any vector is kept (issue 13, item 1).
func TestCorpusBuilderMemoryBound(t *testing.T) {
	const bound = 1 << 20
	b, err := NewCorpusBuilder(TextOptions{}, 100, bound)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ; n < 1000000; n++ {
		if err = b.Count("space shuttle"); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrMemory) || !strings.Contains(err.Error(), "not enough memory for this corpus") {
		t.Fatalf("after %d documents: %v", n, err)
	}
	if limit := bound / docBytes; n > limit+1024 || n < limit-1024 {
		t.Errorf("refused after %d documents, expected about %d", n, limit)
	}
	if b.Bytes() > bound+1024*docBytes {
		t.Errorf("holds %d bytes, bound %d", b.Bytes(), bound)
	}
	// The second pass is bounded too: long documents with many terms.
	var long strings.Builder
	for i := range 2000 {
		long.WriteString("w")
		long.WriteString(strings.Repeat("x", i%7))
		long.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + " ")
	}
	texts := make([]string, 3000)
	for i := range texts {
		texts[i] = long.String()
	}
	if _, err := buildStreaming(t, texts, TextOptions{}, 5000, 8<<20); !errors.Is(err, ErrMemory) {
		t.Errorf("second pass: %v", err)
	}
	if _, err := buildStreaming(t, texts, TextOptions{}, 5000, 0); err != nil {
		t.Errorf("unbounded: %v", err)
	}
}

func TestCorpusBuilderMisuse(t *testing.T) {
	if _, err := NewCorpusBuilder(TextOptions{}, 0, 0); err == nil {
		t.Error("vocabulary size 0 accepted")
	}
	b, _ := NewCorpusBuilder(TextOptions{}, 10, 0)
	if _, err := b.Corpus(); err == nil {
		t.Error("empty corpus accepted")
	}
	b.Count("alpha beta")
	if err := b.Add("alpha"); err != nil {
		t.Fatal(err)
	}
	if err := b.Count("late"); err == nil {
		t.Error("Count after Add accepted")
	}
	if err := b.Add("one too many"); err == nil {
		t.Error("more documents added than counted")
	}
	b2, _ := NewCorpusBuilder(TextOptions{}, 10, 0)
	b2.Count("a b")
	b2.Count("c d")
	b2.Add("a b")
	if _, err := b2.Corpus(); err == nil {
		t.Error("fewer documents added than counted")
	}
	b3, _ := NewCorpusBuilder(TextOptions{}, 10, 0)
	b3.Count("123 !!")
	if err := b3.Add("123 !!"); err == nil {
		t.Error("no terms accepted")
	}
}

func TestTrainMemory(t *testing.T) {
	small := Config{VocabSize: 2000, Params: Params{Dim: 128}}.TrainMemory(10000, 1e6)
	if small < 9*4*2000*128 || small > 9*4*2000*128+10000*docBytes+8e6+1<<20 {
		t.Errorf("TrainMemory = %d", small)
	}
	if (Config{VocabSize: 65536, Params: Params{Dim: 512}}).TrainMemory(0, 0) < 1<<30 {
		t.Error("the largest model should need at least 1 GiB")
	}
}

// TestLog1pCount requires the table's log1p to be math.Log1p's, bit for
// bit, on every count it holds and past it.
func TestLog1pCount(t *testing.T) {
	for c := int32(0); c < 1000; c++ {
		if got, want := log1pCount(c), math.Log1p(float64(c)); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("log1pCount(%d) = %v, want %v", c, got, want)
		}
	}
	for _, c := range []int32{1 << 20, math.MaxInt32} {
		if got, want := log1pCount(c), math.Log1p(float64(c)); got != want {
			t.Fatalf("log1pCount(%d) = %v, want %v", c, got, want)
		}
	}
}
