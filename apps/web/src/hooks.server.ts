import type { Handle, HandleServerError } from '@sveltejs/kit';
import type { MeResult } from '@bmet/contracts';
import { PUBLIC_CACHE_CONTROL } from '@bmet/contracts/pure';
import { api } from '$lib/server/api.ts';
import { IMAGE_HOSTS, PRODUCTION } from '$lib/server/config.ts';
import { checkPath, checkFormBody, problemPage } from '$lib/server/request-guard.ts';
import { SESSION_COOKIE, clearSessionCookie, setSessionCookie } from '$lib/server/session.ts';

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), display-capture=()';

export const handle: Handle = async ({ event, resolve }) => {
  // Broken paths and bodies are refused before any load or action sees them (a 4xx, never a 5xx).
  const pathProblem = checkPath(event.url.pathname);
  if (pathProblem !== null) return problemPage(pathProblem);
  if (event.request.method === 'POST') {
    const bodyProblem = await checkFormBody(event.request);
    if (bodyProblem !== null) return problemPage(bodyProblem);
  }

  event.locals.user = null;
  event.locals.suspension = null;
  event.locals.boardSuspensions = [];
  event.locals.twoFactorSetupRequired = false;
  event.locals.sessionRef = null;
  event.locals.notifications = null;
  event.locals.token = event.cookies.get(SESSION_COOKIE) ?? null;
  if (event.locals.token !== null) {
    const res = await api<MeResult>(event, 'GET', '/me');
    if (res.status === 200) {
      event.locals.user = res.data.user;
      // Present only while suspended: the layout says so, and the pages leave out their write forms.
      event.locals.suspension = res.data.suspension ?? null;
      event.locals.boardSuspensions = res.data.boardSuspensions ?? [];
      event.locals.twoFactorSetupRequired = res.data.twoFactorSetupRequired === true;
      event.locals.notifications = res.data.notifications ?? null;
      // Sliding expiry: the API renews the session on use; keep the cookie in step.
      setSessionCookie(event.cookies, event.locals.token, event.url);
    } else if (res.status === 401) {
      event.locals.token = null;
      clearSessionCookie(event.cookies, event.url);
    }
    // Any other answer (the database away, a rate limit): keep the cookie, show the page signed out.
  }
  // The reader's colour scheme choice (the header's switch): rendered into <html data-theme>.
  const chosen = event.cookies.get('theme');
  const theme = chosen === 'light' || chosen === 'dark' ? chosen : 'system';
  const response = await resolve(event, { transformPageChunk: ({ html }) => html.replace('%bmet.theme%', theme) });
  const csp = response.headers.get('content-security-policy');
  if (csp !== null && IMAGE_HOSTS.length > 0) {
    response.headers.set('content-security-policy', csp.replace(/img-src ([^;]*)/, `img-src $1 ${IMAGE_HOSTS.join(' ')}`));
  }
  // A page any anonymous reader gets alike may be kept a few seconds by a shared cache (and by the
  // server's own, lib/page-cache.ts in the API); a signed-in reader's page, or one that sets a
  // cookie (a flash message read), is theirs alone.
  if (!response.headers.has('cache-control')) {
    const shared =
      event.locals.user === null &&
      event.request.method === 'GET' &&
      response.status === 200 &&
      !response.headers.has('set-cookie') &&
      event.cookies.get(SESSION_COOKIE) === undefined;
    response.headers.set('cache-control', shared ? PUBLIC_CACHE_CONTROL : 'private, no-cache');
    response.headers.append('vary', 'Cookie');
  }
  response.headers.set('x-frame-options', 'DENY');
  response.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('permissions-policy', PERMISSIONS_POLICY);
  response.headers.set('cross-origin-opener-policy', 'same-origin');
  if (PRODUCTION && event.url.protocol === 'https:') {
    response.headers.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
  }
  return response;
};

/** Unexpected errors: logged with the path, shown as the friendly error page without details. */
export const handleError: HandleServerError = ({ error: err, event, status }) => {
  if (status >= 500)
    console.error(`${event.request.method} ${event.url.pathname} failed:`, err instanceof Error ? (err.stack ?? err.message) : err);
  return { message: status === 404 ? 'Not found' : 'Something went wrong on our side. Please try again.' };
};
