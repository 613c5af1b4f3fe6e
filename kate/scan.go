package kate

import (
	"slices"
	"strings"
	"sync"

	"github.com/kate-web/kate/internal/kernels"
)

// scanCheck holds the outcome of checking the first token scanner kernel
// met (kernels.Set.ScanTokens) against the vectorizer's own scan.
var scanCheck struct {
	once sync.Once
	ok   bool
}

// scanChecked reports whether the token scanner scan gives the same input
// vectors as the vectorizer's own scan on scanCheckTexts (checked once per
// program, on the first scanner met: the WebAssembly build has one).
func scanChecked(scan func(*kernels.ScanArgs)) bool {
	scanCheck.once.Do(func() { scanCheck.ok = checkScanner(scan) == nil })
	return scanCheck.ok
}

// PrepareTokenScanner checks the active token scanner kernel (the
// WebAssembly build's, installed with its encoding kernels) against the
// vectorizer's own scan now rather than on the first text a vectorizer
// reads, and reports whether vectorizers use it: false when there is none
// or it gave a different vector. The check runs once per program; the
// WebAssembly build calls this when it installs the kernels of an engine
// that encodes, so that its first encode call does not wait for the
// check. Other programs need not call it.
func PrepareTokenScanner() bool {
	scan := kernels.ScanTokens()
	return scan != nil && scanChecked(scan)
}

// checkScanner encodes scanCheckTexts twice (the second time every token
// is cached, so the scanner finds them all) with scan and with the
// vectorizer's own scan, each with its own token cache, and returns an
// error naming the first text whose vectors differ.
func checkScanner(scan func(*kernels.ScanArgs)) error {
	words := []string{"orbit", "launch", "shuttl", "engin", "team", "season", "church", "god", "faith",
		"intern", "internet", "abcdefgh", "abcdefghi", "abcdefghij", strings.Repeat("x", 64), "caf", "na", "straß", "1993"}
	vocab, err := NewVocabulary(words)
	if err != nil {
		return err
	}
	m, err := newModel(Params{Dim: 4, Winners: 2, Alpha: 1, Text: DefaultTextOptions()}, vocab, 1)
	if err != nil {
		return err
	}
	got, want := m.NewVectorizer(), m.NewVectorizer()
	got.scanMode, want.scanMode = scanTrusted, scanOff
	got.forceScan = scan
	texts := scanCheckTexts()
	for pass := 0; pass < 2; pass++ {
		for i, s := range texts {
			a, b := got.scratch(s), want.scratch(s)
			if !slices.Equal(a.Indices, b.Indices) || !slices.Equal(a.Values, b.Values) {
				return errorf("kate: the token scanner's vector of check text %d (pass %d) differs", i, pass+1)
			}
		}
	}
	return nil
}

// scanCheckTexts returns texts across the scanner's cases: upper case,
// digits, stopwords, every ASCII separator, tokens of every length from 1
// to 70 bytes (past the 64 a token keeps, and around the 8 bytes a token
// table slot holds), tokens that share their first 8 bytes, non-ASCII
// letters inside, after and before ASCII ones, invalid UTF-8, and tokens
// at the very start and end of a text.
func scanCheckTexts() []string {
	var texts []string
	var sb strings.Builder
	for c := 0; c < 128; c++ {
		sb.WriteString("Orbit")
		sb.WriteByte(byte(c))
		sb.WriteString("LAUNCHES")
	}
	texts = append(texts, sb.String())
	sb.Reset()
	for n := 1; n <= 70; n++ {
		sb.WriteString(strings.Repeat("x", n))
		sb.WriteByte(' ')
		sb.WriteString("abcdefgh"[:min(n, 8)] + strings.Repeat("i", max(0, n-8)))
		sb.WriteByte('.')
	}
	texts = append(texts, sb.String())
	texts = append(texts,
		"", " ", "a", "orbit", "  Orbits ", "ORBIT", "1993 1993a a1993 the THE The and",
		"internet internets internationally international intern interns Internet",
		"abcdefgh abcdefghi abcdefghij abcdefghijk abcdefgha abcdefgh",
		"café cafe Café CAFÉ naïve straße STRASSE orbité éorbit orbit\u00e9 x\u00e9y",
		"\xff orbit\xff\xfeorbit \xc3 orbit\xc3\xa9 \xe2\x80\x99orbit orbit\xe2\x80\x99s",
		"日本語 orbit日本 中orbit launch",
		strings.Repeat("team season church god faith orbit ", 40),
		strings.Repeat("y", 65)+" "+strings.Repeat("x", 64)+" "+strings.Repeat("x", 65)+" "+strings.Repeat("X", 64),
		"orbit", "launch.", ".launch", "faith\u00a0faith\u2003faith",
	)
	return texts
}
