package eval

// Every product that is added or subtracted here is converted first,
// float32(a*b) + c or float64(a*b) + c, so that no compiler fuses it into
// one multiply-add (which rounds once, as arm64 and GOAMD64=v3 builds
// would): the same bits on every platform (docs/design.md §6).

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// DefaultRidgeLambdas are the ridge strengths FitRidge chooses from.
var DefaultRidgeLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1, 10}

// Ridge is a ridge regression y ≈ w·standardize(x) + b on codes, as the
// paper's regression on movie-review ratings (a linear model on the codes,
// scored by R²).
type Ridge struct {
	dim         int
	mean, scale []float64
	w           []float64 // dim weights, then the intercept
	// Lambda is the chosen strength: the penalty is Lambda·n·|w|² on the
	// standardized features (the intercept is not penalised).
	Lambda float64
}

// FitRidge fits a ridge regression on the row-major n x dim matrix x with
// targets y. Features are standardized with the rows' mean and deviation;
// the strength is chosen among lambdas (DefaultRidgeLambdas when empty) by
// R² on a seeded tenth of the rows held out, then refitted on all rows. It
// errors when the shapes disagree, a value is not finite, there are fewer
// than 10 rows, or a lambda is negative.
func FitRidge(x []float32, dim int, y []float64, lambdas []float64, seed uint64) (*Ridge, error) {
	n := len(y)
	if err := checkMatrix(x, dim, n); err != nil {
		return nil, err
	}
	if n < 10 {
		return nil, fmt.Errorf("eval: ridge regression needs at least 10 rows, got %d", n)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("eval: target %v of row %d is not finite", v, i)
		}
	}
	if len(lambdas) == 0 {
		lambdas = DefaultRidgeLambdas
	}
	for _, l := range lambdas {
		if !(l >= 0) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("eval: ridge lambda %v must be finite and >= 0", l)
		}
	}
	perm := rand.New(rand.NewPCG(seed, 0x72696467)).Perm(n) // "ridg"
	nh := max(1, n/10)
	hold, fit := perm[:nh], perm[nh:]
	best, bestR2 := lambdas[0], math.Inf(-1)
	if len(lambdas) > 1 {
		for _, l := range lambdas {
			r, err := fitRidgeRows(x, dim, y, fit, l)
			if err != nil {
				return nil, err
			}
			pred := make([]float64, len(hold))
			truth := make([]float64, len(hold))
			for i, row := range hold {
				pred[i] = r.predictRow(x[row*dim : (row+1)*dim])
				truth[i] = y[row]
			}
			if r2 := RSquared(pred, truth); r2 > bestR2 {
				best, bestR2 = l, r2
			}
		}
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	return fitRidgeRows(x, dim, y, all, best)
}

func fitRidgeRows(x []float32, dim int, y []float64, rows []int, lambda float64) (*Ridge, error) {
	n := len(rows)
	r := &Ridge{dim: dim, Lambda: lambda}
	r.mean, r.scale = standardizer(x, dim, rows)
	ym := 0.0
	for _, i := range rows {
		ym += y[i]
	}
	ym /= float64(n)
	a := mat.NewDense(n, dim, nil)
	b := mat.NewVecDense(n, nil)
	for k, i := range rows {
		for j, v := range x[i*dim : (i+1)*dim] {
			a.Set(k, j, (float64(v)-r.mean[j])*r.scale[j])
		}
		b.SetVec(k, y[i]-ym)
	}
	// (AᵀA + λ·n·I) w = Aᵀb; the features are centred, so the intercept is
	// the targets' mean.
	var g mat.SymDense
	g.SymOuterK(1, a.T())
	for j := range dim {
		g.SetSym(j, j, g.At(j, j)+float64(lambda*float64(n))+1e-12)
	}
	var rhs mat.VecDense
	rhs.MulVec(a.T(), b)
	var chol mat.Cholesky
	var w mat.VecDense
	if ok := chol.Factorize(&g); ok {
		if err := chol.SolveVecTo(&w, &rhs); err != nil {
			return nil, fmt.Errorf("eval: ridge regression: %v", err)
		}
	} else if err := w.SolveVec(&g, &rhs); err != nil {
		return nil, errors.New("eval: ridge regression: singular system (use a lambda > 0)")
	}
	r.w = make([]float64, dim+1)
	for j := range dim {
		r.w[j] = w.AtVec(j)
	}
	r.w[dim] = ym
	return r, nil
}

func (r *Ridge) predictRow(x []float32) float64 {
	s := r.w[r.dim]
	for j, v := range x {
		s += float64(r.w[j] * (float64(v) - r.mean[j]) * r.scale[j])
	}
	return s
}

// Predict returns the prediction for every row of the row-major matrix x.
// It errors when x's shape does not fit or a value is not finite.
func (r *Ridge) Predict(x []float32) ([]float64, error) {
	if len(x)%r.dim != 0 {
		return nil, fmt.Errorf("eval: matrix of %d values does not have %d columns", len(x), r.dim)
	}
	if err := checkMatrix(x, r.dim, len(x)/r.dim); err != nil {
		return nil, err
	}
	out := make([]float64, len(x)/r.dim)
	for i := range out {
		out[i] = r.predictRow(x[i*r.dim : (i+1)*r.dim])
	}
	return out, nil
}

// RSquared returns the coefficient of determination of pred against truth,
// 1 − Σ(truth−pred)² / Σ(truth−mean(truth))²: 1 for a perfect fit, 0 for
// predicting the mean, negative for worse. It is NaN when the lengths differ,
// are 0, or the truth is constant.
func RSquared(pred, truth []float64) float64 {
	if len(pred) != len(truth) || len(truth) == 0 {
		return math.NaN()
	}
	m := 0.0
	for _, t := range truth {
		m += t
	}
	m /= float64(len(truth))
	var res, tot float64
	for i, t := range truth {
		res += float64((t - pred[i]) * (t - pred[i]))
		tot += float64((t - m) * (t - m))
	}
	if tot == 0 {
		return math.NaN()
	}
	return 1 - res/tot
}
