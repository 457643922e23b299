import { env } from '$env/dynamic/private';

/** Where the API answers when it is not in this process (pnpm dev). Read once. */
export const API_ORIGIN = env.API_ORIGIN ?? 'http://127.0.0.1:3001';

/**
 * NODE_ENV=production marks cookies Secure, as the API does (the site is served over HTTPS,
 * TLS perhaps ended at a proxy). Read at run time: the build's own NODE_ENV says nothing.
 */
export const PRODUCTION = env.NODE_ENV === 'production';
