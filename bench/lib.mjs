// Shared by the benchmark scripts: waiting for a server and calling its API.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once url answers 2xx; bounded by timeoutMs. */
export async function waitFor(url, timeoutMs = 60_000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(200)) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
  }
  throw new Error(`${url} did not answer in time`);
}

/** One JSON call to /api/v1, as a bearer-token client; throws on any non-2xx. */
export async function api(base, method, path, body, token) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}
