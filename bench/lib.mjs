// Shared by the benchmark scripts: waiting for a server and calling its API.
import { readFileSync, readdirSync } from 'node:fs';

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

/**
 * CPU time used so far (ms, user + system) by the server's process, by every PostgreSQL process
 * on the machine (Linux /proc; 0 elsewhere) and by this process (the load generator): taken
 * before and after a load, it splits a request's cost between the three.
 */
export function cpuTimes(serverPid) {
  const tick = 10; // USER_HZ is 100 on Linux: a tick is 10 ms.
  const read = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: (Number(fields[11]) + Number(fields[12])) * tick };
    } catch {
      return null;
    }
  };
  let postgres = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const p = read(pid);
      if (p !== null && p.comm === 'postgres') postgres += p.ms;
    }
  } catch {
    // Not Linux: no split.
  }
  const usage = process.cpuUsage();
  return { server: read(serverPid)?.ms ?? 0, postgres, self: (usage.user + usage.system) / 1000 };
}
