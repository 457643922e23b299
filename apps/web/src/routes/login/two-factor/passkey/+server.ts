import { json } from '@sveltejs/kit';
import type { AuthResult } from '@bmet/contracts';
import { safeNext } from '$lib/format.ts';
import { apiWithToken } from '$lib/server/api.ts';
import { PENDING_COOKIE, clearPendingCookie, setSessionCookie } from '$lib/server/session.ts';
import type { RequestHandler } from './$types';

/**
 * The second step of signing in with a passkey, for the browser's script: the half-signed-in
 * token stays in its httpOnly cookie and goes to the API from here. It takes a form (`step`, and
 * the browser's answer as JSON in `response`), like every POST of the web app, so SvelteKit's
 * own origin check covers it too.
 */
export const POST: RequestHandler = async (event) => {
  if (event.request.headers.get('origin') !== event.url.origin) {
    return json({ error: { code: 'csrf', message: 'cross-origin request refused' } }, { status: 403 });
  }
  const pending = event.cookies.get(PENDING_COOKIE);
  if (pending === undefined) return json({ error: { code: 'unauthenticated', message: 'log in again' } }, { status: 401 });
  const form = await event.request.formData();
  const body = { step: form.get('step'), response: undefined as unknown };
  if (body.step === 'verify') {
    try {
      body.response = JSON.parse(String(form.get('response') ?? ''));
    } catch {
      return json({ error: { code: 'bad_json', message: 'the passkey’s answer is not JSON' } }, { status: 400 });
    }
  }
  if (body.step === 'options') {
    const res = await apiWithToken(event, pending, 'POST', '/auth/two-factor/passkey/options');
    return json(res.data, { status: res.status });
  }
  if (body.step !== 'verify')
    return json({ error: { code: 'validation_failed', message: 'step must be options or verify' } }, { status: 400 });
  const res = await apiWithToken<AuthResult>(event, pending, 'POST', '/auth/two-factor/passkey', { response: body.response });
  if (res.status !== 200) {
    if (res.status === 401) clearPendingCookie(event.cookies, event.url);
    return json(res.data, { status: res.status });
  }
  clearPendingCookie(event.cookies, event.url);
  setSessionCookie(event.cookies, res.data.token, event.url);
  return json({ next: safeNext(event.url.searchParams.get('next')) });
};
