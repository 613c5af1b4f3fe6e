package kate

import (
	"testing"
	"time"
)

// BenchmarkNewTokens times the new-token path alone (lookupNew: the
// stopwords, the stemmer, the vocabulary, the cache insert) over the
// distinct raw tokens of the benchmark texts, a fresh vectorizer per pass,
// so every token is new (docs/speed.md, "Encoding new text (sixth
// session)"). It reports tokens per CPU second.
func BenchmarkNewTokens(b *testing.B) {
	texts := benchTexts(b)
	m, _ := benchModel(b, texts)
	seen := map[string]bool{}
	var toks [][]byte
	var buf []byte
	for _, s := range texts {
		forEachRawToken(s, &buf, func(raw []byte) {
			if !seen[string(raw)] {
				seen[string(raw)] = true
				toks = append(toks, append([]byte(nil), raw...))
			}
		})
	}
	hashes := make([]uint32, len(toks))
	for i, t := range toks {
		hashes[i] = tokenHash(t)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	var z *Vectorizer
	for i := 0; i < b.N; i++ {
		j := i % len(toks)
		if j == 0 {
			z = m.NewVectorizer()
		}
		z.lookupNew(toks[j], hashes[j])
	}
	if d := processCPU() - cpu0; d > 0 {
		b.ReportMetric(float64(b.N)/d, "tokens/cpu-s")
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tokens/s")
}
