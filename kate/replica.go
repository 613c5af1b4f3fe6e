package kate

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
	"github.com/kate-web/kate/internal/parallel"
)

// Data-parallel training (docs/design.md §2.2). Count replicas train one
// model together, each holding all of it: the same inputs, configuration
// and seed give every replica the same validation split, shuffles and
// initial weights. Replica w computes only its block of each batch's fixed
// chunks (step.go), sends the block's gradients to the others and writes
// theirs into its own chunk buffers, then runs the same reduction and
// Adadelta update as one process would: every replica keeps the bits of a
// single-process run, and so does the model replica 0 returns.

// Replica makes a training run one of Count replicas that train one model
// together (TrainOptions.Replica). Every replica must be given the same
// inputs, configuration and seed.
type Replica struct {
	// Index is this replica's place in [0, Count). Replica 0 reports
	// progress and its model is the result; the others return a model with
	// the same weights but no topic ranking.
	Index, Count int
	// Exchange sends msg to every other replica and returns the messages
	// they sent in the same round, indexed by replica (the entry at Index
	// is ignored). Every replica calls it the same number of times, once
	// per batch and once per validation; msg is reused after the call
	// returns, and the returned slices are read before the next call. It
	// must return when ctx is cancelled (with ctx's error or another); an
	// error ends training with it.
	Exchange func(ctx context.Context, msg []byte) ([][]byte, error)
}

// MaxReplicas is the largest Replica.Count: a batch is split into this many
// fixed chunks.
const MaxReplicas = trainChunks

func (r *Replica) validate() error {
	if r.Count < 1 || r.Count > MaxReplicas {
		return errorf("kate: replica count %d is out of range [1, %d]", r.Count, MaxReplicas)
	}
	if r.Index < 0 || r.Index >= r.Count {
		return errorf("kate: replica index %d is out of range [0, %d)", r.Index, r.Count)
	}
	if r.Count > 1 && r.Exchange == nil {
		return errors.New("kate: replicas need an Exchange function")
	}
	return nil
}

// share returns the part [lo, hi) of n items that replica w of count
// handles (contiguous, in order).
func share(n, w, count int) (lo, hi int) {
	return w * n / count, (w + 1) * n / count
}

// exchanger is a trainer's side of the replicas' exchange: its message
// buffer and what it reads from the others.
type exchanger struct {
	rep *Replica
	msg []byte
}

// chunks returns the chunks [lo, hi) of each batch that this replica
// computes.
func (e *exchanger) chunks() (lo, hi int) {
	return share(trainChunks, e.rep.Index, e.rep.Count)
}

// float32Bytes views f as bytes (native byte order: the replicas run the
// same program on one machine).
func float32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))
}

func float64Bytes(f []float64) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 8*len(f))
}

// shareGradients runs the exchange of a batch's gradients: this replica's
// chunks [lo, hi) go to the others, and their chunks are written into
// t.ws, which then hold what one process would have computed.
//
// A replica whose block starts at chunk 0 first adds its chunks into chunk
// 0 (((g0 + g1) + ...) in the reduction's order) and clears the others: the
// reduction then adds exact zeros to that sum, which changes no bit (a
// gradient sum that starts at +0 is never -0), and the message is smaller.
// Each part sends the rows of its weight gradient that are not all zero.
func (t *trainer) shareGradients(ctx context.Context, lo, hi int) error {
	e := t.ex
	if lo == 0 && hi-lo > 1 {
		w0 := t.ws[0]
		for c := 1; c < hi; c++ {
			w := t.ws[c]
			w0.loss += w.loss
			w.loss = 0
			kernels.Axpy(1, w.gW, w0.gW)
			kernels.Axpy(1, w.gB, w0.gB)
			kernels.Axpy(1, w.gC, w0.gC)
			clear(w.gW)
			clear(w.gB)
			clear(w.gC)
		}
		hi = 1
	}
	rows, rowLen := t.m.params.Dim, t.v
	if t.layoutT {
		rows, rowLen = t.v, t.m.params.Dim
	}
	msg := e.msg[:0]
	msg = binary.NativeEndian.AppendUint32(msg, uint32(hi-lo))
	for c := lo; c < hi; c++ {
		ws := t.ws[c]
		msg = binary.NativeEndian.AppendUint32(msg, uint32(c))
		msg = binary.NativeEndian.AppendUint64(msg, math.Float64bits(ws.loss))
		msg = append(msg, float32Bytes(ws.gB)...)
		msg = append(msg, float32Bytes(ws.gC)...)
		// The non-zero rows: their count, their indices, their values.
		n0 := len(msg)
		msg = binary.NativeEndian.AppendUint32(msg, 0)
		nz := 0
		for r := range rows {
			if !zeroRow(ws.gW[r*rowLen : (r+1)*rowLen]) {
				msg = binary.NativeEndian.AppendUint32(msg, uint32(r))
				nz++
			}
		}
		binary.NativeEndian.PutUint32(msg[n0:], uint32(nz))
		idx := msg[n0+4:]
		for q := range nz {
			r := int(binary.NativeEndian.Uint32(idx[4*q:]))
			msg = append(msg, float32Bytes(ws.gW[r*rowLen:(r+1)*rowLen])...)
			idx = msg[n0+4:] // append may have moved msg
		}
	}
	e.msg = msg
	in, err := e.rep.Exchange(ctx, msg)
	if err != nil {
		return err
	}
	if len(in) < e.rep.Count {
		return errors.New("kate: the replicas' exchange returned too few messages")
	}
	for w, m := range in[:e.rep.Count] {
		if w == e.rep.Index {
			continue
		}
		if err := t.readGradients(m, rows, rowLen); err != nil {
			return errorf("kate: the message of replica %d: %w", w, err)
		}
	}
	return nil
}

var errShort = errors.New("truncated or malformed")

// readGradients writes the parts of another replica's message m into the
// chunk buffers (zero until now: the last update cleared them).
func (t *trainer) readGradients(m []byte, rows, rowLen int) error {
	k, v := t.m.params.Dim, t.v
	if len(m) < 4 {
		return errShort
	}
	parts := int(binary.NativeEndian.Uint32(m))
	m = m[4:]
	for range parts {
		if len(m) < 12+4*(k+v)+4 {
			return errShort
		}
		c := int(binary.NativeEndian.Uint32(m))
		if c < 0 || c >= trainChunks {
			return errShort
		}
		ws := t.ws[c]
		ws.loss = math.Float64frombits(binary.NativeEndian.Uint64(m[4:]))
		m = m[12:]
		m = m[copy(float32Bytes(ws.gB), m[:4*k]):]
		m = m[copy(float32Bytes(ws.gC), m[:4*v]):]
		nz := int(binary.NativeEndian.Uint32(m))
		m = m[4:]
		if nz > rows || len(m) < nz*(4+4*rowLen) {
			return errShort
		}
		idx, data := m[:4*nz], m[4*nz:]
		for q := range nz {
			r := int(binary.NativeEndian.Uint32(idx[4*q:]))
			if r >= rows {
				return errShort
			}
			copy(float32Bytes(ws.gW[r*rowLen:(r+1)*rowLen]), data[4*q*rowLen:4*(q+1)*rowLen])
		}
		m = data[4*nz*rowLen:]
	}
	if len(m) != 0 {
		return errShort
	}
	return nil
}

// zeroRow reports whether every element of r is +0 (a -0 counts as
// non-zero, so that its bits travel).
func zeroRow(r []float32) bool {
	for _, x := range r {
		if math.Float32bits(x) != 0 {
			return false
		}
	}
	return true
}

// validationShared returns validationLoss(docs) computed together: each
// replica computes the losses of its share of the documents, the replicas
// exchange them, and every replica sums all of them in document order.
func (t *trainer) validationShared(ctx context.Context, docs []SparseVector) (float64, error) {
	e := t.ex
	n := len(docs)
	losses := make([]float64, n)
	lo, hi := share(n, e.rep.Index, e.rep.Count)
	t.docLosses(docs, losses, lo, hi)
	in, err := e.rep.Exchange(ctx, float64Bytes(losses[lo:hi]))
	if err != nil {
		return 0, err
	}
	if len(in) < e.rep.Count {
		return 0, errors.New("kate: the replicas' exchange returned too few messages")
	}
	for w, m := range in[:e.rep.Count] {
		if w == e.rep.Index {
			continue
		}
		a, b := share(n, w, e.rep.Count)
		if len(m) != 8*(b-a) {
			return 0, errorf("kate: the message of replica %d: %w", w, errShort)
		}
		copy(float64Bytes(losses[a:b]), m)
	}
	return t.sumLosses(losses), nil
}

// docLosses sets losses[d] for d in [lo, hi) to the reconstruction loss of
// docs[d] without competition.
func (t *trainer) docLosses(docs []SparseVector, losses []float64, lo, hi int) {
	m := t.m
	parallel.Blocks(hi-lo, 16, func(a, b int) {
		k := m.params.Dim
		z := make([]float32, k)
		y := make([]float32, 2*t.v)
		rows := make([]int32, 0, k)
		for d := lo + a; d < lo+b; d++ {
			losses[d] = reconstructLoss(m, docs[d], z, y, rows)
		}
	})
}
