// Linli workspace: opens and works with no network after the first visit.
// - install: every file of the build (ASSETS, listed by scripts/trunk_post_build.mjs)
//   is put in this build's cache, so the first visit is enough.
// - fetch: the app's files from this build's cache (navigations to the app get its
//   cached index.html), the network for anything else. The residents' dashboard under
//   `site/` has its own worker and caches: this worker never answers for it.
// - A new build: the browser finds a changed sw.js, installs it next to the running one
//   and lets it wait. The page shows "a new version is ready" (src/components/update.rs);
//   its button posts 'skip-waiting', this worker activates, the page reloads onto it.
// - activate: deletes the caches of earlier builds of this deployment only (the cache
//   name ends with the worker's scope; the dashboard's `linli-dashboard-…` caches and
//   other deployments on the same origin are left alone).
// The build's version: scripts/trunk_post_build.mjs replaces `dev` with a hash of the
// build's other files and fills ASSETS.
const CACHE = 'linli-workspace-dev';
const ASSETS = [];
const SCOPE = self.registration.scope;
const NAME = `${CACHE} ${SCOPE}`;
const SITE = new URL('site/', SCOPE).href;
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(NAME).then((c) => c.addAll(ASSETS.map((a) => new Request(a, { cache: 'no-cache' })))));
});
self.addEventListener('message', (e) => {
  if (e.data === 'skip-waiting') self.skipWaiting();
});
self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) {
      if (k !== NAME && k.startsWith('linli-workspace-') && k.endsWith(` ${SCOPE}`)) await caches.delete(k);
    }
    await self.clients.claim();
  })());
});
self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  url.hash = '';
  const href = url.href;
  if (!href.startsWith(SCOPE) || href.startsWith(SITE)) return;
  const path = url.origin + url.pathname;
  const app = req.mode === 'navigate' && (path === SCOPE || path === INDEX);
  e.respondWith((async () => {
    const cache = await caches.open(NAME);
    const hit = await cache.match(app ? INDEX : req, { ignoreSearch: app });
    return hit ?? fetch(req);
  })());
});
