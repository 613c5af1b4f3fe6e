package kate

import (
	"context"
	"errors"
	"math"
	"time"
	"unsafe"

	"github.com/kate-web/kate/internal/kernels"
)

// Data-parallel training (docs/design.md §2.2). Count replicas train one
// model together, each holding all of it: the same inputs, configuration
// and seed give every replica the same validation split, shuffles and
// initial weights. Replica w computes only its block of each batch's fixed
// chunks (step.go), sends the block's gradients to the others and writes
// theirs into its own chunk buffers, then runs the same reduction and
// Adadelta update as one process would: every replica keeps the bits of a
// single-process run, and so does the model replica 0 returns. Every
// replica computes the validation loss itself (the same bits), so early
// stopping and the learning-rate schedule decide alike everywhere.

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
	// per batch until replica 0 dismisses the others; msg is reused after the call
	// returns, and the returned slices are read before the next call. It
	// must return when ctx is cancelled (with ctx's error or another); an
	// error ends training with it.
	Exchange func(ctx context.Context, msg []byte) ([][]byte, error)
	// Dismiss, when positive on replica 0, lets it end the others' part
	// when exchanging costs more than it saves: when, over a window of
	// dismissRounds batches, its time in Exchange (waiting for the others
	// included) exceeds Dismiss times what computing the others' chunks
	// itself would take (its own chunks' time, scaled by their number; 1:
	// the break-even, the update aside), it flags its next message; every
	// replica applies that batch's update, then replica 0 trains on alone
	// (the same bits: it holds the whole state) and the others return
	// ErrDismissed. 0 never dismisses.
	Dismiss float64
}

// ErrDismissed is returned by a replica other than 0 whose part replica 0
// ended (Replica.Dismiss).
var ErrDismissed = errors.New("kate: replica dismissed: replica 0 trains on alone")

// dismissRounds is the window of batches over which replica 0 compares
// its exchange time with its compute time (Replica.Dismiss); dismissBit
// flags the last shared batch in the first word of replica 0's message.
const (
	dismissRounds = 32
	dismissBit    = 1 << 31
)

// MaxReplicas is the largest Replica.Count: a batch is split into this many
// fixed chunks.
const MaxReplicas = trainChunks

func (r *Replica) validate() error {
	if r.Count < 1 || r.Count > MaxReplicas || r.Index < 0 || r.Index >= r.Count || (r.Count > 1 && r.Exchange == nil) {
		return errors.New("kate: replica: Count must be in [1, MaxReplicas], Index in [0, Count), and Exchange set when Count > 1")
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
	msg []uint32
	in  []uint32
	// Replica 0's compute and exchange time over the current window of
	// rounds (Replica.Dismiss), and whether this batch is the last shared.
	compute, wait time.Duration
	rounds        int
	last          bool
}

// chunks returns the chunks [lo, hi) of each batch that this replica
// computes.
func (e *exchanger) chunks() (lo, hi int) {
	return share(trainChunks, e.rep.Index, e.rep.Count)
}

// words views f as 32-bit words and bytesOf views words as bytes (native
// byte order: the replicas run the same program on one machine).
func words(f []float32) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(f))), len(f))
}

func bytesOf(w []uint32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), 4*len(w))
}

// readWords returns m (a multiple of 4 bytes) as 32-bit words: m itself
// when it is 4-byte aligned (as Go's allocations of byte slices are), else
// a copy in e.in.
func (e *exchanger) readWords(m []byte) []uint32 {
	n := len(m) / 4
	if uintptr(unsafe.Pointer(unsafe.SliceData(m)))%4 == 0 {
		return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(m))), n)
	}
	if cap(e.in) < n {
		e.in = make([]uint32, n)
	}
	in := e.in[:n]
	copy(bytesOf(in), m)
	return in
}

// shareGradients runs the exchange of a batch's gradients: this replica's
// chunks [lo, hi) go to the others, and their chunks are written into
// t.ws, which then hold what one process would have computed.
//
// A replica whose block starts at chunk 0 first adds its chunks into chunk
// 0 (((g0 + g1) + ...) in the reduction's order) and clears the others: the
// reduction then adds exact zeros to that sum, which changes no bit (a
// gradient sum that starts at +0 is never -0), and the message is smaller.
//
// A message is 32-bit words: the number of parts, then per part its chunk,
// its loss (float64, two words), gB (K), gC (V), the number of non-zero
// rows of its weight gradient, their indices and their values.
func (t *trainer) shareGradients(ctx context.Context, lo, hi int) error {
	e := t.ex
	if lo == 0 && hi-lo > 1 {
		w0 := t.ws[0]
		for c := 1; c < hi; c++ {
			w := t.ws[c]
			w0.loss += w.loss
			w.loss = 0
			for _, g := range [][2][]float32{{w.gW, w0.gW}, {w.gB, w0.gB}, {w.gC, w0.gC}} {
				kernels.Axpy(1, g[0], g[1])
				clear(g[0])
			}
		}
		hi = 1
	}
	rows, rowLen := t.m.params.Dim, t.v
	if t.layoutT {
		rows, rowLen = t.v, t.m.params.Dim
	}
	first := uint32(hi - lo)
	if e.rep.Index == 0 && e.rep.Dismiss > 0 && e.rounds == dismissRounds {
		a, b := e.chunks()
		own := b - a // replica 0's chunks (hi is 1 once they are summed)
		if float64(e.wait) > e.rep.Dismiss*float64(e.compute)*float64(trainChunks-own)/float64(own) {
			e.last = true
			first |= dismissBit
		}
		e.compute, e.wait, e.rounds = 0, 0, 0
	}
	msg := append(e.msg[:0], first)
	for c := lo; c < hi; c++ {
		ws := t.ws[c]
		l := math.Float64bits(ws.loss)
		msg = appendWords(msg, []uint32{uint32(c), uint32(l), uint32(l >> 32)})
		msg = appendWords(msg, words(ws.gB))
		msg = appendWords(msg, words(ws.gC))
		n0 := len(msg)
		msg = append(msg, 0)
		for r := range rows {
			if !zeroRow(words(ws.gW[r*rowLen : (r+1)*rowLen])) {
				msg = append(msg, uint32(r))
			}
		}
		nz := len(msg) - n0 - 1
		msg[n0] = uint32(nz)
		for q := range nz {
			r := int(msg[n0+1+q])
			msg = appendWords(msg, words(ws.gW[r*rowLen:(r+1)*rowLen]))
		}
	}
	e.msg = msg
	in, err := e.rep.Exchange(ctx, bytesOf(msg))
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
		if len(m)%4 != 0 || len(m) == 0 {
			return errorf("kate: the message of replica %d: %w", w, errMalformed)
		}
		mw := e.readWords(m)
		if w == 0 && mw[0]&dismissBit != 0 {
			e.last = true
		}
		if !t.readGradients(mw, rows, rowLen) {
			return errorf("kate: the message of replica %d: %w", w, errMalformed)
		}
	}
	return nil
}

var errMalformed = errors.New("truncated or malformed")

// readGradients writes the parts of another replica's message m into the
// chunk buffers (zero until now: the last update cleared them); false when
// m is malformed.
func (t *trainer) readGradients(m []uint32, rows, rowLen int) bool {
	k, v := t.m.params.Dim, t.v
	parts := int(m[0] &^ dismissBit)
	m = m[1:]
	for range parts {
		if len(m) < 4+k+v || m[0] >= trainChunks {
			return false
		}
		ws := t.ws[m[0]]
		ws.loss = math.Float64frombits(uint64(m[1]) | uint64(m[2])<<32)
		m = m[3+copy(words(ws.gB), m[3:3+k]):]
		m = m[copy(words(ws.gC), m[:v]):]
		nz := int(m[0])
		m = m[1:]
		if nz > rows || len(m) < nz*(1+rowLen) {
			return false
		}
		idx, data := m[:nz], m[nz:]
		for q, r := range idx {
			if int(r) >= rows {
				return false
			}
			copy(words(ws.gW[int(r)*rowLen:(int(r)+1)*rowLen]), data[q*rowLen:(q+1)*rowLen])
		}
		m = data[nz*rowLen:]
	}
	return len(m) == 0
}

// appendWords is append(dst, src...), once in the binary.
//
//go:noinline
func appendWords(dst, src []uint32) []uint32 { return append(dst, src...) }

// zeroRow reports whether every word of r is 0 (a -0 counts as non-zero,
// so that its bits travel).
func zeroRow(r []uint32) bool {
	for _, x := range r {
		if x != 0 {
			return false
		}
	}
	return true
}
