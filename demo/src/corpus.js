// corpus.js — turning what a visitor brings (pasted text, .txt files, a
// .jsonl, a .csv/.tsv, the bundled sample) into documents {text, label}.
// Pure functions with no DOM access, so they are tested in Node
// (demo/test/corpus.test.mjs).

/** Thrown for input the demo cannot use; its message is shown in the page. */
export class CorpusError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CorpusError';
  }
}

const TEXT_KEYS = ['text', 'body', 'content', 'document', 'doc', 'message', 'abstract', 'sentence'];
const LABEL_KEYS = ['label', 'category', 'class', 'topic', 'group', 'newsgroup', 'tag', 'target'];

/** The maximum number of documents the demo accepts (the browser tab's memory is the limit). */
export const MAX_DOCS = 100000;

/**
 * Splits pasted text into documents: at blank lines, or at every line when
 * perLine is true. Empty pieces are dropped.
 * @param {string} text
 * @param {{perLine?: boolean}} [opts]
 * @returns {{text: string, label: null}[]}
 */
export function parsePasted(text, opts = {}) {
  const sep = opts.perLine ? /\r?\n/ : /(?:\r?\n[ \t]*){2,}/;
  return String(text)
    .split(sep)
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .map((t) => ({ text: t, label: null }));
}

/**
 * Parses JSON Lines: every non-blank line is a JSON object with a text field
 * (text, body, content, …) and an optional label field (label, category, …),
 * or a bare JSON string. A .json file holding an array of the same is
 * accepted too.
 * @param {string} src
 * @param {string} [name] file name, for error messages
 */
export function parseJSONL(src, name = 'the file') {
  const trimmed = src.trimStart();
  if (trimmed.startsWith('[')) {
    let arr;
    try {
      arr = JSON.parse(trimmed);
    } catch (e) {
      throw new CorpusError(`${name} starts with "[" but is not valid JSON: ${e.message}`);
    }
    if (!Array.isArray(arr)) throw new CorpusError(`${name} is not a JSON array.`);
    return arr.map((v, i) => recordToDoc(v, `${name}, item ${i + 1}`));
  }
  const docs = [];
  const lines = src.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let v;
    try {
      v = JSON.parse(line);
    } catch {
      throw new CorpusError(`${name}, line ${i + 1}, is not valid JSON: ${snippet(line, 60)}`);
    }
    docs.push(recordToDoc(v, `${name}, line ${i + 1}`));
  }
  return docs;
}

function recordToDoc(v, where) {
  if (typeof v === 'string') return { text: v, label: null };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new CorpusError(`${where} is neither a JSON object nor a string.`);
  }
  const keys = Object.keys(v);
  const tk = findKey(keys, TEXT_KEYS);
  if (tk === undefined || typeof v[tk] !== 'string') {
    throw new CorpusError(`${where} has no "text" field (a string). Fields found: ${keys.join(', ') || 'none'}.`);
  }
  const lk = findKey(keys, LABEL_KEYS);
  const label = lk === undefined || v[lk] === null || v[lk] === undefined ? null : String(v[lk]);
  return { text: v[tk], label: label === '' ? null : label };
}

function findKey(keys, wanted) {
  for (const w of wanted) {
    const k = keys.find((k) => k.toLowerCase() === w);
    if (k !== undefined) return k;
  }
  return undefined;
}

/**
 * Parses RFC 4180 CSV (quoted fields may hold delimiters, quotes as "" and
 * newlines). The delimiter is guessed from the header line (comma, tab or
 * semicolon) unless given.
 * @param {string} src
 * @param {string} [delimiter]
 * @returns {string[][]} rows of fields
 */
export function parseCSVRows(src, delimiter) {
  if (src.charCodeAt(0) === 0xfeff) src = src.slice(1);
  const delim = delimiter ?? guessDelimiter(src);
  const rows = [];
  let row = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === delim) {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new CorpusError('The CSV file ends inside a quoted field (a " is not closed).');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

function guessDelimiter(src) {
  let header = '';
  let quoted = false;
  for (const c of src) {
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '\n' || c === '\r')) break;
    header += c;
  }
  const count = (d) => header.split(d).length - 1;
  const cands = [',', '\t', ';'].map((d) => [d, count(d)]).sort((a, b) => b[1] - a[1]);
  return cands[0][1] > 0 ? cands[0][0] : ',';
}

/**
 * Parses a CSV/TSV file with a header row into documents. The text column is
 * the one named text (body, content, …) or else the column with the longest
 * values; the label column, when present, is named label (category, class, …).
 * @param {string} src
 * @param {string} [name]
 * @param {string} [delimiter]
 */
export function parseCSV(src, name = 'the file', delimiter) {
  const rows = parseCSVRows(src, delimiter);
  if (rows.length < 2) {
    throw new CorpusError(`${name} needs a header row and at least one row of data.`);
  }
  const header = rows[0].map((h) => h.trim());
  const lower = header.map((h) => h.toLowerCase());
  let ti = TEXT_KEYS.map((k) => lower.indexOf(k)).find((i) => i >= 0);
  const li = LABEL_KEYS.map((k) => lower.indexOf(k)).find((i) => i >= 0);
  if (ti === undefined) {
    // The column with the longest values on average is the text.
    const len = header.map(() => 0);
    for (const r of rows.slice(1, 200)) r.forEach((f, j) => { if (j < len.length) len[j] += f.length; });
    ti = len.indexOf(Math.max(...len));
    if (ti === li) throw new CorpusError(`${name} has no text column (name one "text").`);
  }
  const docs = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const text = row[ti];
    if (text === undefined) {
      throw new CorpusError(`${name}, row ${r + 1}, has ${row.length} field(s) but the text is column ${ti + 1} ("${header[ti]}").`);
    }
    const label = li === undefined ? null : (row[li] ?? '').trim() || null;
    docs.push({ text, label });
  }
  return docs;
}

/**
 * Turns uploaded files ({name, text}) into documents. .jsonl/.ndjson/.json
 * and .csv/.tsv files hold many documents each; every .txt (or other text)
 * file is one document, except that a single .txt file on its own is split
 * into documents at blank lines.
 * @param {{name: string, text: string}[]} files
 * @returns {{docs: {text: string, label: string|null}[], summary: string}}
 */
export function parseFiles(files) {
  if (!files.length) throw new CorpusError('No file was chosen.');
  const docs = [];
  const txt = files.filter((f) => kindOf(f.name) === 'txt');
  for (const f of files) {
    if (/\0/.test(f.text.slice(0, 4096))) {
      throw new CorpusError(`${f.name} is not a text file (it looks binary). Use .txt, .jsonl or .csv files.`);
    }
    switch (kindOf(f.name)) {
      case 'jsonl':
        docs.push(...parseJSONL(f.text, f.name));
        break;
      case 'csv':
        docs.push(...parseCSV(f.text, f.name, /\.tsv$/i.test(f.name) ? '\t' : undefined));
        break;
      default:
        if (txt.length === 1 && files.length === 1) docs.push(...parsePasted(f.text));
        else if (f.text.trim()) docs.push({ text: f.text, label: null });
    }
  }
  const summary = files.length === 1 ? files[0].name : `${files.length} files`;
  return { docs, summary };
}

function kindOf(name) {
  if (/\.(jsonl|ndjson|json)$/i.test(name)) return 'jsonl';
  if (/\.(csv|tsv)$/i.test(name)) return 'csv';
  return 'txt';
}

/**
 * Checks a corpus before training and returns it cleaned: documents with
 * blank text are dropped; labels are kept only when at least two distinct
 * labels are present and every document has one... or most do.
 * @param {{text: string, label: string|null}[]} docs
 * @returns {{docs: {text: string, label: string|null}[], labels: string[]}}
 */
export function prepareCorpus(docs) {
  const kept = docs.filter((d) => typeof d.text === 'string' && d.text.trim().length > 0);
  if (kept.length === 0) {
    throw new CorpusError('The corpus is empty: there is no document with any text.');
  }
  if (kept.length < 2) {
    throw new CorpusError('The corpus has only one document; KATE needs at least 2 (better: hundreds).');
  }
  if (kept.length > MAX_DOCS) {
    throw new CorpusError(`The corpus has ${kept.length.toLocaleString('en-US')} documents; the demo takes at most ${MAX_DOCS.toLocaleString('en-US')}.`);
  }
  const set = new Set();
  for (const d of kept) if (d.label !== null && d.label !== undefined) set.add(d.label);
  const labels = [...set].sort();
  return { docs: kept, labels };
}

/** Below this many documents the demo warns that the map will mean little. */
export const FEW_DOCS = 100;

/**
 * A warning for a corpus too small to learn from, or '' (n documents).
 * @param {number} n
 */
export function fewDocsWarning(n) {
  if (n >= FEW_DOCS) return '';
  return `Only ${n} document${n === 1 ? '' : 's'}: KATE learns which words occur together across many documents, ` +
    `so with fewer than ${FEW_DOCS} the map, the search and the topics mean little. A few hundred or more work well.`;
}

/**
 * Parses the bundled sample (JSON Lines with id, split, label, text and
 * text_stripped). The demo trains on and shows text_stripped, the post
 * without mail headers, signature and quoted replies, so that host names and
 * first names do not fill the map and the topics; the post's Subject line
 * (from the full text) becomes its title. Posts with almost no text of
 * their own (only quotes) and exact duplicates (cross-posts) are dropped.
 */
export function parseSample(src) {
  const docs = [];
  const seen = new Set();
  const lines = src.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    let v;
    try {
      v = JSON.parse(lines[i]);
    } catch {
      throw new CorpusError(`the bundled sample, line ${i + 1}, is not valid JSON`);
    }
    const full = typeof v.text === 'string' ? v.text : '';
    const text = (typeof v.text_stripped === 'string' ? v.text_stripped : full).trim();
    if (text.length < 40 || seen.has(text)) continue;
    seen.add(text);
    const subj = /^Subject:[ \t]*(.*)$/m.exec(full);
    docs.push({ text, label: v.label == null || v.label === '' ? null : String(v.label), title: subj ? subj[1].trim() : null });
  }
  return docs;
}

/**
 * The title of a document {text, title?} for lists: its own title when it
 * has one (the sample's Subject lines), else titleOf(text).
 */
export function docTitle(d, max = 90) {
  if (d.title) {
    const t = d.title.replace(/\s+/g, ' ').trim();
    if (t) return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
  }
  return titleOf(d.text, max);
}

/**
 * A short one-line excerpt of a document: for e-mail-like texts (20
 * Newsgroups) the Subject line and the start of the body, else the start.
 * @param {string} text
 * @param {number} [max]
 */
export function snippet(text, max = 160) {
  let t = String(text);
  const subj = /^Subject:[ \t]*(.*)$/m.exec(t);
  if (subj) {
    const body = t.split(/\r?\n\r?\n/).slice(1).join(' ');
    t = `${subj[1].trim()} — ${body}`;
  }
  t = t.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t;
}

/**
 * The title of a document for lists: the Subject line when present, else
 * its first words.
 */
export function titleOf(text, max = 90) {
  const subj = /^Subject:[ \t]*(.*)$/m.exec(text);
  const t = (subj ? subj[1] : text).replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1).trimEnd()}…` : t || '(empty)';
}

/**
 * The embeddings and metadata as TSV for the TensorFlow Embedding Projector
 * (projector.tensorflow.org: "Load" takes a vectors file and a metadata
 * file). With labels the metadata has a header row (label, title);
 * without, a single column and no header, as the Projector expects.
 * @param {Float32Array} data row-major n x dim
 * @param {number} dim
 * @param {{text: string, label: string|null}[]} docs
 * @returns {{vectors: string, metadata: string}}
 */
export function toProjectorTSV(data, dim, docs) {
  const n = docs.length;
  if (data.length !== n * dim) throw new Error('embeddings and documents do not match');
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    const parts = new Array(dim);
    for (let j = 0; j < dim; j++) parts[j] = fmtNum(data[i * dim + j]);
    rows[i] = parts.join('\t');
  }
  const clean = (s) => String(s).replace(/[\t\r\n]+/g, ' ').trim() || '-';
  const hasLabels = docs.some((d) => d.label !== null);
  const meta = hasLabels
    ? ['label\ttitle', ...docs.map((d) => `${clean(d.label ?? '-')}\t${clean(docTitle(d, 120))}`)]
    : docs.map((d) => clean(docTitle(d, 120)));
  return { vectors: rows.join('\n') + '\n', metadata: meta.join('\n') + '\n' };
}

function fmtNum(x) {
  if (x === 0) return '0';
  return Number(x.toPrecision(6)).toString();
}
