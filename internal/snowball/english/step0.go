package english

import (
	"unicode/utf8"

	"github.com/kate-web/kate/internal/snowball/snowballword"
)

// Step 0 is to strip off apostrophes and "s".
func step0(w *snowballword.SnowballWord) bool {
	suffix := w.FirstSuffixOf(step0Suffixes)
	if suffix == "" {
		return false
	}
	suffixLength := utf8.RuneCountInString(suffix)
	w.RemoveLastNRunes(suffixLength)
	return true
}

// The suffix lists of this step, as sets (kate's change, same order).
var step0Suffixes = snowballword.NewSuffixSet("'s'", "'s", "'")
