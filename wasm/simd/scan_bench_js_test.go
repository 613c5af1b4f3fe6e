//go:build js && wasm

package simd

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/kate"
)

// BenchmarkScan vectorizes 20 Newsgroups texts (the full corpus beside the
// repository, else the bundled sample) with a warm token cache, with kate's
// own scan (go) and with the module's token scanner (module), in bytes of
// text per second.
func BenchmarkScan(b *testing.B) {
	var texts []string
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
		for sc.Scan() && len(texts) < 4000 {
			var d struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &d) == nil {
				texts = append(texts, d.Text)
			}
		}
		break
	}
	if len(texts) == 0 {
		b.Skip("no corpus")
	}
	if n := os.Getenv("KATE_SCAN_TEXTS"); n != "" {
		var k int
		_, _ = fmt.Sscan(n, &k)
		texts = texts[:k]
	}
	cfg := kate.DefaultConfig()
	cfg.Epochs = 1
	m, err := kate.Train(context.Background(), texts[:min(len(texts), 1000)], cfg, kate.TrainOptions{})
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, s := range texts {
		size += len(s)
	}
	scan := Kernels(instantiate(b)).ScanTokens
	calls := 0
	counted := func(a *kernels.ScanArgs) { calls++; scan(a) }
	for _, set := range []kernels.Set{{Name: "go"}, {Name: "module", ScanTokens: counted}} {
		b.Run(set.Name, func(b *testing.B) {
			old := kernels.Use(set)
			defer kernels.Use(old)
			z := m.NewVectorizer()
			for _, s := range texts {
				z.Vector(s)
			}
			calls = 0
			for _, s := range texts {
				z.Vector(s)
			}
			b.Logf("%d scanner calls for %d texts", calls, len(texts))
			b.SetBytes(int64(size))
			for b.Loop() {
				for _, s := range texts {
					z.Vector(s)
				}
			}
		})
	}
}
