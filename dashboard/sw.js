// Linli public dashboard: works offline after the first visit.
// - The data (snapshot.json, requests.json, snapshots/…) and the page: network first, the cached copy
//   when offline, so residents always see the latest publication when they can.
// - Everything else (hashed JS, WASM, CSS, icons): cache first; their names change
//   with their content, so a cached copy is never stale.
// - The data kept for offline use is stamped with the time it was saved
//   (`x-linli-saved`, ms): a response carrying it is the offline copy, and the page
//   labels it "offline copy of DATE". Fresh responses from the network carry no stamp.
// The build's version: scripts/trunk_post_build.mjs replaces `dev` with a hash of the
// build's other files, so every new build has its own cache and `activate` below deletes
// the caches of earlier builds.
const CACHE = 'linli-dashboard-dev';
// The intake forms' files (issue #18; filled in by scripts/trunk_post_build.mjs): the
// page loads them only when a resident opens a form, so they are cached at install to make
// the form work offline after the first visit.
const ASSETS = [];
const FRESH = /(?:\/|index\.html|snapshot\.json|requests\.json|snapshots\/[^/]*\.(?:json|checkpoint)|checkpoint|publishing-key\.vkey|trust\.js|manifest\.webmanifest|notice\.html)$/;

async function stamped(res) {
  const headers = new Headers(res.headers);
  headers.set('x-linli-saved', String(Date.now()));
  return new Response(await res.blob(), { status: res.status, statusText: res.statusText, headers });
}

self.addEventListener('install', (e) => {
  self.skipWaiting();
  // One missing file must not stop the worker from installing: the page still works.
  e.waitUntil(caches.open(CACHE).then((c) => Promise.all(ASSETS.map((a) => c.add(a).catch(() => {})))));
});
self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    // Only this page's caches: the workspace's worker keeps `linli-workspace-…` ones.
    for (const k of await caches.keys()) if (k !== CACHE && k.startsWith('linli-dashboard-')) await caches.delete(k);
    await self.clients.claim();
  })());
});
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== location.origin) return;
  const path = new URL(req.url).pathname;
  e.respondWith((async () => {
    const cache = await caches.open(CACHE);
    if (FRESH.test(path) || req.mode === 'navigate') {
      try {
        const res = await fetch(req, { cache: 'no-cache' });
        if (res.ok) await cache.put(req, await stamped(res.clone()));
        return res;
      } catch (err) {
        const hit = await cache.match(req, { ignoreSearch: true });
        if (hit) return hit;
        throw err;
      }
    }
    const hit = await cache.match(req);
    if (hit) return hit;
    const res = await fetch(req);
    if (res.ok) cache.put(req, res.clone());
    return res;
  })());
});
