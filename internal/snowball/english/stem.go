package english

import (
	"github.com/kate-web/kate/internal/snowball/snowballword"
	"strings"
)

// Stem an English word.  This is the only exported
// function in this package.
func Stem(word string, stemStopwWords bool) string {

	word = strings.ToLower(strings.TrimSpace(word))

	// Return small words and stop words
	if len(word) <= 2 || (stemStopwWords == false && IsStopWord(word)) {
		return word
	}
	return stemLower(word)
}

// StemLowerRunes is Stem(word, true) for a word that strings.ToLower and
// strings.TrimSpace leave unchanged (kate's tokens: lower-case letters and
// digits), without those two passes over it, the stem written as runes
// over buf (its contents are replaced; the result may share its array)
// instead of returned as a new string, so that a caller that only looks
// the stem up allocates nothing (a kate addition).
func StemLowerRunes(word string, buf []rune) []rune {
	buf = buf[:0]
	if len(word) <= 2 {
		return appendRunes(buf, word)
	}
	if specialVersion := stemSpecialWord(word); specialVersion != "" {
		return appendRunes(buf, specialVersion)
	}
	w := snowballword.SnowballWord{RS: appendRunes(buf, word)}
	w.R1start, w.R2start, w.RVstart = len(w.RS), len(w.RS), len(w.RS)
	stemSteps(&w)
	return w.RS
}

// appendRunes appends the runes of s to buf, as []rune(s) would give them.
func appendRunes(buf []rune, s string) []rune {
	for _, r := range s {
		buf = append(buf, r)
	}
	return buf
}

// stemLower stems a lower-case, trimmed word longer than two bytes.
func stemLower(word string) string {

	// Return special words immediately
	if specialVersion := stemSpecialWord(word); specialVersion != "" {
		word = specialVersion
		return word
	}

	w := snowballword.New(word)
	stemSteps(w)
	return w.String()
}

// stemSteps runs the stemmer's steps on w, a word longer than two bytes
// that is not a special word.
func stemSteps(w *snowballword.SnowballWord) {

	// Stem the word.  Note, each of these
	// steps will alter `w` in place.
	//
	preprocess(w)
	step0(w)
	step1a(w)
	step1b(w)
	step1c(w)
	step2(w)
	step3(w)
	step4(w)
	step5(w)
	postprocess(w)
}
