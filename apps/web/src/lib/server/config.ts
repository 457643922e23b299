import { env } from '$env/dynamic/private';

/** Where the API answers when it is not in this process (pnpm dev). Read once. */
export const API_ORIGIN = env.API_ORIGIN ?? 'http://127.0.0.1:3001';

/**
 * NODE_ENV=production marks cookies Secure, as the API does (the site is served over HTTPS,
 * TLS perhaps ended at a proxy). Read at run time: the build's own NODE_ENV says nothing.
 */
export const PRODUCTION = env.NODE_ENV === 'production';

/**
 * IMAGE_HOSTS: origins (https://images.example.org) besides the forum's own from which posts may
 * show images; the pages' Content-Security-Policy allows no others. Comma-separated; a value that
 * is not an origin stops the start with a message.
 */
export const IMAGE_HOSTS: string[] = (env.IMAGE_HOSTS ?? '')
  .split(',')
  .map((h) => h.trim())
  .filter((h) => h !== '')
  .map((h) => {
    let origin: string | null = null;
    try {
      const url = new URL(h);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === h.replace(/\/$/, '')) origin = url.origin;
    } catch {
      origin = null;
    }
    if (origin === null) throw new Error(`configuration: IMAGE_HOSTS must list origins such as https://images.example.org, got "${h}"`);
    return origin;
  });
