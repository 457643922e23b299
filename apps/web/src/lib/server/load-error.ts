import { error } from '@sveltejs/kit';
import { isApiError, sentence } from '$lib/api-errors.ts';

const apiMessage = (data: unknown): string | null => (isApiError(data) ? sentence(data.error.message) : null);

/**
 * A page's API call did not answer 200: the error page with the status that fits. A link the
 * API refuses (a bad cursor, an id of the wrong shape) is the visitor's 400 and an unknown one
 * 404; the database away is 503; anything else is the API failing us, 502.
 */
export function loadFailed(res: { status: number; data: unknown }, unavailable: string): never {
  if (res.status === 404) error(404, 'Not found');
  if (res.status === 400) error(400, apiMessage(res.data) ?? 'That link is not valid');
  if (res.status === 503) error(503, 'The forum is not answering right now. Please try again in a few seconds.');
  if (res.status === 429) error(429, apiMessage(res.data) ?? 'Too many requests. Please wait a moment.');
  error(502, unavailable);
}
