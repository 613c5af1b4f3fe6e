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

// StemLower is Stem(word, true) for a word that strings.ToLower and
// strings.TrimSpace leave unchanged (kate's tokens: lower-case letters and
// digits), without those two passes over it (a kate addition).
func StemLower(word string) string {
	if len(word) <= 2 {
		return word
	}
	return stemLower(word)
}

// stemLower stems a lower-case, trimmed word longer than two bytes.
func stemLower(word string) string {

	// Return special words immediately
	if specialVersion := stemSpecialWord(word); specialVersion != "" {
		word = specialVersion
		return word
	}

	w := snowballword.New(word)

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

	return w.String()

}
