// A tiny static file server for the page: 127.0.0.1 only, no dependencies.
// Usage: node scripts/serve.mjs [--dir www] [--port 8080]   (PORT also overrides)
// Sends the same Content-Security-Policy as the page's <meta> tag, so a mistake in
// either is caught by the browser tests.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Starts a server for `dir` on 127.0.0.1:`port` (0 = any free port); resolves to it.
 * For the browser tests only (tests/browser/harness.mjs): `onRequest(req)` sees every
 * request (the server-side request log, the only one a WebKitWebDriver session has), and
 * `override(pathname, req)` may answer a request instead of the file system: it returns
 * `{ status, type, body }`, `'drop'` (destroy the connection: the machine is offline) or
 * nothing (serve the file as usual).
 */
export function serve(dir, port, { onRequest, override } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let path = decodeURIComponent(url.pathname);
      onRequest?.(req);
      const o = override?.(path, req);
      if (o === 'drop') {
        req.socket.destroy();
        return;
      }
      if (o) {
        res.writeHead(o.status ?? 200, {
          'content-type': o.type || 'application/octet-stream',
          'content-security-policy': CSP,
          'cache-control': 'no-cache',
        });
        res.end(o.body);
        return;
      }
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] || 'application/octet-stream',
        'content-security-policy': CSP,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const dir = opt('--dir', 'www');
  const port = Number(opt('--port', process.env.PORT || 8080));
  serve(dir, port).then(
    (s) => {
      console.log(`survkit is running at http://127.0.0.1:${s.address().port}/  (serving ${dir}/; Ctrl+C stops)`);
    },
    (e) => {
      console.error(`cannot serve on 127.0.0.1:${port}: ${e.message}. Set PORT to use another port.`);
      process.exit(1);
    },
  );
}
