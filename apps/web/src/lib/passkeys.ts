/**
 * The browser's half of passkeys (WebAuthn, with @simplewebauthn/browser, loaded only when a
 * passkey is made or used). Adding one talks to the API with the session cookie; the second step
 * of signing in goes through the login page's own endpoint, which holds the half-signed-in token.
 */

export interface PasskeyOutcome {
  ok: boolean;
  /** What to tell the member when it did not work. */
  message?: string;
  /** For a first passkey: the recovery codes, shown once. */
  recoveryCodes?: string[];
  /** After signing in: where to go. */
  next?: string;
}

async function json(res: Response): Promise<Record<string, unknown>> {
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const apiMessage = (body: Record<string, unknown>, fallback: string): string => {
  const error = body.error as { message?: unknown } | undefined;
  const text = typeof error?.message === 'string' ? error.message : fallback;
  return text.charAt(0).toUpperCase() + text.slice(1);
};

/** What the browser's own refusal means to a person (they closed the prompt, no key, a timeout). */
function ceremonyMessage(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError')
    return 'The passkey prompt was closed or timed out. Try again when you are ready.';
  if (name === 'InvalidStateError') return 'That passkey is registered already.';
  if (name === 'NotSupportedError') return 'This browser cannot use passkeys here.';
  return 'The passkey could not be used. Please try again.';
}

export const passkeysSupported = (): boolean => typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';

/** Makes a passkey in the browser and keeps it on the account (the password confirms it is the member). */
export async function addPasskey(name: string, password: string): Promise<PasskeyOutcome> {
  const { startRegistration } = await import('@simplewebauthn/browser');
  const options = await fetch('/api/v1/me/passkeys/options', { method: 'POST', headers: { accept: 'application/json' } });
  const optionsBody = await json(options);
  if (!options.ok) return { ok: false, message: apiMessage(optionsBody, 'A passkey cannot be added just now.') };
  let response: unknown;
  try {
    response = await startRegistration({ optionsJSON: optionsBody.options as never });
  } catch (err) {
    return { ok: false, message: ceremonyMessage(err) };
  }
  const saved = await fetch('/api/v1/me/passkeys', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ response, name, password })
  });
  const savedBody = await json(saved);
  if (!saved.ok) return { ok: false, message: apiMessage(savedBody, 'The passkey could not be kept. Please try again.') };
  const codes = savedBody.recoveryCodes;
  return { ok: true, ...(Array.isArray(codes) ? { recoveryCodes: codes as string[] } : {}) };
}

/** The second step of signing in with a passkey, through /login/two-factor/passkey. */
export async function signInWithPasskey(next: string): Promise<PasskeyOutcome> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  const endpoint = `/login/two-factor/passkey?next=${encodeURIComponent(next)}`;
  // A form post, as every POST to the web app is (its request guard and origin check expect one).
  const post = (fields: Record<string, string>) =>
    fetch(endpoint, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams(fields) });
  const options = await post({ step: 'options' });
  const optionsBody = await json(options);
  if (options.status === 401)
    return { ok: false, message: 'Ten minutes passed since the password: log in again.', next: '/login?expired=1' };
  if (!options.ok) return { ok: false, message: apiMessage(optionsBody, 'Passkeys cannot be used just now.') };
  let response: unknown;
  try {
    response = await startAuthentication({ optionsJSON: optionsBody.options as never });
  } catch (err) {
    return { ok: false, message: ceremonyMessage(err) };
  }
  const done = await post({ step: 'verify', response: JSON.stringify(response) });
  const doneBody = await json(done);
  if (!done.ok) return { ok: false, message: apiMessage(doneBody, 'The passkey was not accepted. Please try again.') };
  return { ok: true, next: typeof doneBody.next === 'string' ? doneBody.next : '/' };
}
