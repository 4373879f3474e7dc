/*
 * Sanjog service worker, written by hand. It keeps the app shell (index.html, the built
 * scripts and styles, icons) so that the app opens on a dropped 2G link, and it never touches
 * the API: health data is not cached on a phone that a family may share.
 *
 * The build (vite.config.ts) replaces the next line with the real file list and a version.
 */
const BUILD = { version: 'dev', files: [] };

const CACHE = `sanjog-shell-${BUILD.version}`;
const SHELL = '/';
// A navigation slower than this falls back to the cached shell; the network answer still
// refreshes the cache when it arrives.
const NAVIGATION_TIMEOUT_MS = 4000;

const NEVER_CACHED = ['/api/', '/fhir/', '/docs', '/health', '/ready', '/metrics', '/openapi.json', '/sw.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([SHELL, ...BUILD.files])));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names.filter((name) => name.startsWith('sanjog-shell-') && name !== CACHE).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

/** Network first: the newest shell when the link works, the cached one when it does not. */
async function navigation(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    // Every client route answers with the same index.html, kept under "/".
    if (response.ok && response.headers.get('content-type')?.includes('text/html')) {
      await cache.put(SHELL, response.clone()).catch(() => undefined);
    }
    return response;
  });
  // If the cached shell is served first, a later network failure is expected, not an error.
  network.catch(() => undefined);
  const timeout = new Promise((resolve) => setTimeout(resolve, NAVIGATION_TIMEOUT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await cache.match(SHELL);
    return cached ?? (await network);
  } catch {
    const cached = await caches.match(SHELL);
    if (cached) return cached;
    throw new Error('offline and no cached shell');
  }
}

/** Cache first for the build's own files: their names change whenever their content does. */
async function asset(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  } else if (url.pathname.startsWith('/assets/') || BUILD.files.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});
