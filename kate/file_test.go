package kate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
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
			le.PutUint32(b[lastWeight(b):], math.Float32bits(float32(math.NaN())))
			return reseal(b)
		}), "non-finite"},
		"Inf weight": {mut(func(b []byte) []byte {
			first := headerBytes + int(le.Uint32(b[headerBytesV1-4:]))
			le.PutUint32(b[first:], math.Float32bits(float32(math.Inf(-1))))
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
	if v1, err := os.ReadFile("testdata/model-v1.kate"); err == nil {
		f.Add(v1)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalModel(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error does not wrap ErrFormat: %v", err)
			}
			return
		}
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if binary.LittleEndian.Uint32(b[8:]) == FormatVersion {
			if !bytes.Equal(out, b) {
				t.Fatal("a decoded model does not re-encode to the same bytes")
			}
			return
		}
		// An older version is re-encoded in the current one, which decodes
		// to the same model.
		m2, err := UnmarshalModel(out)
		if err != nil {
			t.Fatal(err)
		}
		sameModel(t, m, m2)
	})
}

// lastWeight returns the offset of the last float of c in a version 2 file.
func lastWeight(b []byte) int {
	le := binary.LittleEndian
	extra := int(le.Uint32(b[headerBytesV1:]))
	return len(b) - 4 - extra - 4
}

// sameModel fails unless a and b have the same parameters, metadata,
// vocabulary, weights and document frequencies.
func sameModel(t *testing.T, a, b *Model) {
	t.Helper()
	if a.Params() != b.Params() || a.Info() != b.Info() || !slices.Equal(a.Vocabulary().Words(), b.Vocabulary().Words()) {
		t.Fatalf("header differs: %+v %+v", a.Params(), b.Params())
	}
	w1, b1, c1 := a.Weights()
	w2, b2, c2 := b.Weights()
	if !slices.Equal(w1, w2) || !slices.Equal(b1, b2) || !slices.Equal(c1, c2) {
		t.Fatal("weights differ")
	}
	if !slices.Equal(a.DocFreq(), b.DocFreq()) {
		t.Fatal("document frequencies differ")
	}
}

// A version 1 file (written by the previous release, committed in
// testdata) still loads; saving it writes version 2, which reloads to the
// same model.
func TestModelFileVersion1(t *testing.T) {
	v1, err := os.ReadFile("testdata/model-v1.kate")
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(v1[8:]) != 1 {
		t.Fatal("the fixture is not a version 1 file")
	}
	m, err := Load(bytes.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 16 || m.Vocabulary().Len() < 10 || m.DocFreq() != nil {
		t.Fatalf("unexpected v1 model: dim %d, V %d, df %v", m.Dim(), m.Vocabulary().Len(), m.DocFreq() != nil)
	}
	if _, err := m.Topics(5); err != nil {
		t.Fatal(err)
	}
	v2, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(v2[8:]) != FormatVersion || len(v2) != len(v1)+4 {
		t.Fatalf("re-saved as version %d with %d bytes (v1 %d)", binary.LittleEndian.Uint32(v2[8:]), len(v2), len(v1))
	}
	m2, err := Load(bytes.NewReader(v2))
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, m, m2)
}

// Trained models carry the document frequencies of their corpus; unknown
// sections survive a load and save; malformed sections are errors.
func TestModelFileSections(t *testing.T) {
	texts, _ := synthCorpus(150, 3, 9)
	cfg := smallConfig()
	cfg.Epochs = 2
	m, c := trainOn(t, texts, cfg)
	df := m.DocFreq()
	want := make([]int, c.Vocab.Len())
	for _, x := range c.Vectors {
		for _, i := range x.Indices {
			want[i]++
		}
	}
	if !slices.Equal(df, want) {
		t.Fatal("document frequencies do not count the training vectors")
	}
	data, _ := m.MarshalBinary()
	m2, err := UnmarshalModel(data)
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, m, m2)
	// The schedule is recorded: the configuration trained with (V as built).
	cfg.VocabSize = c.Vocab.Len()
	if got := m2.Info().Schedule; got != cfg {
		t.Fatalf("schedule read back %+v, trained with %+v", got, cfg)
	}

	le := binary.LittleEndian
	// withSections rebuilds data with the given sections block.
	withSections := func(block []byte) []byte {
		extra := int(le.Uint32(data[headerBytesV1:]))
		body := slices.Clone(data[:len(data)-4-extra])
		le.PutUint32(body[headerBytesV1:], uint32(len(block)))
		body = append(body, block...)
		return le.AppendUint32(body, crc32.ChecksumIEEE(body))
	}
	sec := func(tag string, payload []byte) []byte {
		out := append([]byte(tag), 0, 0, 0, 0)
		le.PutUint32(out[4:], uint32(len(payload)))
		return append(out, payload...)
	}
	dfPayload := encodeDocFreq(m)
	unknown := sec("ZZZZ", []byte("future data"))
	schedPayload := encodeSchedule(m)
	withUnknown := withSections(slices.Concat(sec("DFRQ", dfPayload), sec("SCHD", schedPayload), unknown))
	m3, err := UnmarshalModel(withUnknown)
	if err != nil {
		t.Fatal(err)
	}
	sameModel(t, m, m3)
	if again, _ := m3.MarshalBinary(); !bytes.Equal(again, withUnknown) {
		t.Fatal("an unknown section was not written back")
	}
	if m4, err := UnmarshalModel(withSections(nil)); err != nil || m4.DocFreq() != nil || m4.Info().Schedule != (Config{}) {
		t.Fatalf("no sections: %v", err)
	}
	// Schedule fields a later writer adds are skipped.
	later := append(slices.Clone(schedPayload), "future-knob=3\n"...)
	if m5, err := UnmarshalModel(withSections(sec("SCHD", later))); err != nil || m5.Info().Schedule != cfg {
		t.Fatalf("a later schedule field: %v, %+v", err, m5.Info().Schedule)
	}
	big := slices.Clone(dfPayload)
	le.PutUint32(big, 1<<30)
	cases := map[string]struct {
		data []byte
		want string
	}{
		"order":     {withSections(append(unknown, sec("DFRQ", dfPayload)...)), "out of order"},
		"repeated":  {withSections(append(unknown, unknown...)), "out of order"},
		"length":    {withSections(append(sec("DFRQ", dfPayload), 'X')), "truncated section"},
		"announces": {withSections(sec("ABCD", nil)[:4]), "truncated section"},
		"overlong": {withSections(func() []byte {
			b := sec("ABCD", []byte("xy"))
			le.PutUint32(b[4:], 1<<30)
			return b
		}()), "announces"},
		"df size":   {withSections(sec("DFRQ", dfPayload[:8])), "document-frequency"},
		"df > docs": {withSections(sec("DFRQ", big)), "exceeds"},
		"schedule":  {withSections(sec("SCHD", []byte("epochs=x\n"))), "schedule field epochs"},
		"sched '='": {withSections(sec("SCHD", []byte("epochs\n"))), "has no '='"},
	}
	for name, c := range cases {
		_, err := UnmarshalModel(c.data)
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want ErrFormat containing %q", name, err, c.want)
		}
	}
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
	binary.LittleEndian.PutUint32(head[headerBytesV1-4:], 0xffffffff)
	if _, err := Load(io.MultiReader(bytes.NewReader(head), zeros{})); err == nil || !strings.Contains(err.Error(), "announces") {
		t.Errorf("absurd announced size: %v", err)
	}
	if _, err := Load(bytes.NewReader(data)); err != nil {
		t.Errorf("valid stream: %v", err)
	}
}

// TestLoadBoundedAllocation: a 4 KiB file whose header announces a
// near-maximal model is rejected as truncated after allocating little, not
// the announced size (issue 13, item 4); a valid stream read in small
// pieces still loads.
func TestLoadBoundedAllocation(t *testing.T) {
	m := trainedSmall(t)
	data, _ := m.MarshalBinary()
	head := slices.Clone(data[:headerBytes])
	binary.LittleEndian.PutUint32(head[12:], 1<<16) // V
	binary.LittleEndian.PutUint32(head[16:], 512)   // K: 128 MiB of weights
	binary.LittleEndian.PutUint32(head[20:], 8)
	short := append(head, make([]byte, 4096-len(head))...) // longer than the header: read in chunks
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Load(bytes.NewReader(short))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("short file: %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("allocated %d bytes for a 4 KiB file", got)
	}
	got, err := Load(iotest.OneByteReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := got.MarshalBinary(); !bytes.Equal(b, data) {
		t.Error("a model read byte by byte differs")
	}
}

// TestDecodeFloats checks both ways of decoding weights (the copy of
// little-endian machines and the value-by-value one of the others) against
// encoding/binary, and that each finds a non-finite value anywhere.
func TestDecodeFloats(t *testing.T) {
	defer func(v bool) { littleEndian = v }(littleEndian)
	want := []float32{0, 1, -2.5, math.MaxFloat32, math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1)), 3e-39}
	src := make([]byte, 0, 4*len(want))
	for _, f := range want {
		src = binary.LittleEndian.AppendUint32(src, math.Float32bits(f))
	}
	for _, le := range []bool{true, false} {
		littleEndian = le
		got := make([]float32, len(want))
		if !decodeFloats(got, src) {
			t.Fatalf("littleEndian=%v: finite values reported non-finite", le)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("littleEndian=%v: value %d is %v, want %v", le, i, got[i], want[i])
			}
		}
		for i := range want {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				b := slices.Clone(src)
				binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(bad)))
				if decodeFloats(make([]float32, len(want)), b) {
					t.Errorf("littleEndian=%v: %v at %d not reported", le, bad, i)
				}
			}
		}
	}
}
