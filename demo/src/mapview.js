// mapview.js — the 2-D map of the documents on a canvas: fit, zoom, pan,
// hover, click, keyboard navigation and highlighting.

const PAD = 24;

export class MapView {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{onHover?: (i: number|null, x: number, y: number) => void, onSelect?: (i: number|null) => void}} cb
   */
  constructor(canvas, cb = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.cb = cb;
    this.n = 0;
    this.xy = null; // Float32Array n*2, data space
    this.colors = []; // CSS colour per point
    this.order = null; // draw order (a fixed shuffle)
    this.dim = null; // Uint8Array: 1 = drawn faded
    this.selected = null;
    this.neighbors = new Set();
    this.hover = null;
    this.cursor = null; // keyboard cursor
    this.view = { s: 1, tx: 0, ty: 0 }; // zoom and pan on top of the fit
    this.fit = { s: 1, ox: 0, oy: 0 };
    this.frame = 0;
    this._bind();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  /** Sets the points (xy: n*2 data coordinates) and their colours. */
  setData(xy, colors) {
    this.xy = xy;
    this.n = xy.length / 2;
    this.colors = colors;
    this.dim = new Uint8Array(this.n);
    // A fixed pseudo-random draw order, so that no label always lies on top.
    const order = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) order[i] = i;
    let s = 0x9e3779b9;
    for (let i = this.n - 1; i > 0; i--) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
      const j = s % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    this.order = order;
    this.selected = null;
    this.neighbors = new Set();
    this.hover = null;
    this.cursor = null;
    this.resetView(false);
    this.resize();
  }

  /**
   * Moves the points to new coordinates (same documents, another layout)
   * with a short animation; selection, highlights and zoom are kept.
   */
  animateTo(xy, ms = 900) {
    // A newer move replaces one still running: it starts where the points are.
    const token = (this.moving = (this.moving ?? 0) + 1);
    const from = unitBox(this.xy, this.n);
    const to = unitBox(xy, this.n);
    const cur = new Float32Array(from);
    this.xy = cur;
    const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const frame = (now) => {
        if (token !== this.moving) return resolve(false);
        const t = reduce ? 1 : Math.min(1, (now - t0) / ms);
        const e = t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2;
        for (let i = 0; i < cur.length; i++) cur[i] = from[i] + (to[i] - from[i]) * e;
        this._fit();
        this.draw();
        if (t < 1) requestAnimationFrame(frame);
        else resolve(true);
      };
      requestAnimationFrame(frame);
    });
  }

  setColors(colors) {
    this.colors = colors;
    this.request();
  }

  /** Points with faded[i] true are drawn faint (label focus). */
  setFaded(pred) {
    for (let i = 0; i < this.n; i++) this.dim[i] = pred ? (pred(i) ? 1 : 0) : 0;
    this.request();
  }

  setSelection(i, neighbors = []) {
    this.selected = i;
    this.neighbors = new Set(neighbors);
    if (i !== null) this.cursor = i;
    this.request();
  }

  resetView(redraw = true) {
    this.view = { s: 1, tx: 0, ty: 0 };
    if (redraw) this.request();
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(r.width * dpr));
    const h = Math.max(1, Math.round(r.height * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    this.w = r.width;
    this.h = r.height;
    this._fit();
    this.draw();
  }

  _fit() {
    if (!this.n) return;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const x = this.xy[2 * i], y = this.xy[2 * i + 1];
      if (x < x0) x0 = x; if (x > x1) x1 = x;
      if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    const dx = x1 - x0 || 1, dy = y1 - y0 || 1;
    // Same scale on both axes: distances on the map mean the same thing in every direction.
    const s = Math.min((this.w - 2 * PAD) / dx, (this.h - 2 * PAD) / dy);
    this.fit = { s, ox: (this.w - s * dx) / 2 - s * x0, oy: (this.h - s * dy) / 2 + s * y1 };
  }

  /** Screen position (CSS px) of point i. */
  pos(i) {
    const f = this.fit, v = this.view;
    const x = f.ox + f.s * this.xy[2 * i];
    const y = f.oy - f.s * this.xy[2 * i + 1];
    return [v.tx + v.s * x, v.ty + v.s * y];
  }

  request() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  radius() {
    const base = this.n > 20000 ? 1.6 : this.n > 5000 ? 2.4 : this.n > 1000 ? 3.3 : 4.5;
    return base * Math.min(2.2, Math.sqrt(this.view.s));
  }

  draw() {
    const { ctx, canvas } = this;
    const dpr = canvas.width / Math.max(1, this.w);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    if (!this.n) {
      canvas.dataset.drawn = '0';
      return;
    }
    const r = this.radius();
    const focus = this.selected !== null || this.neighbors.size > 0;
    let drawn = 0;
    // Faded points first, then the rest, grouped by colour to limit state changes.
    for (const pass of [1, 0]) {
      ctx.globalAlpha = pass ? 0.12 : focus ? 0.45 : 0.78;
      let last = '';
      for (let q = 0; q < this.n; q++) {
        const i = this.order[q];
        if (this.dim[i] !== pass) continue;
        const [x, y] = this.pos(i);
        if (x < -r || y < -r || x > this.w + r || y > this.h + r) continue;
        drawn++;
        const c = this.colors[i];
        if (c !== last) {
          ctx.fillStyle = c;
          last = c;
        }
        if (this.n > 20000) {
          ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
        } else {
          ctx.beginPath();
          ctx.arc(x, y, r, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    }
    ctx.globalAlpha = 1;
    // Nearest neighbours of the selection: lines and rings.
    if (this.selected !== null) {
      const [sx, sy] = this.pos(this.selected);
      ctx.strokeStyle = 'rgba(67,56,202,.35)';
      ctx.lineWidth = 1;
      for (const j of this.neighbors) {
        const [x, y] = this.pos(j);
        ctx.beginPath();
        ctx.moveTo(sx, sy);
        ctx.lineTo(x, y);
        ctx.stroke();
      }
    }
    for (const j of this.neighbors) this._ring(j, r + 2.5, '#1d2130', 2);
    if (this.selected !== null) this._ring(this.selected, r + 3.5, '#4338ca', 3);
    if (this.cursor !== null && this.cursor !== this.selected && document.activeElement === canvas) {
      this._ring(this.cursor, r + 3, '#4338ca', 2, [3, 2]);
    }
    if (this.hover !== null) this._ring(this.hover, r + 2.5, '#1d2130', 2);
    canvas.dataset.drawn = String(drawn);
  }

  _ring(i, rad, color, width, dash) {
    const [x, y] = this.pos(i);
    const ctx = this.ctx;
    ctx.fillStyle = this.colors[i];
    ctx.beginPath();
    ctx.arc(x, y, rad - width / 2, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = width + 2;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    if (dash) ctx.setLineDash(dash);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** The point under (x, y) in CSS px, or null. */
  hit(x, y, slack = 5) {
    let best = null;
    let bd = (this.radius() + slack) ** 2;
    for (let i = 0; i < this.n; i++) {
      if (this.dim[i]) continue;
      const [px, py] = this.pos(i);
      const d = (px - x) ** 2 + (py - y) ** 2;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }

  /** The nearest visible point from `from` in a direction (dx, dy). */
  step(from, dx, dy) {
    if (from === null) return this._nearestToCentre();
    const [fx, fy] = this.pos(from);
    let best = null;
    let bs = Infinity;
    for (let i = 0; i < this.n; i++) {
      if (i === from || this.dim[i]) continue;
      const [x, y] = this.pos(i);
      const ax = x - fx, ay = y - fy;
      const along = ax * dx + ay * dy;
      if (along <= 0.5) continue;
      const across = Math.abs(ax * dy - ay * dx);
      const score = along + 2.5 * across;
      if (score < bs) {
        bs = score;
        best = i;
      }
    }
    return best ?? from;
  }

  _nearestToCentre() {
    return this.hit(this.w / 2, this.h / 2, 1e6);
  }

  _bind() {
    const c = this.canvas;
    let drag = null;
    const local = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener('pointermove', (e) => {
      const [x, y] = local(e);
      if (drag) {
        const ddx = x - drag.x, ddy = y - drag.y;
        if (Math.abs(ddx) + Math.abs(ddy) > 3) drag.moved = true;
        if (drag.moved) {
          this.view.tx = drag.tx + ddx;
          this.view.ty = drag.ty + ddy;
          c.classList.add('grabbing');
          this.request();
          return;
        }
      }
      const i = this.n ? this.hit(x, y) : null;
      if (i !== this.hover) {
        this.hover = i;
        this.request();
      }
      this.cb.onHover?.(i, x, y);
    });
    c.addEventListener('pointerleave', () => {
      if (this.hover !== null) {
        this.hover = null;
        this.request();
      }
      this.cb.onHover?.(null, 0, 0);
    });
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      const [x, y] = local(e);
      drag = { x, y, tx: this.view.tx, ty: this.view.ty, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointerup', (e) => {
      if (!drag) return;
      const moved = drag.moved;
      drag = null;
      c.classList.remove('grabbing');
      if (moved || !this.n) return;
      const [x, y] = local(e);
      this.cb.onSelect?.(this.hit(x, y));
    });
    c.addEventListener('wheel', (e) => {
      if (!this.n) return;
      e.preventDefault();
      const [x, y] = local(e);
      const f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      const s = Math.min(40, Math.max(0.5, this.view.s * f));
      const k = s / this.view.s;
      this.view.tx = x - k * (x - this.view.tx);
      this.view.ty = y - k * (y - this.view.ty);
      this.view.s = s;
      this.request();
    }, { passive: false });
    c.addEventListener('dblclick', () => this.resetView());
    c.addEventListener('focus', () => this.request());
    c.addEventListener('blur', () => this.request());
    c.addEventListener('keydown', (e) => {
      if (!this.n) return;
      const dirs = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (dirs[e.key]) {
        e.preventDefault();
        this.cursor = this.step(this.cursor, ...dirs[e.key]);
        const [x, y] = this.pos(this.cursor);
        this.hover = null;
        this.request();
        this.cb.onHover?.(this.cursor, x, y);
      } else if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        if (this.cursor === null) this.cursor = this._nearestToCentre();
        this.cb.onHover?.(null, 0, 0);
        this.cb.onSelect?.(this.cursor);
      } else if (e.key === 'Escape') {
        this.cb.onHover?.(null, 0, 0);
        this.cb.onSelect?.(null);
      } else if (e.key === '+' || e.key === '=' || e.key === '-') {
        const f = e.key === '-' ? 1 / 1.4 : 1.4;
        const s = Math.min(40, Math.max(0.5, this.view.s * f));
        const k = s / this.view.s;
        this.view.tx = this.w / 2 - k * (this.w / 2 - this.view.tx);
        this.view.ty = this.h / 2 - k * (this.h / 2 - this.view.ty);
        this.view.s = s;
        this.request();
      } else if (e.key === '0') {
        this.resetView();
      }
    });
  }
}

/** Coordinates scaled into a box centred on 0 with the larger side 2 (aspect kept). */
function unitBox(xy, n) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i], y = xy[2 * i + 1];
    if (x < x0) x0 = x; if (x > x1) x1 = x;
    if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  const s = 2 / (Math.max(x1 - x0, y1 - y0) || 1);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (xy[2 * i] - cx) * s;
    out[2 * i + 1] = (xy[2 * i + 1] - cy) * s;
  }
  return out;
}
