import type { RequestEvent } from '@sveltejs/kit';
import { API_ORIGIN } from './config.ts';

export { isApiError, type ApiErrorBody } from '$lib/api-errors.ts';

export interface ApiResponse<T> {
  status: number;
  /** Parsed JSON; null for an empty body (204) or a body that is not JSON. */
  data: T;
  /** The API's Set-Cookie headers (the login's device cookie), for the few callers that pass them on. */
  setCookies: string[];
}

interface BridgeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}
type Bridge = (req: BridgeRequest) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;

function bridge(): Bridge | null {
  const candidate = (globalThis as { __bmetApi?: unknown }).__bmetApi;
  return typeof candidate === 'function' ? (candidate as Bridge) : null;
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Names the API's lent session check (its lib/session-refs.ts): in-process calls only. */
const SESSION_REF_HEADER = 'x-bmet-session-ref';

async function send(req: BridgeRequest): Promise<{ status: number; text: string; setCookies: string[]; ref: string | null }> {
  const inProcess = bridge();
  if (inProcess !== null) {
    const res = await inProcess(req);
    const cookies = res.headers['set-cookie'];
    const ref = res.headers[SESSION_REF_HEADER];
    return {
      status: res.status,
      text: res.body,
      setCookies: cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies],
      ref: typeof ref === 'string' ? ref : null
    };
  }
  const { [SESSION_REF_HEADER]: _ref, ...headers } = req.headers;
  const res = await fetch(API_ORIGIN + req.url, { method: req.method, headers, body: req.body });
  return { status: res.status, text: await res.text(), setCookies: res.headers.getSetCookie(), ref: null };
}

/**
 * Calls the API as the signed-in user (bearer token from the session cookie). Bearer requests
 * skip the API's Origin check; SvelteKit's own CSRF check guards the form actions that call
 * this. In production the API lives in this process and is reached through its in-process
 * bridge; in development over HTTP.
 */
export async function api<T = unknown>(
  event: Pick<RequestEvent, 'locals' | 'getClientAddress' | 'request'>,
  method: string,
  path: string,
  body?: unknown,
  /** Cookies of the API's own to pass along (never the session: that goes as a bearer token). */
  cookie?: string
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (cookie !== undefined) headers.cookie = cookie;
  const token = event.locals.token;
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
    // In-process, a page's calls check the session once: the first asks for a ref, the rest
    // borrow it (the API drops it on any write). Over HTTP (development) the API ignores it.
    headers[SESSION_REF_HEADER] = event.locals.sessionRef ?? 'new';
  }
  try {
    headers['x-forwarded-for'] = event.getClientAddress();
  } catch {
    // No client address (prerendering): nothing to forward.
  }
  const agent = event.request.headers.get('user-agent');
  if (agent !== null) headers['user-agent'] = agent;
  const req: BridgeRequest = { method, url: `/api/v1${path}`, headers };
  if (body !== undefined) {
    req.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  try {
    const { status, text, setCookies, ref } = await send(req);
    // A ref lent for this token (locals.token may have changed since: a sign-in's new session).
    if (ref !== null && event.locals.token === token) event.locals.sessionRef = ref;
    // A form action's write may move the bell (marking notifications read): the layout that
    // renders after it asks again instead of showing what /me said before it.
    if (method !== 'GET' && event.request.method === 'POST') event.locals.notifications = null;
    return { status, data: parse(text) as T, setCookies };
  } catch (err) {
    // The API is down or unreachable: answer like a gateway would, in the contract's shape.
    console.error(`API ${method} ${req.url} failed:`, err instanceof Error ? err.message : err);
    const data = { error: { code: 'unavailable', message: 'The forum service is not answering. Please try again shortly.' } };
    return { status: 503, data: data as T, setCookies: [] };
  }
}

/** The same call with another token than the session's (a half-signed-in login's), or none. */
export function apiWithToken<T = unknown>(
  event: Pick<RequestEvent, 'locals' | 'getClientAddress' | 'request'>,
  token: string | null,
  method: string,
  path: string,
  body?: unknown
): Promise<ApiResponse<T>> {
  const as = { locals: { ...event.locals, token, sessionRef: null }, getClientAddress: event.getClientAddress, request: event.request };
  return api<T>(as, method, path, body);
}
