import { env } from '$env/dynamic/private';

/** Where the API answers when it is not in this process (pnpm dev). Read once. */
export const API_ORIGIN = env.API_ORIGIN ?? 'http://127.0.0.1:3001';
