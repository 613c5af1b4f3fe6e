package eval

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// DefaultLambdas are the L2 strengths a classifier tries when
// ClassifierOptions.Lambdas is empty. Features are standardized first, so
// one grid serves KATE codes and LSA coordinates alike.
var DefaultLambdas = []float64{1e-4, 3e-4, 1e-3, 3e-3, 1e-2}

// ClassifierOptions configure TrainSoftmax and TrainSigmoid. The zero value
// selects the defaults.
type ClassifierOptions struct {
	// Lambdas are the L2 regularisation strengths tried (the penalty is
	// lambda/2 times the squared norm of the weights, biases excluded,
	// added to the mean cross-entropy). Empty selects DefaultLambdas.
	Lambdas []float64
	// Holdout is the fraction of the training rows held out to choose
	// lambda and the stopping iteration, in (0, 0.5]; 0 selects 0.1.
	Holdout float64
	// Patience is the number of L-BFGS iterations without improvement of
	// the held-out loss after which a fit stops; 0 selects 10.
	Patience int
	// MaxIter bounds the L-BFGS iterations of one fit; 0 selects 500.
	MaxIter int
	// NoRefit keeps the model fitted on the training rows minus the
	// held-out part. By default the chosen lambda is refitted on all rows
	// for the number of iterations that was best on the held-out part.
	NoRefit bool
	// Seed drives the choice of the held-out rows.
	Seed uint64
}

func (o ClassifierOptions) withDefaults() (ClassifierOptions, error) {
	if len(o.Lambdas) == 0 {
		o.Lambdas = DefaultLambdas
	}
	for _, l := range o.Lambdas {
		if !(l >= 0) || math.IsInf(l, 0) {
			return o, fmt.Errorf("eval: lambda %v must be finite and >= 0", l)
		}
	}
	if o.Holdout == 0 {
		o.Holdout = 0.1
	}
	if !(o.Holdout > 0 && o.Holdout <= 0.5) {
		return o, fmt.Errorf("eval: holdout fraction %v must be in (0, 0.5]", o.Holdout)
	}
	if o.Patience == 0 {
		o.Patience = 10
	}
	if o.MaxIter == 0 {
		o.MaxIter = 500
	}
	if o.Patience < 1 || o.MaxIter < 1 {
		return o, errors.New("eval: patience and max iterations must be >= 1")
	}
	return o, nil
}

// outputKind is the output layer of a linear classifier.
type outputKind uint8

const (
	softmaxOutput outputKind = iota // one label per row, mutually exclusive
	sigmoidOutput                   // any number of labels per row
)

// Classifier is a linear classifier on standardized features: a
// multinomial logistic regression (softmax) or independent logistic outputs
// (sigmoid), trained by L-BFGS (gonum/optimize) with L2 regularisation and
// early stopping on held-out rows.
type Classifier struct {
	kind         outputKind
	dim, classes int
	mean, scale  []float64 // standardization: (x - mean) * scale
	w            []float64 // (dim+1) x classes row-major; the last row is the bias
	// Lambda is the chosen L2 strength.
	Lambda float64
	// Iterations is the number of L-BFGS iterations of the final fit.
	Iterations int
	// HoldoutLoss is the mean held-out cross-entropy of the chosen lambda
	// at its best iteration; NaN when there were too few rows to hold any
	// out (then the first lambda is used and the fit runs to convergence).
	HoldoutLoss float64
}

// Dim returns the number of features the classifier expects.
func (c *Classifier) Dim() int { return c.dim }

// Classes returns the number of classes (outputs).
func (c *Classifier) Classes() int { return c.classes }

// TrainSoftmax fits a multinomial logistic regression on the row-major
// n x dim matrix x with labels y (each in [0, classes)). It holds out a
// seeded random part of the rows, fits every lambda of opt on the rest with
// L-BFGS, stopping each fit when the held-out cross-entropy has not improved
// for opt.Patience iterations, keeps the lambda with the lowest held-out
// loss and, unless opt.NoRefit, refits it on all rows for its best number of
// iterations. It errors when the shapes disagree, a value is not finite, a
// label is out of range, classes < 2, there are fewer than 2 rows, or ctx
// is cancelled.
func TrainSoftmax(ctx context.Context, x []float32, dim int, y []int, classes int, opt ClassifierOptions) (*Classifier, error) {
	if classes < 2 {
		return nil, fmt.Errorf("eval: need at least 2 classes, got %d", classes)
	}
	for i, l := range y {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("eval: label %d of row %d is outside [0, %d)", l, i, classes)
		}
	}
	sets := make([][]int, len(y))
	for i, l := range y {
		sets[i] = []int{l}
	}
	return train(ctx, softmaxOutput, x, dim, sets, classes, opt)
}

// TrainSigmoid fits one logistic output per class on the row-major n x dim
// matrix x; y[i] lists the classes (each in [0, classes)) of row i, any
// number of them. Training, regularisation and early stopping are as in
// TrainSoftmax, with the summed binary cross-entropy over the outputs as the
// loss. It errors like TrainSoftmax, and when classes < 1.
func TrainSigmoid(ctx context.Context, x []float32, dim int, y [][]int, classes int, opt ClassifierOptions) (*Classifier, error) {
	if classes < 1 {
		return nil, fmt.Errorf("eval: need at least 1 class, got %d", classes)
	}
	for i, ls := range y {
		for _, l := range ls {
			if l < 0 || l >= classes {
				return nil, fmt.Errorf("eval: label %d of row %d is outside [0, %d)", l, i, classes)
			}
		}
	}
	return train(ctx, sigmoidOutput, x, dim, y, classes, opt)
}

// checkMatrix verifies that x is a finite row-major matrix with rows rows of
// dim columns.
func checkMatrix(x []float32, dim, rows int) error {
	if dim < 1 {
		return fmt.Errorf("eval: dimension %d must be >= 1", dim)
	}
	if len(x) != rows*dim {
		return fmt.Errorf("eval: matrix has %d values, want %d rows x %d", len(x), rows, dim)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("eval: value %v at row %d is not finite", v, i/dim)
		}
	}
	return nil
}

func train(ctx context.Context, kind outputKind, x []float32, dim int, y [][]int, classes int, opt ClassifierOptions) (*Classifier, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	n := len(y)
	if n < 2 {
		return nil, fmt.Errorf("eval: need at least 2 training rows, got %d", n)
	}
	if err := checkMatrix(x, dim, n); err != nil {
		return nil, err
	}
	c := &Classifier{kind: kind, dim: dim, classes: classes, HoldoutLoss: math.NaN()}
	c.fitScaler(x)
	xs := c.design(x)

	nHold := int(math.Round(opt.Holdout * float64(n)))
	if nHold < 1 || n-nHold < 2 {
		// Too few rows to hold any out: first lambda, run to convergence.
		c.Lambda = opt.Lambdas[0]
		p := newProblem(kind, xs, y, classes, c.Lambda)
		w, iters, err := p.minimize(ctx, nil, opt.MaxIter, opt.Patience)
		if err != nil {
			return nil, err
		}
		c.w, c.Iterations = w, iters
		return c, nil
	}
	perm := rand.New(rand.NewPCG(opt.Seed, 0x636c6173)).Perm(n) // "clas"
	hold, fit := perm[:nHold], perm[nHold:]
	slices.Sort(hold)
	slices.Sort(fit)
	xFit, yFit := subRows(xs, y, fit)
	xHold, yHold := subRows(xs, y, hold)
	holdout := newProblem(kind, xHold, yHold, classes, 0)

	bestLoss := math.Inf(1)
	var bestW []float64
	bestIter := 0
	for _, lambda := range opt.Lambdas {
		p := newProblem(kind, xFit, yFit, classes, lambda)
		stop := &earlyStop{loss: holdout.loss, patience: opt.Patience}
		if _, _, err := p.minimize(ctx, stop, opt.MaxIter, opt.Patience); err != nil {
			return nil, err
		}
		if stop.best < bestLoss {
			bestLoss, bestW, bestIter, c.Lambda = stop.best, stop.bestX, stop.bestIter, lambda
		}
	}
	if bestW == nil {
		return nil, errors.New("eval: the classifier did not converge (held-out loss is not finite)")
	}
	c.HoldoutLoss = bestLoss
	c.w, c.Iterations = bestW, bestIter
	if !opt.NoRefit && bestIter > 0 {
		p := newProblem(kind, xs, y, classes, c.Lambda)
		w, iters, err := p.minimizeFor(ctx, bestIter)
		if err != nil {
			return nil, err
		}
		c.w, c.Iterations = w, iters
	}
	return c, nil
}

// fitScaler sets the standardization from the training rows (see
// standardizer).
func (c *Classifier) fitScaler(x []float32) {
	c.mean, c.scale = standardizer(x, c.dim, nil)
}

// standardizer returns the per-feature mean and inverse standard deviation
// of the rows of x (n x dim, row-major) listed in rows, or of every row when
// rows is nil: features are then centred and divided by their deviation
// ((x − mean)·scale); a constant feature is only centred (scale 1).
func standardizer(x []float32, dim int, rows []int) (mean, scale []float64) {
	mean = make([]float64, dim)
	scale = make([]float64, dim)
	n := len(x) / dim
	if rows != nil {
		n = len(rows)
	}
	row := func(k int) []float32 {
		i := k
		if rows != nil {
			i = rows[k]
		}
		return x[i*dim : (i+1)*dim]
	}
	for k := range n {
		for j, v := range row(k) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	for k := range n {
		for j, v := range row(k) {
			e := float64(v) - mean[j]
			scale[j] += float64(e * e)
		}
	}
	for j, s := range scale {
		sd := math.Sqrt(s / float64(n))
		scale[j] = 1
		if sd > 1e-12 {
			scale[j] = 1 / sd
		}
	}
	return mean, scale
}

// design returns the standardized n x (dim+1) design matrix with a last
// column of ones for the bias.
func (c *Classifier) design(x []float32) *mat.Dense {
	d := c.dim
	n := len(x) / d
	out := make([]float64, n*(d+1))
	for i := range n {
		row := out[i*(d+1) : (i+1)*(d+1)]
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = (float64(v) - c.mean[j]) * c.scale[j]
		}
		row[d] = 1
	}
	return mat.NewDense(max(n, 1), d+1, padRows(out, d+1))
}

// padRows gives an empty matrix one zero row (gonum has no 0-row matrices).
func padRows(v []float64, cols int) []float64 {
	if len(v) == 0 {
		return make([]float64, cols)
	}
	return v
}

func subRows(x *mat.Dense, y [][]int, rows []int) (*mat.Dense, [][]int) {
	_, cols := x.Dims()
	out := mat.NewDense(len(rows), cols, nil)
	ys := make([][]int, len(rows))
	for i, r := range rows {
		out.SetRow(i, x.RawRowView(r))
		ys[i] = y[r]
	}
	return out, ys
}

// Scores returns the n x classes matrix (row-major) of the classifier's
// probabilities for the rows of x (n x Dim): softmax probabilities, or one
// independent sigmoid probability per class. It errors when the shape is
// wrong or a value is not finite.
func (c *Classifier) Scores(x []float32) ([]float64, error) {
	if len(x)%c.dim != 0 {
		return nil, fmt.Errorf("eval: matrix has %d values, not a multiple of the dimension %d", len(x), c.dim)
	}
	n := len(x) / c.dim
	if err := checkMatrix(x, c.dim, n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	z := c.logits(c.design(x))
	out := z.RawMatrix().Data
	for i := range n {
		row := out[i*c.classes : (i+1)*c.classes]
		if c.kind == softmaxOutput {
			m := slices.Max(row)
			s := 0.0
			for j, v := range row {
				row[j] = math.Exp(v - m)
				s += row[j]
			}
			for j := range row {
				row[j] /= s
			}
		} else {
			for j, v := range row {
				row[j] = sigmoid(v)
			}
		}
	}
	return out, nil
}

func (c *Classifier) logits(xs *mat.Dense) *mat.Dense {
	n, _ := xs.Dims()
	z := mat.NewDense(n, c.classes, nil)
	z.Mul(xs, mat.NewDense(c.dim+1, c.classes, c.w))
	return z
}

// Predict returns the most probable class of every row of x (n x Dim).
// It errors like Scores.
func (c *Classifier) Predict(x []float32) ([]int, error) {
	s, err := c.Scores(x)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(s)/c.classes)
	for i := range out {
		row := s[i*c.classes : (i+1)*c.classes]
		out[i] = argmax(row)
	}
	return out, nil
}

// PredictSets returns, for every row of x (n x Dim), the classes whose
// probability is at least 0.5, ascending; a row where none reaches 0.5 gets
// its most probable class. It errors like Scores.
func (c *Classifier) PredictSets(x []float32) ([][]int, error) {
	s, err := c.Scores(x)
	if err != nil {
		return nil, err
	}
	out := make([][]int, len(s)/c.classes)
	for i := range out {
		row := s[i*c.classes : (i+1)*c.classes]
		var set []int
		for j, p := range row {
			if p >= 0.5 {
				set = append(set, j)
			}
		}
		if len(set) == 0 {
			set = []int{argmax(row)}
		}
		out[i] = set
	}
	return out, nil
}

func argmax(v []float64) int {
	best := 0
	for j, x := range v {
		if x > v[best] {
			best = j
		}
	}
	return best
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus returns log(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

// problem is the regularised cross-entropy of a linear classifier on a
// design matrix, as a function of the (dim+1) x classes weights.
type problem struct {
	kind    outputKind
	x       *mat.Dense // n x (dim+1), last column ones
	y       [][]int
	classes int
	lambda  float64

	z, r   *mat.Dense // n x classes scratch: logits, then residuals
	lastX  []float64  // the weights of the cached value and gradient
	lastF  float64
	lastG  []float64
	hasVal bool
}

func newProblem(kind outputKind, x *mat.Dense, y [][]int, classes int, lambda float64) *problem {
	n, _ := x.Dims()
	return &problem{
		kind: kind, x: x, y: y, classes: classes, lambda: lambda,
		z: mat.NewDense(n, classes, nil), r: mat.NewDense(n, classes, nil),
	}
}

// eval computes the objective at w and, when grad is non-nil, its gradient:
// mean cross-entropy + lambda/2 ||W||² (bias row excluded).
func (p *problem) eval(w, grad []float64) float64 {
	n, cols := p.x.Dims()
	d := cols - 1
	if len(p.y) == 0 {
		for i := range grad {
			grad[i] = 0
		}
		return 0
	}
	W := mat.NewDense(cols, p.classes, w)
	p.z.Mul(p.x, W)
	zr := p.z.RawMatrix().Data
	rr := p.r.RawMatrix().Data
	loss := 0.0
	for i := range n {
		z := zr[i*p.classes : (i+1)*p.classes]
		r := rr[i*p.classes : (i+1)*p.classes]
		if p.kind == softmaxOutput {
			m := slices.Max(z)
			s := 0.0
			for j, v := range z {
				r[j] = math.Exp(v - m)
				s += r[j]
			}
			lse := m + math.Log(s)
			for j := range r {
				r[j] /= s
			}
			for _, l := range p.y[i] {
				loss += lse - z[l]
				r[l]--
			}
		} else {
			for j, v := range z {
				loss += softplus(v)
				r[j] = sigmoid(v)
			}
			for _, l := range p.y[i] {
				loss -= z[l]
				r[l]--
			}
		}
	}
	inv := 1 / float64(n)
	loss = float64(loss * inv)
	reg := 0.0
	for _, v := range w[:d*p.classes] {
		reg += float64(v * v)
	}
	loss += float64(0.5 * p.lambda * reg)
	if grad != nil {
		G := mat.NewDense(cols, p.classes, grad)
		G.Mul(p.x.T(), p.r)
		G.Scale(inv, G)
		for i, v := range w[:d*p.classes] {
			grad[i] += float64(p.lambda * v)
		}
	}
	return loss
}

// loss is the objective without the gradient.
func (p *problem) loss(w []float64) float64 { return p.eval(w, nil) }

// cached evaluates at w once for both Func and Grad.
func (p *problem) cached(w []float64) {
	if p.hasVal && slices.Equal(w, p.lastX) {
		return
	}
	if p.lastG == nil {
		p.lastG = make([]float64, len(w))
	}
	p.lastF = p.eval(w, p.lastG)
	p.lastX = append(p.lastX[:0], w...)
	p.hasVal = true
}

func (p *problem) gonum(ctx context.Context) optimize.Problem {
	return optimize.Problem{
		Func: func(w []float64) float64 { p.cached(w); return p.lastF },
		Grad: func(g, w []float64) { p.cached(w); copy(g, p.lastG) },
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
}

func (p *problem) size() int {
	_, cols := p.x.Dims()
	return cols * p.classes
}

// minimize runs L-BFGS from zero weights. With stop, the held-out loss
// decides when to stop and the best weights are kept in stop; without, the
// fit runs until the objective stops improving (relative 1e-10 over
// patience iterations) or maxIter. It returns the final weights and the
// number of iterations.
func (p *problem) minimize(ctx context.Context, stop *earlyStop, maxIter, patience int) ([]float64, int, error) {
	var conv optimize.Converger = &optimize.FunctionConverge{Relative: 1e-10, Absolute: 1e-12, Iterations: patience}
	if stop != nil {
		conv = stop
	}
	settings := &optimize.Settings{Converger: conv, MajorIterations: maxIter, GradientThreshold: 1e-9}
	res, err := optimize.Minimize(p.gonum(ctx), make([]float64, p.size()), settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return nil, 0, cerr
	}
	if res == nil {
		return nil, 0, fmt.Errorf("eval: classifier optimisation failed: %v", err)
	}
	// Line-search failures near the optimum are not fatal: the location
	// reached is still the best found.
	if stop != nil {
		return stop.bestX, stop.bestIter, nil
	}
	if !finite(res.X) {
		return nil, 0, errors.New("eval: the classifier diverged")
	}
	return res.X, res.Stats.MajorIterations, nil
}

// minimizeFor runs exactly up to iters L-BFGS iterations from zero weights.
func (p *problem) minimizeFor(ctx context.Context, iters int) ([]float64, int, error) {
	settings := &optimize.Settings{Converger: optimize.NeverTerminate{}, MajorIterations: iters, GradientThreshold: 1e-9}
	res, err := optimize.Minimize(p.gonum(ctx), make([]float64, p.size()), settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return nil, 0, cerr
	}
	if res == nil || !finite(res.X) {
		return nil, 0, fmt.Errorf("eval: classifier optimisation failed: %v", err)
	}
	return res.X, res.Stats.MajorIterations, nil
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// earlyStop is an optimize.Converger that evaluates the held-out loss at
// every major iteration, remembers the best weights, and reports
// convergence after patience iterations without improvement.
type earlyStop struct {
	loss     func([]float64) float64
	patience int

	iter, bestIter int
	best           float64
	bestX          []float64
}

// Init resets the state for a new run.
func (e *earlyStop) Init(int) {
	e.iter, e.bestIter, e.best, e.bestX = 0, 0, math.Inf(1), nil
}

// Converged records loc and reports FunctionConvergence after patience
// iterations without a better held-out loss.
func (e *earlyStop) Converged(loc *optimize.Location) optimize.Status {
	e.iter++
	l := e.loss(loc.X)
	if l < e.best-1e-9 {
		e.best, e.bestIter = l, e.iter
		e.bestX = append(e.bestX[:0], loc.X...)
	} else if e.iter-e.bestIter >= e.patience {
		return optimize.FunctionConvergence
	}
	return optimize.NotTerminated
}

// Accuracy returns the fraction of positions where pred equals truth
// (0 for empty slices). It errors when the lengths differ.
func Accuracy(pred, truth []int) (float64, error) {
	if len(pred) != len(truth) {
		return 0, fmt.Errorf("eval: %d predictions for %d labels", len(pred), len(truth))
	}
	if len(pred) == 0 {
		return 0, nil
	}
	ok := 0
	for i, p := range pred {
		if p == truth[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(pred)), nil
}

// F1 returns the micro- and macro-averaged F1 scores of predicted label sets
// against true ones over classes classes (labels outside [0, classes) are
// ignored). Micro-F1 pools true positives, false positives and false
// negatives over all classes; macro-F1 averages the per-class F1 over the
// classes that occur in pred or truth (a class with no positives in either
// is skipped). It errors when the lengths differ.
func F1(pred, truth [][]int, classes int) (micro, macro float64, err error) {
	if len(pred) != len(truth) {
		return 0, 0, fmt.Errorf("eval: %d predictions for %d label sets", len(pred), len(truth))
	}
	tp := make([]int, classes)
	fp := make([]int, classes)
	fn := make([]int, classes)
	for i := range pred {
		for _, p := range pred[i] {
			if p < 0 || p >= classes {
				continue
			}
			if slices.Contains(truth[i], p) {
				tp[p]++
			} else {
				fp[p]++
			}
		}
		for _, t := range truth[i] {
			if t >= 0 && t < classes && !slices.Contains(pred[i], t) {
				fn[t]++
			}
		}
	}
	var sTP, sFP, sFN int
	var sum float64
	used := 0
	for c := range classes {
		sTP += tp[c]
		sFP += fp[c]
		sFN += fn[c]
		if tp[c]+fp[c]+fn[c] == 0 {
			continue
		}
		used++
		sum += 2 * float64(tp[c]) / float64(2*tp[c]+fp[c]+fn[c])
	}
	if sTP+sFP+sFN > 0 {
		micro = 2 * float64(sTP) / float64(2*sTP+sFP+sFN)
	}
	if used > 0 {
		macro = sum / float64(used)
	}
	return micro, macro, nil
}
