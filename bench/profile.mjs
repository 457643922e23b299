// pnpm bench:profile: where the server's time goes on one page. Starts the compiled server under
// `node --cpu-prof` (PGlite in a temp dir, or DATABASE_URL's PostgreSQL), seeds a thread, drives
// one request with autocannon for a bounded time, stops the server and prints the self time by
// function and by package. The .cpuprofile stays in bench/profiles/ for Chrome's DevTools.
//   node bench/profile.mjs [thread-html|thread-html-signed-in|thread-json|thread-json-signed-in|board-html|reply]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { build } from '../scripts/build.mjs';
import { api, cpuTimes, waitFor } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const which = process.argv[2] ?? 'thread-html-signed-in';
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const POSTS = Number(process.env.BENCH_POSTS ?? 300);
const port = 4100 + Math.floor(Math.random() * 50);
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-profile-'));
const profileDir = join(root, 'bench/profiles');
mkdirSync(profileDir, { recursive: true });
const started = Date.now();

const buildDir = await build();
// Seeded by one server, profiled in a second one on the same data: the profile holds the load only.
const start = (profiled) =>
  spawn(process.execPath, [...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(buildDir, 'server.js')], {
    cwd: buildDir,
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit']
  });
const stop = async (child) => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
};
let server = start(false);
let summary;
try {
  await waitFor(`${base}/readyz`);
  const stamp = Date.now().toString(36);
  const member = await api(base, 'POST', '/auth/register', {
    username: `prof_${stamp}`,
    email: `p_${stamp}@bench.test`,
    password: 'profile password 1',
    profession: 'BMET'
  });
  const { thread, post: first } = await api(
    base,
    'POST',
    '/boards/bmet/threads',
    { title: 'Profile: Alaris 8015 channel error', body: 'Seeded by bench/profile.mjs.', kind: 'question' },
    member.token
  );
  const ids = [first.id];
  for (let i = 1; i < POSTS; i++) {
    const parentId = i % 2 === 0 ? first.id : ids[Math.floor(Math.random() * ids.length)];
    const { post } = await api(
      base,
      'POST',
      `/threads/${thread.id}/posts`,
      { body: `Reply ${i}: checked the **sensor**.`, parentId },
      member.token
    );
    ids.push(post.id);
  }
  await stop(server);
  server = start(true);
  await waitFor(`${base}/readyz`);
  const browser = { 'accept-encoding': 'br, gzip', accept: 'text/html', cookie: 'flash_p=profile' };
  const bearer = { authorization: `Bearer ${member.token}` };
  const targets = {
    'thread-html': { url: `${base}/t/${thread.id}`, headers: browser },
    'thread-html-signed-in': { url: `${base}/t/${thread.id}`, headers: { ...browser, cookie: `session=${member.token}` } },
    'thread-json': { url: `${base}/api/v1/threads/${thread.id}`, headers: { cookie: 'flash_p=profile' } },
    'thread-json-signed-in': { url: `${base}/api/v1/threads/${thread.id}`, headers: bearer },
    'board-html': { url: `${base}/b/bmet`, headers: browser },
    reply: {
      url: `${base}/api/v1/threads/${thread.id}/posts`,
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      requests: [
        { setupRequest: (req) => ({ ...req, body: JSON.stringify({ body: `Profiled reply ${Math.random()}`, parentId: first.id }) }) }
      ]
    }
  };
  const target = targets[which];
  if (target === undefined) throw new Error(`unknown target ${which}; one of ${Object.keys(targets).join(', ')}`);
  const before = cpuTimes(server.pid);
  const result = await autocannon({ connections: 10, duration: DURATION, ...target });
  const after = cpuTimes(server.pid);
  const count = Math.max(1, result.requests.total);
  const per = (k) => ((after[k] - before[k]) / count).toFixed(2);
  summary =
    `${which}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx + result.errors}\n` +
    `CPU per request: server ${per('server')} ms, PostgreSQL ${per('postgres')} ms, load generator ${per('self')} ms`;
} finally {
  if (server.exitCode === null) await stop(server);
  rmSync(dataDir, { recursive: true, force: true });
}

const newest = readdirSync(profileDir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => join(profileDir, f))
  .sort()
  .at(-1);
const profile = JSON.parse(readFileSync(newest, 'utf8'));
const byFunction = new Map();
const byPackage = new Map();
let total = 0;
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0;
  if (hits === 0) continue;
  total += hits;
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(root, '');
  const key = `${functionName || '(anonymous)'} ${file.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  const pkg =
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
    (file === '' ? functionName : file.startsWith('node:') ? 'node' : 'ours');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
}
const top = (map, n) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(
  `\n${summary} (whole run ${Math.round((Date.now() - started) / 1000)} s)\nprofile: ${newest}\n\nself time by package:\n${top(byPackage, 15)}\n\nself time by function:\n${top(byFunction, 30)}`
);
