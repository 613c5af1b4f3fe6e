// Package eval measures how good KATE's document codes are, as in the paper
// (Chen & Zaki 2017, docs/design.md §3): a multinomial logistic regression
// (softmax) or, for multi-label corpora, independent sigmoid outputs trained
// on the codes of the training documents and scored on the test documents;
// retrieval precision at fractions of the training database; topic
// distinctness (MSCD) over the columns of W; and an LSA baseline (truncated
// SVD of the same input matrix at the same dimension) that goes through the
// same classifier and retrieval.
//
// The pieces (TrainSoftmax, TrainSigmoid, RetrievalPrecision, MSCD, FitLSA)
// work on plain row-major float32 matrices and can be used on their own;
// Run ties them together for a labelled corpus split into train and test
// documents.
package eval
