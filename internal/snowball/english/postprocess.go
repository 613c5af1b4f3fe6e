package english

import (
	"github.com/kate-web/kate/internal/snowball/snowballword"
)

// Applies transformations necessary after
// a word has been completely processed.
func postprocess(word *snowballword.SnowballWord) {

	uncapitalizeYs(word)
}
