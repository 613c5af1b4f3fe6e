package simd

// adadeltaSum(theta, acc, upd, g0, g1, g2, g3, n, lr, rho, eps): for i < n&^3
// (the caller does the last n%4 elements), g = ((g0+g1)+g2)+g3, g0..g3 = 0,
// then the Adadelta step of kernels.Set.AdadeltaSum: A = rho*A + (1-rho)*g*g; d = g*sqrt((D+eps)/(A+eps));
// theta -= lr*d; D = rho*D + (1-rho)*d*d.
func adadeltaSumFn() *fn {
	f := newFn("adadeltaSum", tI32, tI32, tI32, tI32, tI32, tI32, tI32, tI32, tF32, tF32, tF32)
	const theta, acc, upd, g0, g1, g2, g3, n, lr, rho, eps = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
	i, e4, zero := f.local(tI32), f.local(tI32), f.local(tI32)
	r1 := f.local(tF32)
	vlr, vrho, veps, vr1, vzero := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	g, a, d := f.local(tV128), f.local(tV128), f.local(tV128)
	f.f32c(1)
	f.get(rho)
	f.op(f32Sub)
	f.set(r1)
	for _, c := range [][2]uint32{{lr, vlr}, {rho, vrho}, {eps, veps}, {r1, vr1}} {
		f.get(c[0])
		f.simd(f32x4Splat)
		f.set(c[1])
	}
	f.i32c(0)
	f.simd(i32x4Splat)
	f.set(vzero)
	f.endPtr(e4, zero, n, ^3)
	f.i32c(0)
	f.set(i)
	gs := []uint32{g0, g1, g2, g3}
	f.while(i, e4, func() {
		// g = ((g0+g1)+g2)+g3, and zero the four
		f.addr(g0, i)
		f.vload(0)
		for _, gp := range gs[1:] {
			f.addr(gp, i)
			f.vload(0)
			f.simd(f32x4Add)
		}
		f.set(g)
		for _, gp := range gs {
			f.addr(gp, i)
			f.get(vzero)
			f.vstore(0)
		}
		// a = rho*acc + (r1*g)*g; acc = a
		f.addr(acc, i)
		f.get(vrho)
		f.addr(acc, i)
		f.vload(0)
		f.simd(f32x4Mul)
		f.get(vr1)
		f.get(g)
		f.simd(f32x4Mul)
		f.get(g)
		f.simd(f32x4Mul)
		f.simd(f32x4Add)
		f.tee(a)
		f.vstore(0)
		// d = g * sqrt((upd+eps)/(a+eps))
		f.get(g)
		f.addr(upd, i)
		f.vload(0)
		f.get(veps)
		f.simd(f32x4Add)
		f.get(a)
		f.get(veps)
		f.simd(f32x4Add)
		f.simd(f32x4Div)
		f.simd(f32x4Sqrt)
		f.simd(f32x4Mul)
		f.set(d)
		// theta -= lr*d
		f.addr(theta, i)
		f.addr(theta, i)
		f.vload(0)
		f.get(vlr)
		f.get(d)
		f.simd(f32x4Mul)
		f.simd(f32x4Sub)
		f.vstore(0)
		// upd = rho*upd + (r1*d)*d
		f.addr(upd, i)
		f.get(vrho)
		f.addr(upd, i)
		f.vload(0)
		f.simd(f32x4Mul)
		f.get(vr1)
		f.get(d)
		f.simd(f32x4Mul)
		f.get(d)
		f.simd(f32x4Mul)
		f.simd(f32x4Add)
		f.vstore(0)
		f.addTo(i, 16)
	})
	return f
}
