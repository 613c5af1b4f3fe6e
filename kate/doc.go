// Package kate is KATE, the k-competitive autoencoder for text (Chen and
// Zaki, KDD 2017), in pure Go: it turns documents into dense embeddings and
// topics, trains deterministically (the same data and seed give the same
// model bytes natively, under WebAssembly and with the SIMD kernels), and
// reads and writes a portable model file. docs/design.md is the account of
// the model, the speed plan, the file format and the architecture that the
// comments here cite by section.
//
// # Use
//
// Train a model on raw texts with Train (or build the vocabulary once with
// BuildCorpus or a CorpusBuilder and train several models with
// TrainCorpus; TrainVectors takes pre-tokenised bag-of-words vectors).
// A Model encodes texts (Encode, EncodeTo, a Vectorizer for reuse without
// allocation), ranks neighbours from its origin (Nearest), lists topics
// (Topics, TopicsBy, TopicDocuments), explains the competition for one
// document (Explain), and is saved and loaded with Save, Load and
// UnmarshalModel. Errors are one line; a malformed model file wraps
// ErrFormat, a refusal for memory wraps ErrMemory.
//
// # Files
//
//	text.go         TextOptions, tokenisation, stopwords, stemming (§1.1)
//	tokencache.go   the one cache of raw tokens (corpus building, Vectorizer)
//	scan.go         the check of a token scanner kernel (kernels.Set.ScanTokens)
//	vocab.go        Vocabulary, SparseVector, the log-max input vector (§1.1)
//	corpus.go       Corpus, BuildCorpus, CorpusBuilder, memory accounting
//	model.go        Params, Model, encoding, Vectorizer (§1.2)
//	competition.go  the k-competitive layer, forward and backward (§1.2, §1.3)
//	config.go       Config, DefaultConfig, Config.Validate (§1.4)
//	train.go        Train, TrainCorpus, TrainVectors and the loop over epochs (§1.4)
//	step.go         one gradient step: a document's forward and backward pass, a batch (§2, §6)
//	group.go        natively, the exact loss's chunk in groups of documents (§2)
//	group_native.go the documents per group natively (trainGroup)
//	group_wasm.go   no groups in the WebAssembly build
//	optimizer.go    the reduction of a batch's chunks and Adadelta (§1.4)
//	arena_linux.go  training's K x V buffers in an arena of 2 MB pages (Linux, §2)
//	arena_other.go  no arena elsewhere: the Go heap
//	sampling.go     reconstruction sampling, an option (§2.1)
//	replica.go      data-parallel training: Replica, the exchange of chunk gradients (§2.2)
//	query.go        Nearest, Explain, the origin (§1.5)
//	topics.go       topic ranking and TopicDocuments (§1.5)
//	file.go         the model file: Save, Load, UnmarshalModel (§5)
//	pca.go          PCA for the demo's map
//	limits.go       the limits every door checks against (docs/limits.md)
//	errorf.go       fmt-free error formatting (keeps the WebAssembly build small); ErrFormat, ErrMemory
//	version.go      Version, FormatVersion
//
// The hot float32 kernels and elementary functions live in
// internal/kernels and internal/mathf, so that the WebAssembly bridge can
// install SIMD kernels without widening this package's API.
package kate
