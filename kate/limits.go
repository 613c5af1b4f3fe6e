package kate

// The limits on a model and its training, enforced by Config.Validate,
// Params.Validate and the model file; the command-line tool checks its
// flags against them and the WebAssembly bridge hands them to the
// JavaScript library (docs/limits.md).
const (
	// MaxDim is the largest dimension K.
	MaxDim = 4096
	// MaxWeights bounds V*K (for example V = 65,536 terms at K = 512), so
	// that a model's weights take at most 128 MiB and training, which keeps
	// nine arrays of that size (weights, their transposed copy, the
	// best-epoch snapshot, two Adadelta accumulators, four gradient parts),
	// stays within WebAssembly's 4 GiB.
	MaxWeights = 1 << 25
	// MaxVocabulary is the largest vocabulary size accepted anywhere.
	MaxVocabulary = 1 << 20
	// MaxAlpha is the largest alpha training accepts. The training loss
	// grows in proportion to alpha (about 0.09·alpha per output on the
	// bundled sample) while the validation loss does not improve past
	// alpha = 30, and above about 100 training slows down tenfold.
	MaxAlpha = 100
	// MaxSampling is the largest Config.Sampling (zero outputs drawn per
	// non-zero input under reconstruction sampling).
	MaxSampling = 1000
	// MaxModelBytes is the largest model file Load accepts: above the
	// largest valid model (2^25 weights, 128 MiB, plus a vocabulary of at
	// most 2^20 terms of up to 255 bytes).
	MaxModelBytes = 512 << 20
)
