/*
This package defines a SnowballWord struct that is used
to encapsulate most of the "state" variables we must track
when stemming a word.  The SnowballWord struct also has
a few methods common to stemming in a variety of languages.
*/
package snowballword

import (
	"strconv"
	"unicode/utf8"
)

// SnowballWord represents a word that is going to be stemmed.
type SnowballWord struct {

	// A slice of runes
	RS []rune

	// The index in RS where the R1 region begins
	R1start int

	// The index in RS where the R2 region begins
	R2start int

	// The index in RS where the RV region begins
	RVstart int
}

// Create a new SnowballWord struct
func New(in string) (word *SnowballWord) {
	word = &SnowballWord{RS: []rune(in)}
	word.R1start = len(word.RS)
	word.R2start = len(word.RS)
	word.RVstart = len(word.RS)
	return
}

// Replace a suffix and adjust R1start and R2start as needed.
// If `force` is false, check to make sure the suffix exists first.
func (w *SnowballWord) ReplaceSuffix(suffix, replacement string, force bool) bool {

	var (
		doReplacement bool
		suffixRunes   []rune
	)
	if force {
		doReplacement = true
		suffixRunes = []rune(suffix)
	} else {
		var foundSuffix string
		foundSuffix = w.FirstSuffix(suffix)
		suffixRunes = []rune(foundSuffix)
		if foundSuffix == suffix {
			doReplacement = true
		}
	}
	if doReplacement == false {
		return false
	}
	w.ReplaceSuffixRunes(suffixRunes, []rune(replacement), true)
	return true
}

// Remove the last `n` runes from the SnowballWord.
func (w *SnowballWord) RemoveLastNRunes(n int) {
	w.RS = w.RS[:len(w.RS)-n]
	w.resetR1R2()
}

// Replace a suffix and adjust R1start and R2start as needed.
// If `force` is false, check to make sure the suffix exists first.
func (w *SnowballWord) ReplaceSuffixRunes(suffixRunes []rune, replacementRunes []rune, force bool) bool {

	if force || w.HasSuffixRunes(suffixRunes) {
		lenWithoutSuffix := len(w.RS) - len(suffixRunes)
		w.RS = append(w.RS[:lenWithoutSuffix], replacementRunes...)

		// If R, R2, & RV are now beyond the length
		// of the word, they are set to the length
		// of the word.  Otherwise, they are left
		// as they were.
		w.resetR1R2()
		return true
	}
	return false
}

// Resets R1start and R2start to ensure they
// are within bounds of the current rune slice.
func (w *SnowballWord) resetR1R2() {
	rsLen := len(w.RS)
	if w.R1start > rsLen {
		w.R1start = rsLen
	}
	if w.R2start > rsLen {
		w.R2start = rsLen
	}
	if w.RVstart > rsLen {
		w.RVstart = rsLen
	}
}

// Return a slice of w.RS, allowing the start
// and stop to be out of bounds.
func (w *SnowballWord) slice(start, stop int) []rune {
	startMin := 0
	if start < startMin {
		start = startMin
	}
	max := len(w.RS) - 1
	if start > max {
		start = max
	}
	if stop > max {
		stop = max
	}
	return w.RS[start:stop]
}

// Returns true if `x` runes would fit into R1.
func (w *SnowballWord) FitsInR1(x int) bool {
	return w.R1start <= len(w.RS)-x
}

// Returns true if `x` runes would fit into R2.
func (w *SnowballWord) FitsInR2(x int) bool {
	return w.R2start <= len(w.RS)-x
}

// Returns true if `x` runes would fit into RV.
func (w *SnowballWord) FitsInRV(x int) bool {
	return w.RVstart <= len(w.RS)-x
}

// Return the R1 region as a slice of runes
func (w *SnowballWord) R1() []rune {
	return w.RS[w.R1start:]
}

// Return the R1 region as a string
func (w *SnowballWord) R1String() string {
	return string(w.R1())
}

// Return the R2 region as a slice of runes
func (w *SnowballWord) R2() []rune {
	return w.RS[w.R2start:]
}

// Return the R2 region as a string
func (w *SnowballWord) R2String() string {
	return string(w.R2())
}

// Return the RV region as a slice of runes
func (w *SnowballWord) RV() []rune {
	return w.RS[w.RVstart:]
}

// Return the RV region as a string
func (w *SnowballWord) RVString() string {
	return string(w.RV())
}

// Return the SnowballWord as a string
func (w *SnowballWord) String() string {
	return string(w.RS)
}

// DebugString returns the word and its R1, R2 and RV region starts, for
// debugging.
func (w *SnowballWord) DebugString() string {
	return "{" + strconv.Quote(w.String()) + ", " + strconv.Itoa(w.R1start) + ", " + strconv.Itoa(w.R2start) + ", " + strconv.Itoa(w.RVstart) + "}"
}

// Return the first prefix found or the empty string.
func (w *SnowballWord) FirstPrefix(prefixes ...string) (foundPrefix string) {
	// kate's change: each prefix is compared rune by rune as a string
	// instead of being converted to a []rune first (same result).
	rsLen := len(w.RS)
	for _, prefix := range prefixes {
		found := true
		i := 0
		for _, r := range prefix {
			if i >= rsLen || w.RS[i] != r {
				found = false
				break
			}
			i++
		}
		if found {
			return prefix
		}
	}
	return ""
}

// Return true if `w.RS[startPos:endPos]` ends with runes from `suffixRunes`.
// That is, the slice of runes between startPos and endPos have a suffix of
// suffixRunes.
func (w *SnowballWord) HasSuffixRunesIn(startPos, endPos int, suffixRunes []rune) bool {
	maxLen := endPos - startPos
	suffixLen := len(suffixRunes)
	if suffixLen > maxLen {
		return false
	}

	numMatching := 0
	for i := 0; i < maxLen && i < suffixLen; i++ {
		if w.RS[endPos-i-1] != suffixRunes[suffixLen-i-1] {
			break
		} else {
			numMatching += 1
		}
	}
	if numMatching == suffixLen {
		return true
	}
	return false
}

// Return true if `w` ends with `suffixRunes`
func (w *SnowballWord) HasSuffixRunes(suffixRunes []rune) bool {
	return w.HasSuffixRunesIn(0, len(w.RS), suffixRunes)
}

// Find the first suffix that ends at `endPos` in the word among
// those provided; then,
// check to see if it begins after startPos.  If it does, return
// it, else return the empty string and empty rune slice.  This
// may seem a counterintuitive manner to do this.  However, it
// matches what is required most of the time by the Snowball
// stemmer steps.
func (w *SnowballWord) FirstSuffixIfIn(startPos, endPos int, suffixes ...string) (suffix string) {
	last := w.lastRuneBefore(endPos)
	for _, suffix := range suffixes {
		if endsOtherwise(suffix, last) {
			continue
		}
		if n, ok := w.hasSuffixStringIn(0, endPos, suffix); ok {
			if endPos-n >= startPos {
				return suffix
			} else {
				return ""
			}
		}
	}

	return ""
}

// FirstSuffixIn returns the first of suffixes that the word ends with
// between startPos and endPos, or the empty string.
func (w *SnowballWord) FirstSuffixIn(startPos, endPos int, suffixes ...string) (suffix string) {
	last := w.lastRuneBefore(endPos)
	for _, suffix := range suffixes {
		if endsOtherwise(suffix, last) {
			continue
		}
		if _, ok := w.hasSuffixStringIn(startPos, endPos, suffix); ok {
			return suffix
		}
	}

	return ""
}

// lastRuneBefore returns w.RS[endPos-1], or -1 when endPos is out of
// range (no non-empty suffix can end there).
func (w *SnowballWord) lastRuneBefore(endPos int) rune {
	if endPos < 1 || endPos > len(w.RS) {
		return -1
	}
	return w.RS[endPos-1]
}

// endsOtherwise reports whether the non-empty suffix cannot match a word
// whose rune before the end position is last: its last byte is ASCII and
// differs from last (kate's change: the candidate lists are long, and
// this one-byte test skips most of them before hasSuffixStringIn).
func endsOtherwise(suffix string, last rune) bool {
	if len(suffix) == 0 {
		return false
	}
	c := suffix[len(suffix)-1]
	return c < utf8.RuneSelf && (last < 0 || rune(c) != last)
}

// hasSuffixStringIn is HasSuffixRunesIn for a suffix given as a string,
// compared rune by rune from the end without converting it to a []rune
// (kate's change: the conversion was half of the stemmer's time). It
// returns the suffix's length in runes.
func (w *SnowballWord) hasSuffixStringIn(startPos, endPos int, suffix string) (int, bool) {
	maxLen := endPos - startPos
	if maxLen < 0 {
		return 0, false
	}
	n := 0
	for len(suffix) > 0 {
		r, size := rune(suffix[len(suffix)-1]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeLastRuneInString(suffix)
		}
		n++
		if n > maxLen || w.RS[endPos-n] != r {
			return n, false
		}
		suffix = suffix[:len(suffix)-size]
	}
	return n, true
}

// Find the first suffix in the word among those provided; then,
// check to see if it begins after startPos.  If it does,
// remove it.
func (w *SnowballWord) RemoveFirstSuffixIfIn(startPos int, suffixes ...string) (suffix string) {
	suffix = w.FirstSuffixIfIn(startPos, len(w.RS), suffixes...)
	suffixLength := utf8.RuneCountInString(suffix)
	if suffix != "" {
		w.RemoveLastNRunes(suffixLength)
	}
	return
}

// Removes the first suffix found that is in `word.RS[startPos:len(word.RS)]`
func (w *SnowballWord) RemoveFirstSuffixIn(startPos int, suffixes ...string) (suffix string) {
	suffix = w.FirstSuffixIn(startPos, len(w.RS), suffixes...)
	suffixLength := utf8.RuneCountInString(suffix)
	if suffix != "" {
		w.RemoveLastNRunes(suffixLength)
	}
	return
}

// Removes the first suffix found
func (w *SnowballWord) RemoveFirstSuffix(suffixes ...string) (suffix string) {
	return w.RemoveFirstSuffixIn(0, suffixes...)
}

// Return the first suffix found or the empty string.
func (w *SnowballWord) FirstSuffix(suffixes ...string) (suffix string) {
	return w.FirstSuffixIfIn(0, len(w.RS), suffixes...)
}

// SuffixSet is a list of candidate suffixes, all ASCII, grouped by their
// last byte with the list's order kept within each group (kate's change:
// FirstSuffixOf looks only at the candidates that can match the word's
// last rune, where FirstSuffix compares the word with every candidate of
// its argument list, built anew at each call).
type SuffixSet struct {
	byLast [utf8.RuneSelf][]string
}

// NewSuffixSet returns the set of suffixes, in their order. It panics on
// an empty or non-ASCII suffix.
func NewSuffixSet(suffixes ...string) *SuffixSet {
	s := &SuffixSet{}
	for _, suffix := range suffixes {
		for i := 0; i < len(suffix); i++ {
			if suffix[i] >= utf8.RuneSelf {
				panic("snowballword: non-ASCII suffix " + strconv.Quote(suffix))
			}
		}
		if suffix == "" {
			panic("snowballword: empty suffix")
		}
		c := suffix[len(suffix)-1]
		s.byLast[c] = append(s.byLast[c], suffix)
	}
	return s
}

// FirstSuffixOf returns the first suffix of the list s was made from that
// the word ends with, or the empty string: FirstSuffix(list...).
func (w *SnowballWord) FirstSuffixOf(s *SuffixSet) string {
	n := len(w.RS)
	if n == 0 {
		return ""
	}
	last := w.RS[n-1]
	if last < 0 || last >= utf8.RuneSelf {
		return ""
	}
next:
	for _, suffix := range s.byLast[last] {
		k := len(suffix)
		if k > n {
			continue
		}
		rs := w.RS[n-k : n-1]
		for i, r := range rs {
			if r != rune(suffix[i]) {
				continue next
			}
		}
		return suffix
	}
	return ""
}
