package eval

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// blobs returns n points per class around well-separated centres in dim
// dimensions (row-major) and their labels.
func blobs(rng *rand.Rand, classes, n, dim int, spread float64) ([]float32, []int) {
	centres := make([][]float64, classes)
	for c := range centres {
		centres[c] = make([]float64, dim)
		centres[c][c%dim] = 10 * float64(1+c/dim)
	}
	var x []float32
	var y []int
	for i := range classes * n {
		c := i % classes
		for j := range dim {
			x = append(x, float32(centres[c][j]+float64(spread*rng.NormFloat64())))
		}
		y = append(y, c)
	}
	return x, y
}

func TestSoftmaxSeparable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := blobs(rng, 4, 50, 6, 1)
	xt, yt := blobs(rng, 4, 30, 6, 1)
	c, err := TrainSoftmax(context.Background(), x, 6, y, 4, ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := c.Predict(xt)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := Accuracy(pred, yt)
	if err != nil {
		t.Fatal(err)
	}
	if acc != 1 {
		t.Errorf("accuracy on separable classes = %v, want 1", acc)
	}
	if !slices.Contains(DefaultLambdas, c.Lambda) {
		t.Errorf("chosen lambda %v is not in the grid %v", c.Lambda, DefaultLambdas)
	}
	if math.IsNaN(c.HoldoutLoss) || c.HoldoutLoss > 0.1 {
		t.Errorf("held-out loss %v, want a small number", c.HoldoutLoss)
	}
	if c.Iterations < 1 {
		t.Errorf("iterations = %d", c.Iterations)
	}
	// Probabilities are a distribution per row.
	s, err := c.Scores(xt[:6])
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, p := range s {
		sum += p
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("probabilities of one row sum to %v", sum)
	}
}

func TestSoftmaxNoRefitAndTinyData(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := blobs(rng, 2, 40, 3, 0.5)
	c, err := TrainSoftmax(context.Background(), x, 3, y, 2, ClassifierOptions{NoRefit: true, Lambdas: []float64{1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	pred, _ := c.Predict(x)
	if acc, _ := Accuracy(pred, y); acc != 1 {
		t.Errorf("training accuracy %v, want 1", acc)
	}
	// Two rows: nothing can be held out; the fit still works.
	c, err = TrainSoftmax(context.Background(), []float32{-1, 1}, 1, []int{0, 1}, 2, ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(c.HoldoutLoss) {
		t.Errorf("held-out loss %v without a held-out part, want NaN", c.HoldoutLoss)
	}
	pred, _ = c.Predict([]float32{-3, 3})
	if !slices.Equal(pred, []int{0, 1}) {
		t.Errorf("predictions %v, want [0 1]", pred)
	}
}

// TestGradient checks the analytic gradient of the regularised
// cross-entropy against central finite differences, for both outputs.
func TestGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, d, classes := 7, 4, 3
	xs := mat.NewDense(n, d+1, nil)
	for i := range n {
		for j := range d {
			xs.Set(i, j, rng.NormFloat64())
		}
		xs.Set(i, d, 1)
	}
	for _, kind := range []outputKind{softmaxOutput, sigmoidOutput} {
		y := make([][]int, n)
		for i := range y {
			y[i] = []int{rng.IntN(classes)}
			if kind == sigmoidOutput && i%2 == 0 {
				y[i] = append(y[i], (y[i][0]+1)%classes)
			}
		}
		p := newProblem(kind, xs, y, classes, 0.37)
		w := make([]float64, (d+1)*classes)
		for i := range w {
			w[i] = rng.NormFloat64()
		}
		g := make([]float64, len(w))
		p.eval(w, g)
		const h = 1e-6
		for i := range w {
			wp := slices.Clone(w)
			wm := slices.Clone(w)
			wp[i] += h
			wm[i] -= h
			num := (p.loss(wp) - p.loss(wm)) / (2 * h)
			if math.Abs(num-g[i]) > 1e-6*(1+math.Abs(num)) {
				t.Errorf("kind %d: dL/dw[%d] = %v, finite difference %v", kind, i, g[i], num)
			}
		}
		// Zero weights: softmax loss is log(classes) per row.
		if kind == softmaxOutput {
			if l := p.loss(make([]float64, len(w))); math.Abs(l-math.Log(float64(classes))) > 1e-12 {
				t.Errorf("loss at zero weights = %v, want log(%d)", l, classes)
			}
		}
	}
}

func TestSoftmaxErrors(t *testing.T) {
	ctx := context.Background()
	x := []float32{0, 1, 2, 3}
	cases := []struct {
		name    string
		x       []float32
		dim     int
		y       []int
		classes int
		opt     ClassifierOptions
	}{
		{"one class", x, 1, []int{0, 0, 0, 0}, 1, ClassifierOptions{}},
		{"label out of range", x, 1, []int{0, 1, 2, 0}, 2, ClassifierOptions{}},
		{"negative label", x, 1, []int{0, 1, -1, 0}, 2, ClassifierOptions{}},
		{"shape", x, 3, []int{0, 1}, 2, ClassifierOptions{}},
		{"zero dim", x, 0, []int{0, 1, 0, 1}, 2, ClassifierOptions{}},
		{"NaN", []float32{0, float32(math.NaN()), 2, 3}, 1, []int{0, 1, 0, 1}, 2, ClassifierOptions{}},
		{"one row", x[:1], 1, []int{0}, 2, ClassifierOptions{}},
		{"bad holdout", x, 1, []int{0, 1, 0, 1}, 2, ClassifierOptions{Holdout: 0.9}},
		{"bad lambda", x, 1, []int{0, 1, 0, 1}, 2, ClassifierOptions{Lambdas: []float64{-1}}},
	}
	for _, c := range cases {
		if _, err := TrainSoftmax(ctx, c.x, c.dim, c.y, c.classes, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	rng := rand.New(rand.NewPCG(1, 1))
	bx, by := blobs(rng, 3, 20, 3, 1)
	if _, err := TrainSoftmax(cctx, bx, 3, by, 3, ClassifierOptions{}); err == nil {
		t.Error("cancelled context: no error")
	}
	c, err := TrainSoftmax(ctx, bx, 3, by, 3, ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Predict([]float32{1, 2}); err == nil {
		t.Error("Predict with a wrong shape: no error")
	}
}

func TestSigmoidMultiLabel(t *testing.T) {
	// Label j is present exactly when feature j is positive; every row has
	// at least one label.
	rng := rand.New(rand.NewPCG(7, 8))
	const classes = 3
	gen := func(n int) ([]float32, [][]int) {
		var x []float32
		var y [][]int
		for range n {
			var ls []int
			for j := range classes {
				v := rng.NormFloat64()
				if j == classes-1 && len(ls) == 0 {
					v = math.Abs(v)
				}
				if v > 0 {
					v += 1
					ls = append(ls, j)
				} else {
					v -= 1
				}
				x = append(x, float32(v))
			}
			y = append(y, ls)
		}
		return x, y
	}
	x, y := gen(300)
	xt, yt := gen(100)
	c, err := TrainSigmoid(context.Background(), x, classes, y, classes, ClassifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pred, err := c.PredictSets(xt)
	if err != nil {
		t.Fatal(err)
	}
	micro, macro, err := F1(pred, yt, classes)
	if err != nil {
		t.Fatal(err)
	}
	if micro < 0.95 || macro < 0.95 {
		t.Errorf("micro-F1 %v, macro-F1 %v, want >= 0.95", micro, macro)
	}
	if _, err := TrainSigmoid(context.Background(), x, classes, append(y[:len(y)-1:len(y)-1], []int{5}), classes, ClassifierOptions{}); err == nil {
		t.Error("label out of range: no error")
	}
}

func TestF1ByHand(t *testing.T) {
	pred := [][]int{{0}, {0, 1}, {2}, {1}}
	truth := [][]int{{0}, {1}, {1}, {1, 2}}
	// class 0: tp 1, fp 1, fn 0 -> F1 2/3
	// class 1: tp 2, fp 0, fn 1 -> F1 4/5
	// class 2: tp 0, fp 1, fn 1 -> F1 0
	micro, macro, err := F1(pred, truth, 3)
	if err != nil {
		t.Fatal(err)
	}
	// pooled: tp 3, fp 2, fn 2 -> 6/10
	if math.Abs(micro-0.6) > 1e-12 {
		t.Errorf("micro-F1 = %v, want 0.6", micro)
	}
	if want := (2.0/3 + 0.8 + 0) / 3; math.Abs(macro-want) > 1e-12 {
		t.Errorf("macro-F1 = %v, want %v", macro, want)
	}
	if _, _, err := F1(pred, truth[:2], 3); err == nil {
		t.Error("length mismatch: no error")
	}
	acc, err := Accuracy([]int{1, 2, 3, 4}, []int{1, 0, 3, 0})
	if err != nil || acc != 0.5 {
		t.Errorf("Accuracy = %v, %v; want 0.5", acc, err)
	}
	if _, err := Accuracy([]int{1}, nil); err == nil {
		t.Error("Accuracy length mismatch: no error")
	}
}
