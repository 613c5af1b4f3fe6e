// server.mjs — a tiny static file server for the demo (no dependencies).
// Correct MIME types (application/wasm for WebAssembly streaming
// compilation, text/javascript for modules and workers), no directory
// listings, no path traversal, no caching (it is for development).
//
//   node demo/server.mjs [--root demo/dist] [--port 8080] [--host 127.0.0.1]
//
// Also imported by demo/test/browser.test.mjs: serve(root, {port, host}).

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
 * Starts serving root. Resolves with {server, url} once listening.
 * @param {string} root
 * @param {{port?: number, host?: string, log?: boolean}} [opts]
 */
export function serve(root, { port = 8080, host = '127.0.0.1', log = false } = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request\n');
    }
    let file = path.join(base, rel);
    if (file !== base && !file.startsWith(base + path.sep)) return send(403, 'forbidden\n');
    fs.stat(file, (err, st) => {
      if (!err && st.isDirectory()) {
        if (!rel.endsWith('/')) {
          res.writeHead(301, { Location: rel + '/' });
          return res.end();
        }
        file = path.join(file, 'index.html');
      }
      fs.stat(file, (err2, st2) => {
        if (err2 || !st2.isFile()) {
          if (log) console.log(`404 ${req.url}`);
          return send(404, `not found: ${rel}\n`);
        }
        const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
        res.writeHead(200, {
          'Content-Type': type,
          'Content-Length': st2.size,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
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
      resolve({ server, url: `http://${host}:${p}/` });
    });
  });
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = arg('root', path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist'));
  const port = Number(arg('port', process.env.PORT || 8080));
  const host = arg('host', process.env.HOST || '127.0.0.1');
  serve(root, { port, host, log: true }).then(
    ({ url }) => console.log(`KATE demo: serving ${root} on ${url}  (Ctrl-C to stop)`),
    (e) => {
      console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: try --port ${port + 1}` : e.message);
      process.exit(1);
    },
  );
}
