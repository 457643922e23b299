/** The cache the service worker keeps pages in for offline reading (src/service-worker.ts). */
export const PAGES_CACHE = 'pages';

/** A kept thread, for the offline page's list. */
export interface SavedThread {
  path: string;
  title: string;
}

/** The threads kept on this device, newest first, with their titles (from the kept HTML). */
export async function savedThreads(): Promise<SavedThread[]> {
  if (typeof caches === 'undefined') return [];
  const cache = await caches.open(PAGES_CACHE);
  const out: SavedThread[] = [];
  for (const request of [...(await cache.keys())].reverse()) {
    const path = new URL(request.url).pathname;
    if (!/^\/t\/\d+$/.test(path)) continue;
    const html = (await (await cache.match(request))?.text()) ?? '';
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? path;
    out.push({ path, title: decodeEntities(title.replace(/ · BMET Forum$/, '')) });
  }
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '');
}

/** Logging out forgets the kept pages: the next person at a shared workstation must not read them. */
export async function forgetSavedPages(): Promise<void> {
  if (typeof caches === 'undefined') return;
  await caches.delete(PAGES_CACHE);
}

/** Asks the service worker to keep a page that a client-side navigation showed. */
export function keepForOffline(path: string): void {
  navigator.serviceWorker?.controller?.postMessage({ type: 'keep', path });
}

/**
 * Registers the service worker (src/service-worker.ts) once the first page has loaded and the
 * browser is idle: its install fetches the app shell, which on a phone would otherwise compete
 * with the page being read. Later pages find it already registered (a no-op).
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const register = () => {
    void navigator.serviceWorker.register('/service-worker.js', { type: import.meta.env.DEV ? 'module' : 'classic' }).catch(() => {
      // No offline reading on this browser (private mode, an old one): the forum works the same.
    });
  };
  // A few seconds after load, then at the next idle moment: the page is read by then.
  const whenIdle = () =>
    setTimeout(() => (typeof requestIdleCallback === 'function' ? requestIdleCallback(register, { timeout: 5000 }) : register()), 3000);
  if (document.readyState === 'complete') whenIdle();
  else addEventListener('load', whenIdle, { once: true });
}
