// server.mjs — the project's one static file server (no dependencies), for
// the demo (./build.sh serve) and the browser tests of js/ and demo/.
// Correct MIME types (application/wasm for streaming compilation,
// text/javascript for modules and workers), no directory listings, no path
// traversal, no caching.
//
//   node scripts/web/server.mjs --root DIR [--port 8080] [--host 127.0.0.1]
//
// As a module: serve(mounts, options) — see below.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.kate': 'application/octet-stream',
};

/**
 * Serves files on host (default 127.0.0.1) at port (default 0: a free one).
 * mounts: a directory served at /, or { '/prefix/': directory, ... }.
 * headers(urlPath) may add response headers (e.g. a Content-Security-Policy).
 * Resolves, once listening, with { url (http://host:port, no trailing
 * slash), server, close() }.
 */
export function serve(mounts, { port = 0, host = '127.0.0.1', headers = () => ({}), log = false } = {}) {
  const table = Object.entries(typeof mounts === 'string' ? { '/': mounts } : mounts)
    .map(([prefix, dir]) => [prefix, path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = http.createServer((req, res) => {
    const send = (code, body) => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    const mount = table.find(([prefix]) => rel.startsWith(prefix));
    if (!mount) return send(404, `not found: ${rel}\n`);
    const [prefix, base] = mount;
    let file = path.join(base, rel.slice(prefix.length));
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'forbidden\n');
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!rel.endsWith('/')) {
          res.writeHead(301, { Location: `${rel}/` });
          return res.end();
        }
        file = path.join(file, 'index.html');
      }
      fs.stat(file, (err2, st2) => {
        if (err2 || !st2.isFile()) {
          if (log) console.log(`404 ${req.url}`);
          return send(404, `not found: ${rel}\n`);
        }
        res.writeHead(200, {
          'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
          'Content-Length': st2.size,
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          ...headers(rel),
        });
        if (req.method === 'HEAD') return res.end();
        fs.createReadStream(file).pipe(res);
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({
        url: `http://${host}:${p}`,
        server,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(done);
        }),
      });
    });
  });
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = arg('root', null);
  if (!root) {
    console.error('usage: node scripts/web/server.mjs --root DIR [--port 8080] [--host 127.0.0.1]');
    process.exit(2);
  }
  const port = Number(arg('port', process.env.PORT || 8080));
  const host = arg('host', process.env.HOST || '127.0.0.1');
  serve(root, { port, host, log: true }).then(
    ({ url }) => {
      // The pages to open (the demo's second page when it is there), then what is served.
      const pages = [`${url}/`];
      if (fs.existsSync(path.join(root, 'search.html'))) pages.push(`${url}/search.html`);
      console.log(`\nOpen in your browser:\n${pages.map((u) => `  ${u}`).join('\n')}\n(serving ${path.relative(process.cwd(), root) || '.'}; Ctrl-C to stop)\n`);
    },
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try ./build.sh serve --port ${port + 1}` : e.message);
      process.exit(1);
    },
  );
}
