package kate

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/kate-web/kate/dataset"
)

// BenchmarkTrainCorpus trains the default model (V = 2,000, K = 128, k = 32,
// exact loss, all cores) on the training split of the corpus named by
// KATE_BENCH_DATA (default: the shared 20 Newsgroups file) for
// KATE_BENCH_EPOCHS epochs (default 8) per op, as `kate train --epochs N`
// does; the corpus is read once, outside the timing. It reports the run's
// docs/s as kate train prints them (the training documents of every epoch
// over the time since training started, the validation losses included;
// docs/speed.md, "Native training (seventh session)") and the documents per
// CPU second of the process. Skipped when the file is missing.
func BenchmarkTrainCorpus(b *testing.B) {
	path := os.Getenv("KATE_BENCH_DATA")
	if path == "" {
		path = "../../shared/data/20news-bydate.jsonl.gz"
	}
	epochs := 8
	if s := os.Getenv("KATE_BENCH_EPOCHS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("KATE_BENCH_EPOCHS=%q: want a positive integer", s)
		}
		epochs = n
	}
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no corpus: %v", err)
	}
	docs, err := dataset.Load(path, dataset.Options{Split: "train"})
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Text
	}
	cfg := DefaultConfig()
	cfg.Epochs = epochs
	cfg.Seed = 1
	c, err := BuildCorpus(texts, cfg.Text, cfg.VocabSize)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	trained := (len(c.Vectors) - min(cfg.ValidationDocs, len(c.Vectors)/5)) * epochs
	var rate, cpu float64
	for i := 0; i < b.N; i++ {
		var last Progress
		var cpuEnd float64
		cpu0 := processCPU()
		var ends []string
		progress := func(p Progress) {
			if p.EpochDone {
				ends = append(ends, fmt.Sprintf("%.0f", p.Elapsed.Seconds()*1000))
			}
			last = p
			if p.Stopping {
				cpuEnd = processCPU()
			}
		}
		if _, err := TrainCorpus(context.Background(), c, cfg, TrainOptions{Progress: progress}); err != nil {
			b.Fatal(err)
		}
		if last.Epoch != epochs {
			b.Fatalf("stopped at epoch %d of %d", last.Epoch, epochs)
		}
		b.Logf("epoch ends (ms): %v", ends)
		rate += last.DocsPerSecond
		cpu += cpuEnd - cpu0
	}
	b.ReportMetric(rate/float64(b.N), "docs/s")

	if cpu > 0 {
		b.ReportMetric(float64(trained*b.N)/cpu, "docs/cpu-s")
	}
}
