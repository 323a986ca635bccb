// A CouchDB-protocol server for the browser tests and the sync benchmark: pouchdb-server
// in memory on a free loopback port (scripts/couch.sh), and the built workspace copied
// and stamped the way a deployment allows that server (LINLI_SYNC_ORIGINS, the
// post-build step run again on the built folder).
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer, connect as tcpConnect } from 'node:net';
import { DIST, OUT } from './harness.mjs';
import { postBuild } from '../../scripts/trunk_post_build.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;

// Starts the server; `{ url, process }` once it listens.
export async function startCouch() {
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  const child = spawn('bash', [`${ROOT}scripts/couch.sh`, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (l) => resolve(l.trim()));
    child.once('exit', (c) => reject(new Error(`couch.sh exited ${c}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  return { url, process: child };
}

// A copy of the built workspace (`name` under out/) whose CSP allows `origin`.
export function stampedDist(origin, name) {
  const dir = `${OUT}${name}/`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIST, dir, { recursive: true });
  process.env.LINLI_SYNC_ORIGINS = origin;
  postBuild(dir);
  delete process.env.LINLI_SYNC_ORIGINS;
  return dir;
}

// A TCP relay on a loopback port in front of `url`'s server: what a guide's browser sees
// of a server that dies (`kill`: every connection cut, the port closed) and comes back
// (`revive`: the same port again), while the server behind keeps its data. Records the
// `since` of every `_changes` request that passes (`since`).
export async function startRelay(url) {
  const target = new URL(url);
  const sockets = new Set();
  const since = [];
  let server = null;
  let port = 0;
  const listen = () => new Promise((resolve) => {
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.on('data', (chunk) => {
        for (const m of chunk.toString('latin1').matchAll(/_changes\?[^ ]*?since=([^& ]*)/g)) since.push(decodeURIComponent(m[1]));
      });
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = server.address().port; resolve(); });
  });
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    since,
    kill: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
    revive: listen,
  };
}
