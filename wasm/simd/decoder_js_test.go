//go:build js && wasm

package simd

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/kate-web/kate/internal/kernels/kernelbench"
	"github.com/kate-web/kate/kate"
)

// benchTexts returns up to 3,000 texts of the full 20 Newsgroups corpus
// beside the repository, or of the bundled sample.
func benchTexts(b *testing.B) []string {
	for _, p := range []string{"../../../shared/data/20news-bydate.jsonl.gz", "../../testdata/20news-sample.jsonl.gz"} {
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
		for sc.Scan() && len(out) < 3000 {
			var d struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &d) == nil {
				out = append(out, d.Text)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	b.Skip("no 20 Newsgroups texts")
	return nil
}

// BenchmarkDecoder is kate's BenchmarkDecoder (kate/bench_test.go) with the
// WebAssembly SIMD kernels: the exact decoder's kernels per element inside
// training ("step": 20 Newsgroups texts, V = 2,000, K = 128, k = 32, one
// epoch; one op = one training run) and on the same calls repeated on data
// that stays in cache ("L2": 32 rows of V = 2,000, "L1": 16 rows of V =
// 256). Run it with GOOS=js GOARCH=wasm go test -run '^$' -bench Decoder
// -exec=$PWD/scripts/go_js_wasm_exec ./wasm/simd.
func BenchmarkDecoder(b *testing.B) {
	set := Kernels(instantiate(b))
	const k, kk = 128, 32
	b.Run("step", func(b *testing.B) {
		texts := benchTexts(b)
		c, err := kate.BuildCorpus(texts, kate.DefaultTextOptions(), 2000)
		if err != nil {
			b.Fatal(err)
		}
		cfg := kate.DefaultConfig()
		cfg.Dim, cfg.Winners, cfg.Epochs, cfg.ValidationDocs = k, kk, 1, 100
		kernelbench.Step(b, set, kk, func(int) {
			if _, err := kate.TrainCorpus(context.Background(), c, cfg, kate.TrainOptions{}); err != nil {
				b.Fatal(err)
			}
		})
	})
	kernelbench.InCache(b, set, k, 2000, kk)
}
