// Service worker: keeps the page's own files so that it works offline once loaded.
// Network first (a new version is picked up at once), the cache when offline. It only
// ever handles requests to this site's own origin; it never contacts anything else.
const FALLBACK_FILES = [
  './', 'index.html', 'app.js', 'worker.js', 'style.css',
  'js/dom.js', 'js/state.js', 'js/engine.js', 'js/input.js', 'js/form.js', 'js/results.js', 'js/export.js',
  'pkg/survkit_wasm.js', 'pkg/survkit_wasm_bg.wasm',
  'data/examples.json', 'data/lung.csv', 'data/veteran.csv',
];

async function fileList() {
  // `npm run build` writes build.json (a content hash and every file of the site).
  try {
    const res = await fetch('build.json', { cache: 'no-cache' });
    if (res.ok) {
      const b = await res.json();
      return { id: b.id, files: ['./', ...b.files.filter((f) => f !== 'sw.js')] };
    }
  } catch {}
  return { id: 'dev', files: FALLBACK_FILES };
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const { id, files } = await fileList();
    const cache = await caches.open(`survkit-${id}`);
    await cache.addAll(files);
    self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const { id } = await fileList().catch(() => ({ id: 'dev' }));
    for (const key of await caches.keys()) if (key !== `survkit-${id}`) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith((async () => {
    try {
      const res = await fetch(event.request);
      if (res.ok) {
        const copy = res.clone();
        const keys = await caches.keys();
        if (keys.length) caches.open(keys[0]).then((c) => c.put(event.request, copy)).catch(() => {});
      }
      return res;
    } catch (err) {
      const hit = await caches.match(event.request, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
