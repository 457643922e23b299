// pnpm bench:live: 5,000 WebSockets on one instance, 1,000 of them following one thread;
// replies are written and the delay from each write's 201 to every follower's post.created
// frame is measured, with the server's memory per socket. With DATABASE_URL a second instance
// shares the database and the replies go through it: the cross-instance delay via
// LISTEN/NOTIFY. Loopback only; every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { build } from '../scripts/build.mjs';
import { api, sleep, waitFor } from './lib.mjs';

const buildDir = await build();
const SOCKETS = Number(process.env.LIVE_SOCKETS ?? 5000);
const FOLLOWERS = Number(process.env.LIVE_FOLLOWERS ?? 1000);
const REPLIES = Number(process.env.LIVE_REPLIES ?? 20);
const cross = Boolean(process.env.DATABASE_URL);

function start(port, dataDir) {
  return spawn(process.execPath, [join(buildDir, 'server.js')], {
    cwd: buildDir,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      LIVE_SOCKETS_PER_ADDRESS: '100000'
    },
    stdio: ['ignore', 'inherit', 'inherit']
  });
}
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('socket open timed out')), 20_000);
    ws.once('message', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}
const pct = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const portA = 4100 + Math.floor(Math.random() * 300);
const portB = portA + 400;
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-live-'));
const a = start(portA, dataDir);
const b = cross ? start(portB, dataDir) : null;
const baseA = `http://127.0.0.1:${portA}`;
const baseB = `http://127.0.0.1:${portB}`;
const sockets = [];
try {
  await waitFor(`${baseA}/readyz`);
  if (b) await waitFor(`${baseB}/readyz`);
  const stamp = Date.now().toString(36);
  const { token } = await api(baseA, 'POST', '/auth/register', {
    username: `live_${stamp}`,
    email: `live_${stamp}@bench.test`,
    password: 'live benchmark pass',
    profession: 'BMET'
  });
  const { thread, post: root0 } = await api(baseA, 'POST', '/boards/bmet/threads', { title: 'Live benchmark thread', body: 'x' }, token);
  // Warm up: open and close the sockets once, so the heap has grown to its working size and
  // the measurement below is the sockets' own cost, not the first garbage collections.
  for (let i = 0; i < SOCKETS; i += 250) {
    const batch = await Promise.all(Array.from({ length: Math.min(250, SOCKETS - i) }, () => open(`ws://127.0.0.1:${portA}/api/v1/live`)));
    for (const ws of batch) ws.terminate();
  }
  await sleep(3000);
  const before = rssKb(a.pid);

  const t0 = Date.now();
  for (let i = 0; i < SOCKETS; i += 250) {
    const batch = await Promise.all(Array.from({ length: Math.min(250, SOCKETS - i) }, () => open(`ws://127.0.0.1:${portA}/api/v1/live`)));
    sockets.push(...batch);
  }
  const openMs = Date.now() - t0;
  const followers = sockets.slice(0, FOLLOWERS);
  const received = new Map(); // postId -> array of arrival times
  await Promise.all(
    followers.map(
      (ws) =>
        new Promise((resolve) => {
          ws.on('message', (raw) => {
            const f = JSON.parse(raw.toString());
            if (f.type === 'subscribed') resolve();
            if (f.type === 'post.created') {
              const at = performance.now();
              const list = received.get(f.post.id) ?? [];
              list.push(at);
              received.set(f.post.id, list);
            }
          });
          ws.send(JSON.stringify({ type: 'subscribe', threadId: thread.id }));
        })
    )
  );
  await sleep(3000);
  const after = rssKb(a.pid);

  async function measure(base) {
    const delays = [];
    let complete = 0;
    for (let i = 0; i < REPLIES; i++) {
      const res = await fetch(`${base}/api/v1/threads/${thread.id}/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ body: `live reply ${i} ${Math.random()}`, parentId: root0.id })
      });
      const at201 = performance.now();
      const { post } = await res.json();
      for (const end = Date.now() + 10_000; Date.now() < end && (received.get(post.id)?.length ?? 0) < FOLLOWERS;) await sleep(10);
      const got = received.get(post.id) ?? [];
      if (got.length === FOLLOWERS) complete++;
      delays.push(...got.map((t) => Math.max(0, t - at201)));
      await sleep(100);
    }
    delays.sort((x, y) => x - y);
    return { delays, complete };
  }

  const local = await measure(baseA);
  const remote = b ? await measure(baseB) : null;
  const row = (name, m) =>
    `| ${name} | ${REPLIES} x ${FOLLOWERS} | ${m.complete}/${REPLIES} | ${pct(m.delays, 0.5).toFixed(1)} | ${pct(m.delays, 0.99).toFixed(1)} | ${m.delays[m.delays.length - 1].toFixed(1)} |`;
  console.log(
    `\n${SOCKETS} sockets opened in ${openMs} ms; ${FOLLOWERS} follow one thread; database: ${cross ? 'PostgreSQL (2 instances)' : 'PGlite'}; node ${process.version}`
  );
  console.log(
    `server RSS ${Math.round(before / 1024)} MiB before, ${Math.round(after / 1024)} MiB with the sockets: ${(((after - before) * 1024) / SOCKETS / 1024).toFixed(1)} KiB per socket\n`
  );
  console.log('| path | frames | replies fully delivered | p50 ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(row('write on this instance -> its sockets', local));
  if (remote) console.log(row('write on instance B -> sockets on A (LISTEN/NOTIFY)', remote));
} finally {
  for (const ws of sockets) ws.terminate();
  a.kill('SIGTERM');
  b?.kill('SIGTERM');
  await sleep(500);
  rmSync(dataDir, { recursive: true, force: true });
}
