package kate

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// hub connects count replicas running in goroutines: Exchange(w) sends a
// copy of the message to every other replica over buffered channels and
// receives theirs. tamper, when set, may change or fail replica w's round.
type hub struct {
	count int
	// dismiss sets Replica.Dismiss; dismissed counts the replicas that
	// returned ErrDismissed.
	dismiss   float64
	dismissed atomic.Int32
	ch        [][]chan []byte // ch[from][to]
	mu        sync.Mutex
	rounds    []int
	tamper    func(w, round int, msg []byte) ([]byte, error)
}

func newHub(count int) *hub {
	h := &hub{count: count, rounds: make([]int, count)}
	h.ch = make([][]chan []byte, count)
	for i := range h.ch {
		h.ch[i] = make([]chan []byte, count)
		for j := range h.ch[i] {
			h.ch[i][j] = make(chan []byte, 1)
		}
	}
	return h
}

func (h *hub) exchange(w int) func(context.Context, []byte) ([][]byte, error) {
	return func(ctx context.Context, msg []byte) ([][]byte, error) {
		h.mu.Lock()
		round := h.rounds[w]
		h.rounds[w]++
		h.mu.Unlock()
		out := bytes.Clone(msg)
		if h.tamper != nil {
			var err error
			if out, err = h.tamper(w, round, out); err != nil {
				return nil, err
			}
		}
		for j := range h.count {
			if j != w {
				h.ch[w][j] <- out
			}
		}
		in := make([][]byte, h.count)
		for j := range h.count {
			if j == w {
				continue
			}
			select {
			case in[j] = <-h.ch[j][w]:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return in, nil
	}
}

// trainReplicas trains count replicas of cfg on c together and returns
// their models (or the first error; the others are cancelled), and how
// many progress reports each made.
func trainReplicas(t *testing.T, c *Corpus, cfg Config, count int, h *hub) ([]*Model, []int, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	models := make([]*Model, count)
	errs := make([]error, count)
	reports := make([]int, count)
	var wg sync.WaitGroup
	for w := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt := TrainOptions{Replica: &Replica{Index: w, Count: count, Exchange: h.exchange(w), Dismiss: h.dismiss},
				Progress: func(Progress) { reports[w]++ }}
			models[w], errs[w] = TrainCorpus(ctx, c, cfg, opt)
			if errors.Is(errs[w], ErrDismissed) {
				h.dismissed.Add(1)
				errs[w] = nil
			} else if errs[w] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, reports, err
		}
	}
	return models, reports, errors.Join(errs...)
}

func TestReplicasTrainTheSameModel(t *testing.T) {
	texts, _ := synthCorpus(400, 4, 3)
	base := smallConfig()
	base.MinInputs = 0 // let early stopping and the learning-rate schedule act
	base.Epochs = 40
	base.StopPatience, base.ReducePatience, base.MinDelta = 2, 1, 5e-3
	sampled := base
	sampled.Sampling = 2
	// With a minimum improvement of 5e-3 its validation loss (with
	// competition) improves in every one of the 40 epochs here; 1e-2 stops
	// it (at epoch 10).
	sampled.MinDelta = 1e-2
	noGrad := base
	noGrad.Grad = GradNone
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"exact", base}, {"sampling", sampled}, {"grad-none", noGrad}} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := BuildCorpus(texts, tc.cfg.Text, tc.cfg.VocabSize)
			if err != nil {
				t.Fatal(err)
			}
			one, err := TrainCorpus(context.Background(), c, tc.cfg, TrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := one.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			wantEmb := one.Encode(texts[:20])
			for _, count := range []int{1, 2, 3, 4} {
				models, reports, err := trainReplicas(t, c, tc.cfg, count, newHub(count))
				if err != nil {
					t.Fatalf("%d replicas: %v", count, err)
				}
				got, err := models[0].MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%d replicas: replica 0's model differs from one process's (%d vs %d bytes)", count, len(got), len(want))
				}
				if reports[0] == 0 {
					t.Errorf("%d replicas: replica 0 reported no progress", count)
				}
				for w := 1; w < count; w++ {
					if reports[w] != 0 {
						t.Errorf("%d replicas: replica %d reported progress %d times", count, w, reports[w])
					}
					emb := models[w].Encode(texts[:20])
					for i := range emb {
						if emb[i] != wantEmb[i] {
							t.Fatalf("%d replicas: replica %d's embedding differs at %d: %v vs %v", count, w, i, emb[i], wantEmb[i])
						}
					}
				}
				if info, want := models[0].Info(), one.Info(); info.Epochs != want.Epochs || info.BestEpoch != want.BestEpoch || info.ValLoss != want.ValLoss {
					t.Errorf("%d replicas: info %+v, want %+v", count, info, want)
				}
			}
			if one.Info().Epochs == tc.cfg.Epochs && one.Info().BestEpoch == tc.cfg.Epochs {
				t.Errorf("%s: every epoch improved; early stopping was not exercised (%+v)", tc.name, one.Info())
			}
		})
	}
}

func TestReplicaErrors(t *testing.T) {
	texts, _ := synthCorpus(200, 4, 5)
	cfg := smallConfig()
	c, err := BuildCorpus(texts, cfg.Text, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Replica{
		{Index: 0, Count: 0},
		{Index: 0, Count: MaxReplicas + 1, Exchange: newHub(1).exchange(0)},
		{Index: 2, Count: 2, Exchange: newHub(2).exchange(0)},
		{Index: -1, Count: 2, Exchange: newHub(2).exchange(0)},
		{Index: 0, Count: 2},
	} {
		_, err := TrainCorpus(context.Background(), c, cfg, TrainOptions{Replica: &r})
		if err == nil || !strings.HasPrefix(err.Error(), "kate: replica") {
			t.Errorf("%+v: error %v, want a replica error", r, err)
		}
	}

	// A failing exchange ends training with its error.
	h := newHub(2)
	boom := errors.New("the peer is gone")
	h.tamper = func(w, round int, msg []byte) ([]byte, error) {
		if w == 1 && round == 3 {
			return nil, boom
		}
		return msg, nil
	}
	if _, _, err := trainReplicas(t, c, cfg, 2, h); !errors.Is(err, boom) {
		t.Errorf("failing exchange: error %v, want %v", err, boom)
	}

	// A malformed message is refused with a one-line error.
	for _, cut := range []int{0, 3, 20, -4} {
		h = newHub(2)
		h.tamper = func(w, round int, msg []byte) ([]byte, error) {
			if w == 1 && round == 2 {
				if cut < 0 {
					return append(msg[:len(msg)+cut:len(msg)+cut], 9, 9, 9, 9, 9, 9, 9, 9), nil
				}
				return msg[:cut], nil
			}
			return msg, nil
		}
		_, _, err := trainReplicas(t, c, cfg, 2, h)
		if err == nil || !strings.Contains(err.Error(), "the message of replica 1: truncated or malformed") {
			t.Errorf("message cut at %d: error %v", cut, err)
		}
	}
}

// oneProcess returns a corpus of n synthetic texts (seed), the small
// configuration, and the bytes of the model one process trains on them.
func oneProcess(t *testing.T, n int, seed uint64) (*Corpus, Config, []byte) {
	t.Helper()
	texts, _ := synthCorpus(n, 4, seed)
	cfg := smallConfig()
	c, err := BuildCorpus(texts, cfg.Text, cfg.VocabSize)
	if err != nil {
		t.Fatal(err)
	}
	one, err := TrainCorpus(context.Background(), c, cfg, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := one.MarshalBinary()
	return c, cfg, want
}

// Messages that do not start at a 4-byte boundary are read through a copy,
// to the same model.
func TestReplicaUnalignedMessages(t *testing.T) {
	c, cfg, want := oneProcess(t, 200, 7)
	h := newHub(2)
	var odd atomic.Int32
	h.tamper = func(w, round int, msg []byte) ([]byte, error) {
		m := make([]byte, len(msg)+1)[1:]
		copy(m, msg)
		if uintptr(unsafe.Pointer(unsafe.SliceData(m)))%4 != 0 {
			odd.Add(1)
		}
		return m, nil
	}
	models, _, err := trainReplicas(t, c, cfg, 2, h)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := models[0].MarshalBinary()
	if !bytes.Equal(got, want) {
		t.Error("the model trained with unaligned messages differs from one process's")
	}
	if odd.Load() == 0 {
		t.Error("no message was unaligned")
	}
}

// Replica 0 ends the others' part when they make it wait longer than it
// computes (Replica.Dismiss), and trains on alone to the same model.
func TestReplicaDismissed(t *testing.T) {
	c, cfg, want := oneProcess(t, 400, 9)
	for _, tc := range []struct {
		dismiss   float64
		slow      bool
		dismissed int32
	}{{1, true, 2}, {0, true, 0}} {
		h := newHub(3)
		h.dismiss = tc.dismiss
		var rounds atomic.Int32
		h.tamper = func(w, round int, msg []byte) ([]byte, error) {
			if w == 0 {
				rounds.Add(1)
			}
			if w == 2 && tc.slow {
				time.Sleep(3 * time.Millisecond)
			}
			return msg, nil
		}
		models, _, err := trainReplicas(t, c, cfg, 3, h)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := models[0].MarshalBinary()
		if !bytes.Equal(got, want) {
			t.Errorf("%+v: replica 0's model differs from one process's", tc)
		}
		if n := h.dismissed.Load(); n != tc.dismissed {
			t.Errorf("%+v: %d replicas dismissed, want %d", tc, n, tc.dismissed)
		}
		// dismissRounds batches, then the flagged one.
		if tc.dismissed > 0 && rounds.Load() != dismissRounds+1 {
			t.Errorf("%+v: replica 0 exchanged %d times, want %d", tc, rounds.Load(), dismissRounds+1)
		}
	}
}
