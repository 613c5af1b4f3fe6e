package kate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

func trainedSmall(t testing.TB) *Model {
	texts, _ := synthCorpus(150, 3, 9)
	cfg := smallConfig()
	cfg.Epochs = 2
	cfg.Text = DefaultTextOptions()
	m, err := Train(context.Background(), texts, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModelFileRoundTrip(t *testing.T) {
	m := trainedSmall(t)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	m2, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if m2.Params() != m.Params() || m2.Info() != m.Info() || !slices.Equal(m2.Vocabulary().Words(), m.Vocabulary().Words()) {
		t.Fatalf("header differs: %+v %+v", m2.Params(), m2.Info())
	}
	w1, b1, c1 := m.Weights()
	w2, b2, c2 := m2.Weights()
	if !slices.Equal(w1, w2) || !slices.Equal(b1, b2) || !slices.Equal(c1, c2) {
		t.Fatal("weights differ after round trip")
	}
	again, _ := m2.MarshalBinary()
	if !bytes.Equal(again, data) {
		t.Fatal("re-saved bytes differ")
	}
	text := "topicaworda topicawordb commonc"
	e1, e2 := make([]float32, m.Dim()), make([]float32, m.Dim())
	m.EncodeTo(e1, text)
	m2.EncodeTo(e2, text)
	if !slices.Equal(e1, e2) {
		t.Fatal("embeddings differ after round trip")
	}
}

func TestModelFileErrors(t *testing.T) {
	m := trainedSmall(t)
	data, _ := m.MarshalBinary()
	le := binary.LittleEndian
	reseal := func(b []byte) []byte {
		le.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
		return b
	}
	mut := func(f func(b []byte) []byte) []byte { return f(slices.Clone(data)) }
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "bad magic"},
		"not model": {[]byte("hello world, this is not a model file at all......................."), "bad magic"},
		"header":    {data[:40], "truncated header"},
		"truncated": {data[:len(data)-100], "truncated"},
		"trailing":  {append(slices.Clone(data), 0), "trailing"},
		"corrupted": {mut(func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }), "checksum"},
		"version":   {mut(func(b []byte) []byte { le.PutUint32(b[8:], 99); return reseal(b) }), "format version 99"},
		"huge V":    {mut(func(b []byte) []byte { le.PutUint32(b[12:], 1<<30); return reseal(b) }), "implausible"},
		"huge K":    {mut(func(b []byte) []byte { le.PutUint32(b[16:], 1<<20); return reseal(b) }), "implausible"},
		"k > K":     {mut(func(b []byte) []byte { le.PutUint32(b[20:], 1000); return reseal(b) }), "winners"},
		"grad":      {mut(func(b []byte) []byte { b[28] = 9; return reseal(b) }), "gradient mode"},
		"NaN weight": {mut(func(b []byte) []byte {
			le.PutUint32(b[len(b)-8:], math.Float32bits(float32(math.NaN())))
			return reseal(b)
		}), "non-finite"},
		"vocab len": {mut(func(b []byte) []byte { b[headerBytes] = 0; return reseal(b) }), "vocabulary"},
	}
	for name, c := range cases {
		_, err := UnmarshalModel(c.data)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want ErrFormat containing %q", name, err, c.want)
		}
	}
	// Every truncation is an error, never a panic.
	for n := 0; n < len(data); n += 1 + n/7 {
		if _, err := UnmarshalModel(data[:n]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", n)
		}
	}
}

func FuzzUnmarshalModel(f *testing.F) {
	m := trainedSmall(f)
	data, _ := m.MarshalBinary()
	f.Add(data)
	f.Add(data[:100])
	f.Add([]byte("KATEMODL"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModel(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		out, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatal("a decoded model does not re-encode to the same bytes")
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Load reads the header first: a stream announcing an absurd size is
// rejected before anything large is read or allocated; truncated and
// over-long streams are errors.
func TestLoadStream(t *testing.T) {
	m := trainedSmall(t)
	data, _ := m.MarshalBinary()
	if _, err := Load(bytes.NewReader(data[:len(data)-10])); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated stream: %v", err)
	}
	if _, err := Load(io.MultiReader(bytes.NewReader(data), zeros{})); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("over-long stream: %v", err)
	}
	head := slices.Clone(data[:headerBytes])
	binary.LittleEndian.PutUint32(head[12:], 1<<20)
	binary.LittleEndian.PutUint32(head[16:], 32)
	binary.LittleEndian.PutUint32(head[headerBytes-4:], 0xffffffff)
	if _, err := Load(io.MultiReader(bytes.NewReader(head), zeros{})); err == nil || !strings.Contains(err.Error(), "announces") {
		t.Errorf("absurd announced size: %v", err)
	}
	if _, err := Load(bytes.NewReader(data)); err != nil {
		t.Errorf("valid stream: %v", err)
	}
}
