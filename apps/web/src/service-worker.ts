/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
/**
 * Offline reading. A technician opens the fix upstairs and reads it again in a basement
 * without signal:
 * - the app shell (the built scripts and styles, the static files) is cached at install,
 *   cache-first (their names carry a hash, so they never go stale);
 * - page navigations go to the network first; the forum's pages people read (threads, boards,
 *   the home page) are kept as they come, the last 30 threads and 10 other pages;
 * - offline, a kept page is served (the layout says it is a saved copy), and anything else gets
 *   the offline page, which lists the threads kept on this device.
 * Nothing else is touched: API calls, page data, uploads and form posts go to the network as
 * if there were no worker. Logging out deletes the kept pages (see drafts on shared machines).
 */
import { build, files, version } from '$service-worker';
import { PAGES_CACHE } from '$lib/offline.ts';

const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL = `shell-${version}`;
// The name is shared with the pages (lib/offline.ts), which list and forget what is kept.
const PAGES = PAGES_CACHE;
const OFFLINE = '/offline';
const MAX_THREADS = 30;
const MAX_OTHER = 10;
const shellFiles = new Set([...build, ...files]);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const shell = await caches.open(SHELL);
      await shell.addAll([...shellFiles]);
      const pages = await caches.open(PAGES);
      const offline = await fetch(OFFLINE, { credentials: 'omit' });
      if (offline.ok) await pages.put(OFFLINE, offline);
      await sw.skipWaiting();
    })()
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('shell-') && key !== SHELL) await caches.delete(key);
    })()
  );
});

/** The pages worth keeping for offline reading, by their address without query or hash. */
function keepable(url: URL): 'thread' | 'other' | null {
  if (/^\/t\/\d{1,20}$/.test(url.pathname)) return 'thread';
  if (url.pathname === '/' || /^\/b\/[a-z0-9-]{1,64}$/.test(url.pathname)) return 'other';
  return null;
}

async function keep(url: URL, response: Response): Promise<void> {
  const kind = keepable(url);
  const type = response.headers.get('content-type') ?? '';
  if (kind === null || !response.ok || !type.startsWith('text/html')) return;
  const pages = await caches.open(PAGES);
  const key = url.origin + url.pathname;
  await pages.delete(key);
  await pages.put(key, response);
  // Oldest first (insertion order): trim each kind to its share.
  const keys = (await pages.keys()).filter((r) => keepable(new URL(r.url)) === kind);
  const max = kind === 'thread' ? MAX_THREADS : MAX_OTHER;
  for (const old of keys.slice(0, Math.max(0, keys.length - max))) await pages.delete(old);
}

async function navigate(request: Request): Promise<Response> {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    void keep(url, response.clone()).catch(() => undefined);
    return response;
  } catch {
    const pages = await caches.open(PAGES);
    const saved = await pages.match(url.origin + url.pathname);
    if (saved !== undefined) return saved;
    // The offline page at its own address (it is a page of the app, and hydrates as one).
    if (url.pathname !== OFFLINE) return Response.redirect(`${url.origin}${OFFLINE}`, 303);
    return (await pages.match(OFFLINE)) ?? new Response('You are offline.', { status: 503, headers: { 'content-type': 'text/plain' } });
  }
}

async function shell(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: SHELL });
  return cached ?? fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
    return;
  }
  if (shellFiles.has(url.pathname)) event.respondWith(shell(request));
});

/** A thread opened by a client-side navigation (its HTML never passed through here): fetch it to keep it. */
sw.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; path?: unknown } | null;
  if (data?.type !== 'keep' || typeof data.path !== 'string') return;
  const url = new URL(data.path, sw.location.origin);
  if (url.origin !== sw.location.origin || keepable(url) === null) return;
  event.waitUntil(
    fetch(url.pathname, { credentials: 'same-origin' })
      .then((response) => keep(url, response))
      .catch(() => undefined)
  );
});
