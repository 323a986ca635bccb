// A plain static file server: no rewrite rules, no fallback to index.html.
// Serves DIR under PREFIX (e.g. /community-a/), 404 for anything else.
// Usage as a module: `const s = await serve(dir, prefix, port)`; as a script:
// `node serve.mjs DIR PREFIX PORT`.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, extname, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

export function serve(dir, prefix = '/', port = 0, host = '127.0.0.1') {
  return serveRoutes([{ prefix, dir }], port, host);
}

// Several folders on one origin: `routes` is a list of `{ prefix, dir }` (the longest
// matching prefix wins). Entries may be changed while serving (e.g. `routes[0].dir = other`
// to serve a new build at the same address).
export function serveRoutes(routes, port = 0, host = '127.0.0.1') {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      let path = decodeURIComponent(url.pathname);
      const route = routes
        .filter((r) => path.startsWith(r.prefix))
        .sort((a, b) => b.prefix.length - a.prefix.length)[0];
      if (!route) {
        res.writeHead(404).end('not found');
        return;
      }
      const root = resolve(route.dir);
      path = path.slice(route.prefix.length);
      if (path === '' || path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      if (!file.startsWith(root)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  return new Promise((ok) => server.listen(port, host, () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = 'dist', prefix = '/', port = '8080'] = process.argv.slice(2);
  const s = await serve(dir, prefix, Number(port));
  console.log(`serving ${dir} at http://127.0.0.1:${s.address().port}${prefix}`);
}
