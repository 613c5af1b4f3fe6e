// util.js — small helpers shared by the demo's modules.

/** Escapes text for HTML. */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** 12345 -> "12,345". */
export function int(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds to "42 s", "3 min 05 s". */
export function duration(sec) {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  if (sec < 10) return `${sec.toFixed(1)} s`;
  if (sec < 60) return `${Math.round(sec)} s`;
  const m = Math.floor(sec / 60);
  const s = Math.round(sec - m * 60);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** A number with a sensible number of significant digits. */
export function num(x, digits = 3) {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return Number(x.toPrecision(digits)).toString();
  return x.toExponential(Math.max(0, digits - 1)).replace('e', '·10^').replace(/\^\+?(-?)(\d+)/, (_, s, d) => `^${s}${d}`);
}

/** Formats small magnitudes as "3.2e-5" (compact, for axes and tables). */
export function sci(x, digits = 2) {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-2 && a < 1e4) return Number(x.toPrecision(digits + 1)).toString();
  return x.toExponential(digits).replace('e+', 'e');
}

/** Triggers a download of data (string, Blob or typed array) as a file. */
export function download(data, filename, type = 'application/octet-stream') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// OKLCH -> sRGB hex, for perceptually even label colours.
function oklchToHex(L, C, hDeg) {
  const h = (hDeg * Math.PI) / 180;
  const a = C * Math.cos(h);
  const b = C * Math.sin(h);
  const l_ = L + 0.3963377774 * a + 0.2158037573 * b;
  const m_ = L - 0.1055613458 * a - 0.0638541728 * b;
  const s_ = L - 0.0894841775 * a - 1.291485548 * b;
  const l = l_ ** 3;
  const m = m_ ** 3;
  const s = s_ ** 3;
  const rgb = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  return (
    '#' +
    rgb
      .map((v) => {
        const c = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.max(v, 0) ** (1 / 2.4) - 0.055;
        return Math.round(Math.min(1, Math.max(0, c)) * 255).toString(16).padStart(2, '0');
      })
      .join('')
  );
}

/**
 * n distinguishable colours in hue order (neighbouring labels, which often
 * share a prefix such as comp.* or rec.*, get neighbouring hues), with
 * alternating lightness when there are many.
 */
export function palette(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const hue = 25 + (i * 340) / Math.max(n, 1);
    const L = n > 8 ? (i % 2 ? 0.72 : 0.58) : 0.64;
    const C = n > 8 ? (i % 2 ? 0.13 : 0.16) : 0.15;
    out.push(oklchToHex(L, C, hue));
  }
  return out;
}

/** Diverging colour for v in [-1, 1]: blue (negative) - light grey - orange (positive). */
export function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  const lo = [28, 126, 214];
  const mid = [226, 229, 234];
  const hi = [232, 89, 12];
  const [a, b, u] = t < 0 ? [mid, lo, -t] : [mid, hi, t];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * u));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Reads a File as text, with a clear error when the browser cannot. */
export async function readText(file) {
  try {
    return await file.text();
  } catch (e) {
    throw new Error(`Could not read ${file.name}: ${e.message || e}`);
  }
}

/**
 * Decodes the bundled sample: gzip'd bytes are decompressed with
 * DecompressionStream; bytes a server already decompressed (some send .gz
 * files with Content-Encoding: gzip) are used as they are.
 * @param {ArrayBuffer} buf
 */
export async function gunzipText(buf) {
  const u8 = new Uint8Array(buf);
  if (!(u8[0] === 0x1f && u8[1] === 0x8b)) return new TextDecoder().decode(u8);
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('This browser cannot decompress the bundled sample (no DecompressionStream).');
  }
  const stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream('gzip'));
  return await new Response(stream).text();
}
