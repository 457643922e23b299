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

async function send(req: BridgeRequest): Promise<{ status: number; text: string; setCookies: string[] }> {
  const inProcess = bridge();
  if (inProcess !== null) {
    const res = await inProcess(req);
    const cookies = res.headers['set-cookie'];
    return { status: res.status, text: res.body, setCookies: cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies] };
  }
  const res = await fetch(API_ORIGIN + req.url, { method: req.method, headers: req.headers, body: req.body });
  return { status: res.status, text: await res.text(), setCookies: res.headers.getSetCookie() };
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
  if (event.locals.token !== null) headers.authorization = `Bearer ${event.locals.token}`;
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
    const { status, text, setCookies } = await send(req);
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
  const as = { locals: { ...event.locals, token }, getClientAddress: event.getClientAddress, request: event.request };
  return api<T>(as, method, path, body);
}
