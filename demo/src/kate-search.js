// kate-search.js — site search for static sites, with no dependency and no
// WebAssembly: loads an index written by `kate index` and answers queries as
// you type, ranked by KATE embeddings, with highlighted snippets.
//
//   <script type="module" src="kate-search.js"></script>
//   <kate-search src="search.kidx" placeholder="Search the docs"></kate-search>
//
// or, from code:
//
//   import { loadIndex } from './kate-search.js';
//   const index = await loadIndex('search.kidx');
//   index.search('space shuttle launch', 10);   // [{ i, score, title, url, snippet }]
//
// A query is encoded here exactly as the model encodes a document,
// tanh(x W + b) (docs/design.md §1.1), with W stored as int8 rows. The page
// does not stem: the index lists, for every vocabulary term, the words of the
// indexed text that the model's tokenizer maps to it, so "launched" finds the
// term "launch". Scores are cosines measured from the empty document's
// embedding, as `kate similar` ranks. See docs/site-search.md.

const MAGIC = 'KATEIDX1';

/**
 * Fetches and parses an index (gzip'd, as `kate index` writes it; an index
 * the server already decompressed works too).
 * @param {string|URL} url
 * @returns {Promise<SearchIndex>}
 */
export async function loadIndex(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`kate-search: ${url}: the server answered ${res.status}`);
  let buf = new Uint8Array(await res.arrayBuffer());
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    const stream = new Blob([buf]).stream().pipeThrough(new DecompressionStream('gzip'));
    buf = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return new SearchIndex(buf);
}

/** A parsed index: documents, the query encoder and the search. */
export class SearchIndex {
  /** @param {Uint8Array} bytes the decompressed index */
  constructor(bytes) {
    const text = new TextDecoder();
    if (bytes.length < 12 || text.decode(bytes.subarray(0, 8)) !== MAGIC) {
      throw new Error('kate-search: not a KATE search index (made by `kate index`)');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hlen = view.getUint32(8, true);
    const hdr = JSON.parse(text.decode(bytes.subarray(12, 12 + hlen)));
    if (hdr.format !== 1) throw new Error(`kate-search: index format ${hdr.format}, this page reads format 1`);
    const K = hdr.dim, V = hdr.vocab, N = hdr.docs;
    let off = 12 + hlen;
    off += (4 - (off % 4)) % 4;
    const need = off + 4 * V + V * K + 4 * K + 4 * N + N * K;
    if (bytes.length !== need) throw new Error(`kate-search: the index has ${bytes.length} bytes, expected ${need}`);
    // Copy into aligned typed arrays (the header length need not keep them aligned in the original buffer).
    const f32 = (n) => {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getFloat32(off + 4 * i, true);
      off += 4 * n;
      return a;
    };
    const i8 = (n) => {
      const a = new Int8Array(bytes.buffer, bytes.byteOffset + off, n);
      off += n;
      return a;
    };
    this.dim = K;
    this.entries = hdr.entries;
    this.wScale = f32(V);
    this.w = i8(V * K);
    this.b = f32(K);
    this.dScale = f32(N);
    this.d = i8(N * K);
    this.e0 = this.b.map(Math.tanh);
    /** raw word -> vocabulary id */
    this.term = new Map();
    hdr.forms.forEach((f, id) => {
      if (f) for (const w of f.split(' ')) this.term.set(w, id);
    });
    this.words = [...this.term.keys()].sort();
  }

  /** The raw words of a text, lower-cased (the model's tokenizer's split). */
  static words(text) {
    return String(text).toLowerCase().match(/[\p{L}\p{Nd}]+/gu) ?? [];
  }

  /**
   * The vocabulary ids of a query's words. The last word, while it is being
   * typed, may be a prefix: it then stands for the shortest known word that
   * starts with it.
   * @returns {{ids: number[], words: string[]}} ids and the words they came from
   */
  terms(query, { prefix = true } = {}) {
    const raw = SearchIndex.words(query);
    const ids = [], words = [];
    raw.forEach((w, i) => {
      let id = this.term.get(w);
      let word = w;
      if (id === undefined && prefix && i === raw.length - 1 && w.length >= 3 && /[\p{L}\p{Nd}]$/u.test(query)) {
        let lo = 0, hi = this.words.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.words[mid] < w) lo = mid + 1;
          else hi = mid;
        }
        let best;
        for (let j = lo; j < this.words.length && this.words[j].startsWith(w); j++) {
          if (best === undefined || this.words[j].length < best.length) best = this.words[j];
        }
        if (best !== undefined) {
          id = this.term.get(best);
          word = best;
        }
      }
      if (id !== undefined) {
        ids.push(id);
        words.push(word);
      }
    });
    return { ids, words };
  }

  /**
   * The embedding of a query measured from the empty document's, unit
   * length, or null when none of its words is known.
   * @returns {Float32Array|null}
   */
  encode(query, opts) {
    const { ids } = this.terms(query, opts);
    if (!ids.length) return null;
    const count = new Map();
    for (const id of ids) count.set(id, (count.get(id) || 0) + 1);
    let most = 0;
    for (const c of count.values()) most = Math.max(most, c);
    const K = this.dim;
    const a = Float32Array.from(this.b);
    for (const [id, c] of count) {
      const x = (Math.log1p(c) / Math.log1p(most)) * this.wScale[id];
      const row = id * K;
      for (let j = 0; j < K; j++) a[j] += x * this.w[row + j];
    }
    let n2 = 0;
    for (let j = 0; j < K; j++) {
      a[j] = Math.tanh(a[j]) - this.e0[j];
      n2 += a[j] * a[j];
    }
    if (n2 === 0) return null;
    const inv = 1 / Math.sqrt(n2);
    for (let j = 0; j < K; j++) a[j] *= inv;
    return a;
  }

  /**
   * The n documents nearest to query, best first.
   * @returns {{i: number, score: number, title: string, url: string, snippet: string}[]}
   */
  search(query, n = 10, opts) {
    const q = this.encode(query, opts);
    if (!q) return [];
    const K = this.dim, N = this.dScale.length, d = this.d;
    const top = [];
    for (let i = 0; i < N; i++) {
      let s = 0;
      const row = i * K;
      for (let j = 0; j < K; j++) s += q[j] * d[row + j];
      s *= this.dScale[i];
      if (top.length < n || s > top[top.length - 1].score) {
        let p = top.length < n ? top.length : n - 1;
        top[p] = { i, score: s };
        while (p > 0 && top[p - 1].score < s) {
          [top[p], top[p - 1]] = [top[p - 1], top[p]];
          p--;
        }
      }
    }
    return top.map(({ i, score }) => ({ i, score, title: this.entries[i].t, url: this.entries[i].u ?? '', snippet: this.entries[i].s }));
  }

  /**
   * HTML of text with the words that share a vocabulary term with the query
   * marked (<mark>); everything else escaped.
   */
  highlight(text, query) {
    const ids = new Set(this.terms(query).ids);
    return String(text).replace(/([\p{L}\p{Nd}]+)|([^\p{L}\p{Nd}]+)/gu, (m, word) => {
      if (word && ids.has(this.term.get(word.toLowerCase()))) return `<mark>${escapeHTML(word)}</mark>`;
      return escapeHTML(m);
    });
  }
}

function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:host { display: block; font: inherit; }
input { box-sizing: border-box; width: 100%; font: inherit; padding: .6em .8em; border: 1px solid #c9ced8; border-radius: 8px; }
input:focus { outline: 2px solid #4338ca; outline-offset: 1px; }
.status { color: #5d6475; font-size: .85em; margin: .5em 0; min-height: 1.2em; }
ol { list-style: none; margin: 0; padding: 0; }
li { padding: .6em 0; border-bottom: 1px solid #eceef3; }
a.t, span.t { font-weight: 600; color: #1d2130; text-decoration: none; }
a.t:hover { text-decoration: underline; }
.s { color: #3d4352; font-size: .92em; margin-top: .2em; }
.sc { color: #8a90a0; font-size: .8em; margin-left: .5em; font-variant-numeric: tabular-nums; }
mark { background: #fff0b3; color: inherit; border-radius: 2px; }
`;

/**
 * <kate-search src="search.kidx" placeholder="…" results="8" value="…" param="q">:
 * a search box that answers as you type. Attributes: src (the index), results
 * (how many, default 8), placeholder, value (an initial query), param (take
 * the initial query from this URL parameter, e.g. search.html?q=…). The element
 * sets data-ready and data-answered (milliseconds since the page started) for
 * scripts and tests, and fires "kate-search:answer" with {query, hits}.
 */
// The element's base class; outside a browser (Node tests) a stand-in, so the module still loads.
const ElementBase = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

export class KateSearchElement extends ElementBase {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style><input type="search" part="input" autocomplete="off" spellcheck="false"
      aria-label="Search"><div class="status" part="status" role="status" aria-live="polite"></div><ol part="results"></ol>`;
    this.input = root.querySelector('input');
    this.status = root.querySelector('.status');
    this.list = root.querySelector('ol');
    this.input.placeholder = this.getAttribute('placeholder') || 'Search';
    const param = this.getAttribute('param');
    this.input.value = (param && new URLSearchParams(location.search).get(param)) || this.getAttribute('value') || '';
    this.input.addEventListener('input', () => this.answer());
    this.status.textContent = 'Loading the index…';
    this.ready = loadIndex(new URL(this.getAttribute('src') || 'search.kidx', document.baseURI)).then((index) => {
      this.index = index;
      this.dataset.ready = String(Math.round(performance.now()));
      this.status.textContent = '';
      this.answer();
      return index;
    }, (e) => {
      this.status.textContent = `Search is unavailable: ${e.message}`;
      this.dataset.error = e.message;
      throw e;
    });
  }

  /** Runs the current query and renders the hits. */
  answer() {
    if (!this.index) return;
    const query = this.input.value;
    const n = Number(this.getAttribute('results')) || 8;
    const hits = query.trim() ? this.index.search(query, n) : [];
    if (!query.trim()) {
      this.status.textContent = `${this.index.entries.length.toLocaleString('en-US')} documents. Type to search by meaning.`;
    } else if (!hits.length) {
      this.status.textContent = 'None of these words is in the index’s vocabulary. Try other words.';
    } else {
      const { words } = this.index.terms(query);
      this.status.textContent = `Nearest to: ${words.join(' ')}`;
    }
    this.list.innerHTML = hits.map((h) => {
      const title = this.index.highlight(h.title || h.snippet.slice(0, 60), query);
      const link = h.url ? `<a class="t" part="title" href="${escapeHTML(h.url)}">${title}</a>` : `<span class="t" part="title">${title}</span>`;
      return `<li part="hit">${link}<span class="sc">${h.score.toFixed(2)}</span><div class="s" part="snippet">${this.index.highlight(h.snippet, query)}</div></li>`;
    }).join('');
    if (query.trim()) this.dataset.answered = String(Math.round(performance.now()));
    this.dispatchEvent(new CustomEvent('kate-search:answer', { detail: { query, hits } }));
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('kate-search')) {
  customElements.define('kate-search', KateSearchElement);
}
