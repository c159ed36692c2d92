// Keeps the page itself (not the API) for offline use: a reload without a connection still opens
// Tally and shows the adds waiting to be sent. Network first, so an update is seen when online.
const CACHE = 'tally-page-v1';
const PAGE = [
  '/',
  '/style.css',
  '/js/main.js',
  '/js/add.js',
  '/js/api.js',
  '/js/budgets.js',
  '/js/chart.js',
  '/js/dom.js',
  '/js/edit.js',
  '/js/filters.js',
  '/js/import.js',
  '/js/list.js',
  '/js/pending.js',
  '/js/refresh.js',
  '/js/session.js',
  '/js/telegram.js',
  '/vendor/chart/chart.umd.min.js',
  '/vendor/tma/index.iife.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PAGE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const path = event.request.mode === 'navigate' ? '/' : url.pathname;
  // API calls and anything else go to the network untouched.
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !PAGE.includes(path)) return;
  event.respondWith(
    fetch(event.request).then(
      (response) => {
        if (response.ok) {
          const copy = response.clone();
          void caches.open(CACHE).then((cache) => cache.put(path, copy));
        }
        return response;
      },
      () => caches.match(path).then((cached) => cached ?? Response.error()),
    ),
  );
});
