package kate

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/kernels/kernelbench"
)

// benchDocs returns n synthetic 20-Newsgroups-like input vectors over V
// terms: 60–120 distinct terms per document, Zipf-distributed over the
// vocabulary, counts 1–4.
func benchDocs(v, n int, seed uint64) []SparseVector {
	r := rand.New(rand.NewPCG(seed, 7))
	z := rand.NewZipf(r, 1.1, 10, uint64(v-1))
	out := make([]SparseVector, n)
	for d := range out {
		nnz := 60 + r.IntN(61)
		seen := map[int32]bool{}
		var idx, cnt []int32
		for len(idx) < nnz {
			i := int32(z.Uint64())
			if !seen[i] {
				seen[i] = true
				idx = append(idx, i)
				cnt = append(cnt, int32(1+r.IntN(4)))
			}
		}
		out[d], _ = countsToVector(idx, cnt)
	}
	return out
}

func benchTrainer(b *testing.B, v, k, kk int) (*trainer, []SparseVector) {
	words := make([]string, v)
	for i := range words {
		words[i] = fmt.Sprintf("t%d", i)
	}
	vocab, _ := NewVocabulary(words)
	cfg := DefaultConfig()
	cfg.Dim, cfg.Winners = k, kk
	m, err := newModel(cfg.Params, vocab, 1)
	if err != nil {
		b.Fatal(err)
	}
	return newTrainer(m, cfg), benchDocs(v, 2000, 3)
}

func reportDocs(b *testing.B, docs int, start time.Time) {
	b.ReportMetric(float64(docs)/time.Since(start).Seconds(), "docs/s")
}

// reportCPU adds the benchmark's documents per second of the process's CPU
// time since cpu0 (processCPU), where it can be read: on a machine shared
// with other jobs it moves less than the wall clock.
func reportCPU(b *testing.B, docs int, cpu0 float64) {
	if c := processCPU() - cpu0; cpu0 > 0 && c > 0 {
		b.ReportMetric(float64(docs)/c, "docs/cpu-s")
	}
}

// BenchmarkTrain measures training throughput (one op = one batch of 100
// documents, forward, backward and the Adadelta update) at V=2000, K=128.
// "sparse" is the real training path, on one goroutine ("serial") and on all
// cores; "dense" is the dense reference (V·K work per document and pass).
func BenchmarkTrain(b *testing.B) {
	const v, k, bs = 2000, 128, 100
	for _, kk := range []int{32, 6} {
		for _, mode := range []string{"sparse-serial", "sparse-parallel", "dense-serial"} {
			b.Run(fmt.Sprintf("k=%d/%s", kk, mode), func(b *testing.B) {
				t, docs := benchTrainer(b, v, k, kk)
				t.serial = mode != "sparse-parallel"
				xd := make([]float32, v)
				ws := t.ws[0]
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					lo := (i * bs) % len(docs)
					batch := docs[lo : lo+bs]
					if mode == "dense-serial" {
						clear(ws.gW)
						clear(ws.gB)
						clear(ws.gC)
						for _, x := range batch {
							x.dense(xd)
							denseStep(t.m, ws, xd, 1.0/(bs*v), ws.gW, ws.gB, ws.gC)
						}
						for c := 1; c < trainChunks; c++ {
							clear(t.ws[c].gW)
							clear(t.ws[c].gB)
							clear(t.ws[c].gC)
						}
						t.reduceAndUpdate(2)
					} else {
						t.batch(batch, 2, false)
					}
				}
				reportDocs(b, b.N*bs, start)
			})
		}
	}
}

// benchTexts returns real documents from the bundled 20 Newsgroups sample
// (or the full corpus when present), falling back to synthetic text.
func benchTexts(b *testing.B) []string {
	for _, p := range []string{"../../shared/data/20news-bydate.jsonl.gz", "../testdata/20news-sample.jsonl.gz"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(gz)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		var out []string
		for sc.Scan() && len(out) < 4000 {
			var d struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &d) == nil {
				out = append(out, d.Text)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	texts, _ := synthCorpus(2000, 20, 5)
	return texts
}

// benchModel returns an untrained 128-d model (k=32) over the 2,000-word
// vocabulary of texts, and the corpus of texts, as the encoding benchmarks
// use.
func benchModel(b *testing.B, texts []string) (*Model, *Corpus) {
	c, err := BuildCorpus(texts, DefaultTextOptions(), 2000)
	if err != nil {
		b.Fatal(err)
	}
	m, err := newModel(Params{Dim: 128, Winners: 32, Alpha: 6.26, Text: DefaultTextOptions()}, c.Vocab, 1)
	if err != nil {
		b.Fatal(err)
	}
	return m, c
}

// BenchmarkEncode measures text to embedding (tokenize, stem, vectorize,
// encode) on 20 Newsgroups documents, one goroutine, and encoding of
// ready input vectors.
func BenchmarkEncode(b *testing.B) {
	texts := benchTexts(b)
	m, c := benchModel(b, texts)
	dst := make([]float32, 128)
	b.Run("text", func(b *testing.B) {
		z := m.NewVectorizer()
		for _, s := range texts { // warm the token cache, as a long-lived model has
			z.Vector(s)
		}
		b.ResetTimer()
		start, cpu0 := time.Now(), processCPU()
		for i := 0; i < b.N; i++ {
			_ = z.EncodeTo(dst, texts[i%len(texts)])
		}
		reportDocs(b, b.N, start)
		reportCPU(b, b.N, cpu0)
	})
	// text-cold: a fresh vectorizer (empty token cache) for every pass over
	// the texts, as a model just loaded in a new encode worker; each raw
	// token is stemmed once per pass.
	b.Run("text-cold", func(b *testing.B) {
		var z *Vectorizer
		start, cpu0 := time.Now(), processCPU()
		for i := 0; i < b.N; i++ {
			if i%len(texts) == 0 {
				z = m.NewVectorizer()
			}
			_ = z.EncodeTo(dst, texts[i%len(texts)])
		}
		reportDocs(b, b.N, start)
		reportCPU(b, b.N, cpu0)
	})
	b.Run("vector", func(b *testing.B) {
		start, cpu0 := time.Now(), processCPU()
		for i := 0; i < b.N; i++ {
			m.encode(dst, c.Vectors[i%len(c.Vectors)])
		}
		reportDocs(b, b.N, start)
		reportCPU(b, b.N, cpu0)
	})
	_ = math.Pi
}

// BenchmarkTrainEnd measures the work TrainVectors adds after the last
// epoch (document frequencies and the stored topic ranking: two encoding
// passes over the corpus and a word count per unit), at V=2000, K=128, on
// 2,000 synthetic documents; one op = the whole corpus. Compare its docs/s
// with BenchmarkTrain's, which is paid every epoch.
func BenchmarkTrainEnd(b *testing.B) {
	t, docs := benchTrainer(b, 2000, 128, 32)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t.m.df = docFreq(docs, 2000)
		t.m.rankTopics(docs)
	}
	reportDocs(b, b.N*len(docs), start)
}

// BenchmarkTrainSampling compares, at K=128 and k=32, the exact loss at
// V=2000 and V=10000 with reconstruction sampling at V=10000 (one op = one
// batch of 100 documents on one goroutine, with the Adadelta update).
func BenchmarkTrainSampling(b *testing.B) {
	const k, kk, bs = 128, 32, 100
	for _, c := range []struct {
		v        int
		sampling float64
	}{{2000, 0}, {10000, 0}, {10000, 1}, {10000, 2}, {10000, 5}} {
		b.Run(fmt.Sprintf("V=%d/sampling=%g", c.v, c.sampling), func(b *testing.B) {
			t, docs := benchTrainer(b, c.v, k, kk)
			t.serial = true
			if c.sampling > 0 {
				t.cfg.Sampling = c.sampling
				t.useSampling(docFreq(docs, c.v))
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				lo := (i * bs) % len(docs)
				t.batch(docs[lo:lo+bs], 2, false)
			}
			reportDocs(b, b.N*bs, start)
		})
	}
}

// BenchmarkDecoder asks whether the exact decoder waits on memory
// (docs/speed.md, "The decoder"). It times the decoder's kernels
// (DecodeRows, SigmoidDelta, GradRows; the active set: pure Go, AVX2, or
// pure Go under WebAssembly) per element, inside training steps ("step":
// BenchmarkTrain's k=32 sparse-serial batches at V=2000, K=128, where each
// document reads 32 of the 128 rows of W and of its chunk's gradient, 1 MB
// each, and Adadelta streams ~9 MB per batch) and on the same calls repeated
// on data that stays in cache: "L2" 32 rows of V=2000 (256 KB of W and
// 256 KB of gradient), "L1" 16 rows of V=256 (16 KB each). "step" also
// reports the decoder kernels' share of the step's time.
func BenchmarkDecoder(b *testing.B) {
	const v, k, kk, bs = 2000, 128, 32, 100
	b.Run("step", func(b *testing.B) {
		t, docs := benchTrainer(b, v, k, kk)
		t.serial = true
		all := kernelbench.Step(b, kernels.Active(), 0, func(i int) {
			lo := (i * bs) % len(docs)
			t.batch(docs[lo:lo+bs], 2, false)
		})
		b.ReportMetric(float64(b.N*bs)/all.Seconds(), "docs/s")
	})
	kernelbench.InCache(b, kernels.Active(), k, v, kk)
}

// BenchmarkSamplerDraw measures the draw of reconstruction sampling alone
// (V = 10,000, R = 2, the synthetic documents of BenchmarkTrainSampling; one
// op = one document).
func BenchmarkSamplerDraw(b *testing.B) {
	const v = 10000
	t, docs := benchTrainer(b, v, 16, 4)
	t.cfg.Sampling = 2
	t.useSampling(docFreq(docs, v))
	ws := t.ws[0]
	ws.pcg.Seed(1, 2)
	draws := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t.smp.draw(ws, docs[i%len(docs)], &ws.pcg)
		draws += len(ws.out)
	}
	b.ReportMetric(float64(draws)/float64(b.N), "outputs/doc")
}
