package kate

import (
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/kate-web/kate/internal/snowball/english"
)

// TextOptions selects the preprocessing applied to raw text before it is
// mapped onto the vocabulary (docs/design.md §1.1). The zero value turns both
// stemming and stopword removal off; DefaultTextOptions turns both on, as
// the paper did.
type TextOptions struct {
	// Stem applies the Snowball (Porter 2) English stemmer to every token.
	Stem bool
	// Stopwords drops English stopwords (checked before stemming).
	Stopwords bool
}

// DefaultTextOptions returns the paper's preprocessing: stemming and
// stopword removal both on.
func DefaultTextOptions() TextOptions { return TextOptions{Stem: true, Stopwords: true} }

// maxTokenBytes bounds the length of a token; longer runs of letters are
// cut, so that one pathological input cannot create huge strings.
const maxTokenBytes = 64

// maxCacheEntries bounds one generation of a Vectorizer's token cache.
const maxCacheEntries = 1 << 17

// Tokens returns the terms of text in order of appearance, as the model
// sees them: lower-case, ASCII punctuation and every other non-letter,
// non-digit character as separators, all-digit tokens dropped, then
// stopword removal and stemming as o says (docs/design.md §1.1).
func (o TextOptions) Tokens(text string) []string {
	var out []string
	var buf []byte
	forEachRawToken(text, &buf, func(raw []byte) {
		if term := processToken(string(raw), o); term != "" {
			out = append(out, term)
		}
	})
	return out
}

// processToken applies the digit filter, stopwords and stemming to one
// lower-cased raw token. It returns "" when the token is dropped.
func processToken(tok string, opts TextOptions) string {
	if dropToken(tok, opts) {
		return ""
	}
	if opts.Stem {
		// The raw token is lower case and has no white space, as
		// StemLowerRunes needs (TestRawTokensLower).
		tok = string(english.StemLowerRunes(tok, nil))
		if tok == "" {
			return ""
		}
	}
	return tok
}

// dropToken reports whether processToken drops the raw token tok before
// stemming: all digits, or a stopword when opts removes them.
func dropToken(tok string, opts TextOptions) bool {
	return dropRaw(unsafe.Slice(unsafe.StringData(tok), len(tok)), opts)
}

// dropRaw is dropToken for a token given as its bytes.
func dropRaw(raw []byte, opts TextOptions) bool {
	allDigits := true
	for i := 0; i < len(raw); {
		// The runes of string(raw), without copying raw into a string.
		r, size := rune(raw[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(raw[i:])
		}
		if !unicode.IsDigit(r) {
			allDigits = false
			break
		}
		i += size
	}
	return allDigits || opts.Stopwords && isStopwordRaw(raw)
}

// forEachRawToken calls fn with every maximal run of letters and digits in
// text, lower-cased (ASCII fast path, Unicode otherwise), truncated to
// maxTokenBytes. The slice passed to fn is only valid during the call.
// Invalid UTF-8 bytes are separators.
func forEachRawToken(text string, buf *[]byte, fn func(raw []byte)) {
	b := *buf
	for i := 0; i < len(text); {
		start := i
		if b, i = readToken(b[:0], text, i); len(b) > 0 {
			fn(b)
		} else if i == start {
			i++ // an ASCII separator
		}
	}
	*buf = b[:0]
}

// readToken appends to b the lower-cased token of forEachRawToken that
// starts at text[i] (none when text[i] starts a separator) and returns it
// with the index of the separator that ended it (after it, when it was a
// non-ASCII rune or an invalid byte).
func readToken(b []byte, text string, i int) ([]byte, int) {
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			l := asciiLower[c]
			if l == 0 {
				break
			}
			if len(b) < maxTokenBytes {
				b = append(b, l)
			}
			i++
			continue
		}
		var ok bool
		if b, i, ok = appendRune(b, text, i); !ok {
			break
		}
	}
	return b, i
}

// appendRune decodes the non-ASCII rune at text[i]: when it is a letter or
// a digit it appends its lower case to the token b (unless that would pass
// maxTokenBytes) and reports true; otherwise (a separator, or an invalid
// byte) it reports false. It returns the index after the rune.
func appendRune(b []byte, text string, i int) ([]byte, int, bool) {
	r, size := utf8.DecodeRuneInString(text[i:])
	i += size
	if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		r = unicode.ToLower(r)
		if len(b)+utf8.RuneLen(r) <= maxTokenBytes {
			b = utf8.AppendRune(b, r)
		}
		return b, i, true
	}
	return b, i, false
}

// asciiLower maps an ASCII letter or digit to its lower case, and every
// other ASCII byte (a separator) to 0.
var asciiLower = func() (t [utf8.RuneSelf]byte) {
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c
	}
	for c := byte('a'); c <= 'z'; c++ {
		t[c] = c
		t[c-'a'+'A'] = c
	}
	return t
}()

// isStopword reports whether the lower-case word w is in the English
// stopword list used by the tokenizer.
func isStopword(w string) bool {
	return isStopwordRaw(unsafe.Slice(unsafe.StringData(w), len(w)))
}

// isStopwordRaw is isStopword for a word given as its bytes.
func isStopwordRaw(w []byte) bool {
	_, ok := stopwords.get(w, tokenHash(w))
	return ok
}

// stopwords holds stopwordList in a tokenTable (a Go map's hashing cost
// more under WebAssembly; docs/speed.md, "Encoding new text (sixth
// session)").
var stopwords = func() *tokenTable {
	t := newTokenTable()
	for _, w := range stopwordList {
		if h := tokenHash([]byte(w)); !isIn(t, w, h) {
			t.put(w, h, 0)
		}
	}
	return t
}()

func isIn(t *tokenTable, w string, h uint32) bool {
	_, ok := t.get([]byte(w), h)
	return ok
}

// stopwordList is a general English stopword list (function words, pronouns,
// auxiliaries, common adverbs), in the spirit of the lists used by
// scikit-learn and NLTK.
var stopwordList = []string{
	"a", "about", "above", "across", "after", "afterwards", "again", "against",
	"all", "almost", "alone", "along", "already", "also", "although", "always",
	"am", "among", "amongst", "an", "and", "another", "any", "anyhow", "anyone",
	"anything", "anyway", "anywhere", "are", "around", "as", "at", "be",
	"became", "because", "become", "becomes", "becoming", "been", "before",
	"beforehand", "behind", "being", "below", "beside", "besides", "between",
	"beyond", "both", "but", "by", "can", "cannot", "could", "couldn", "d",
	"did", "didn", "do", "does", "doesn", "doing", "don", "done", "down",
	"due", "during", "each", "eg", "either", "else", "elsewhere", "enough",
	"etc", "even", "ever", "every", "everyone", "everything", "everywhere",
	"except", "few", "for", "former", "formerly", "from", "further", "had",
	"hadn", "has", "hasn", "have", "haven", "having", "he", "hence", "her",
	"here", "hereafter", "hereby", "herein", "hereupon", "hers", "herself",
	"him", "himself", "his", "how", "however", "i", "ie", "if", "in", "inc",
	"indeed", "into", "is", "isn", "it", "its", "itself", "just", "latter",
	"latterly", "least", "less", "ll", "ltd", "m", "many", "may", "me",
	"meanwhile", "might", "mine", "more", "moreover", "most", "mostly", "much",
	"must", "mustn", "my", "myself", "namely", "neither", "never",
	"nevertheless", "next", "no", "nobody", "none", "noone", "nor", "not",
	"nothing", "now", "nowhere", "o", "of", "off", "often", "on", "once",
	"only", "onto", "or", "other", "others", "otherwise", "our", "ours",
	"ourselves", "out", "over", "own", "per", "perhaps", "please", "rather",
	"re", "s", "same", "seem", "seemed", "seeming", "seems", "several", "she",
	"should", "shouldn", "since", "so", "some", "somehow", "someone",
	"something", "sometime", "sometimes", "somewhere", "still", "such", "t",
	"than", "that", "the", "their", "theirs", "them", "themselves", "then",
	"thence", "there", "thereafter", "thereby", "therefore", "therein",
	"thereupon", "these", "they", "this", "those", "though", "through",
	"throughout", "thru", "thus", "to", "together", "too", "toward", "towards",
	"under", "until", "up", "upon", "us", "ve", "very", "via", "was", "wasn",
	"we", "well", "were", "weren", "what", "whatever", "when", "whence",
	"whenever", "where", "whereafter", "whereas", "whereby", "wherein",
	"whereupon", "wherever", "whether", "which", "while", "whither", "who",
	"whoever", "whole", "whom", "whose", "why", "will", "with", "within",
	"without", "won", "would", "wouldn", "y", "yet", "you", "your", "yours",
	"yourself", "yourselves",
}
