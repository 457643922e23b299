// Shared by the reliability runs: the compiled server as a child process, a bounded load of
// writers and a reader, and the accounting of what was acknowledged against what is stored.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from '../scripts/build.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the compiled server (built first if needed); resolves once /readyz answers 200. */
export async function startServer({ port, env = {}, log = false }) {
  // BMET_REL_SERVER: another checkout's server entry to measure instead (a before/after comparison).
  const entry = process.env.BMET_REL_SERVER?.split(' ') ?? [join(await build(), 'server.js')];
  const child = spawn(entry[0].endsWith('.js') ? process.execPath : entry[0], entry[0].endsWith('.js') ? entry : entry.slice(1), {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', RATE_LIMITS: 'off', LOG_LEVEL: log ? 'info' : 'error', ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const origin = `http://127.0.0.1:${port}`;
  const server = { child, origin, exited, stderr: () => stderr, alive: () => child.exitCode === null && child.signalCode === null };
  await untilReady(server, 60_000);
  return server;
}

/** Waits for /readyz 200; returns how long it took. Throws past `ms` or if the process died. */
export async function untilReady(server, ms) {
  const start = Date.now();
  for (;;) {
    if (!server.alive()) throw new Error(`the server exited: ${server.stderr().slice(-2000)}`);
    try {
      const res = await fetch(`${server.origin}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return Date.now() - start;
    } catch {
      // not answering yet
    }
    if (Date.now() - start > ms) throw new Error(`/readyz did not answer 200 within ${ms} ms`);
    await sleep(100);
  }
}

export async function stopServer(server, signal = 'SIGTERM') {
  if (!server.alive()) return server.exited;
  server.child.kill(signal);
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  const result = await server.exited;
  clearTimeout(timer);
  return result;
}

export async function api(origin, method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000)
  });
  const text = await res.text();
  let data;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = text;
  }
  return { status: res.status, data, headers: res.headers };
}

/** Writers on their own threads of one fresh board, and what each saw. */
export async function setUpLoad(origin, { writers, tag }) {
  const board = `rel-${tag}`;
  const admin = await register(origin, `reladmin${tag}`);
  return { board, admin, writers: await Promise.all(Array.from({ length: writers }, (_, i) => register(origin, `relw${tag}x${i}`))) };
}

async function register(origin, username) {
  const res = await api(origin, 'POST', '/auth/register', {
    username,
    email: `${username}@reliability.example`,
    password: 'occlusion alarm at 3am',
    profession: 'BMET'
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.data)}`);
  return { token: res.data.token, user: res.data.user };
}

/**
 * Runs `writers` loops that each reply to one thread with numbered bodies, and one reader,
 * until stop() is called. Every answer is tallied; a 201 is an acknowledged post.
 */
export function runLoad(origin, { threadId, threadIds = [threadId], writers, tag }) {
  let stopped = false;
  const tally = { acked: new Map(), statuses: {}, errors: 0, reads: 0, latencies: [] };
  const count = (key) => (tally.statuses[key] = (tally.statuses[key] ?? 0) + 1);
  const loops = writers.map(async (w, i) => {
    for (let n = 0; !stopped; n++) {
      const body = `reliability ${tag} writer ${i} post ${n}`;
      const started = Date.now();
      try {
        const res = await api(origin, 'POST', `/threads/${threadIds[i % threadIds.length]}/posts`, { body }, w.token);
        count(res.status);
        if (res.status === 201) {
          tally.acked.set(body, res.data.post.id);
          tally.latencies.push(Date.now() - started);
        } else if (res.status >= 500 && res.status !== 503) {
          tally.bad = `${res.status} ${JSON.stringify(res.data).slice(0, 200)}`;
        }
      } catch {
        tally.errors += 1;
        await sleep(50);
      }
    }
  });
  const reader = (async () => {
    while (!stopped) {
      try {
        const res = await api(origin, 'GET', `/threads/${threadId}?limit=50`);
        count(`read ${res.status}`);
        tally.reads += 1;
      } catch {
        tally.errors += 1;
        await sleep(50);
      }
    }
  })();
  return {
    tally,
    stop: async () => {
      stopped = true;
      await Promise.all([...loops, reader]);
      return tally;
    }
  };
}

/** Every post of a thread, through the API's keyset pages. */
export async function threadPosts(origin, threadId) {
  const posts = [];
  let cursor = null;
  let thread;
  do {
    const res = await api(origin, 'GET', `/threads/${threadId}?limit=200${cursor === null ? '' : `&cursor=${cursor}`}`);
    if (res.status !== 200) throw new Error(`reading the thread: ${res.status}`);
    thread = res.data.thread;
    posts.push(...res.data.posts);
    cursor = res.data.nextCursor;
  } while (cursor !== null);
  return { thread, posts };
}

/**
 * What is stored against what was acknowledged: nothing acknowledged may be missing or stored
 * twice, and the kept counters (thread replies, the writers' post counts) must equal the rows.
 */
export async function account(origin, { threadId, threadIds = [threadId], acked, writers, tag }) {
  const replies = [];
  let countersExact = true;
  for (const id of threadIds) {
    const { thread, posts } = await threadPosts(origin, id);
    replies.push(...posts.filter((p) => p.depth > 0 && !p.deleted && p.bodyMarkdown.startsWith(`reliability ${tag} `)));
    countersExact &&= thread.replyCount === posts.filter((p) => p.depth > 0 && !p.deleted).length;
  }
  const bodies = replies.map((p) => p.bodyMarkdown);
  const stored = new Set(bodies);
  const missing = [...acked.keys()].filter((b) => !stored.has(b));
  let userCounts = 0;
  for (const w of writers) userCounts += (await api(origin, 'GET', `/users/${w.user.username}`)).data.stats.postCount;
  return {
    acknowledged: acked.size,
    stored: replies.length,
    committedUnacknowledged: replies.length - [...acked.keys()].filter((b) => stored.has(b)).length,
    missing: missing.length,
    duplicates: bodies.length - stored.size,
    replyCountExact: countersExact,
    userCountsExact: userCounts === replies.length
  };
}

export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function assert(condition, message) {
  if (!condition) throw new Error(`reliability: ${message}`);
}
