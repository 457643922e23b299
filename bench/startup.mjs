// pnpm bench:startup: how long `pnpm start` (built) takes to its first answer, and the process's
// resident memory once idle, on PGlite (a fresh data directory, then the same one again) and on
// DATABASE_URL's PostgreSQL when set. Every start is bounded in time; 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
await build();

const rssMb = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
};

async function measure(label, env) {
  const port = 4500 + Math.floor(Math.random() * 400);
  const started = process.hrtime.bigint();
  // As `pnpm start` runs it: scripts/start.mjs checks the build, then runs the server in-process.
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit']
  });
  try {
    let firstAnswerMs = null;
    const deadline = Date.now() + 60_000;
    while (firstAnswerMs === null && Date.now() < deadline && child.exitCode === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) firstAnswerMs = Number(process.hrtime.bigint() - started) / 1e6;
        await res.arrayBuffer();
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    if (firstAnswerMs === null) throw new Error(`${label}: no answer within 60 s`);
    const afterFirst = rssMb(child.pid);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    return { label, firstAnswerMs: Math.round(firstAnswerMs), rssAfterFirstMb: afterFirst, rssIdleMb: rssMb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
  }
}

const results = [];
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-startup-'));
try {
  const pglite = { DATA_DIR: dataDir, DATABASE_URL: '' };
  results.push(await measure('PGlite, first start (creates the database)', pglite));
  results.push(await measure('PGlite, next start', pglite));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
if (process.env.DATABASE_URL) {
  results.push(await measure('PostgreSQL, first start (migrates)', {}));
  results.push(await measure('PostgreSQL, next start', {}));
}
console.log(`\nnode ${process.version}, idle ${IDLE_SECONDS} s after the first answer (GET / with the home page rendered)\n`);
console.log('| start | to first answer ms | RSS after it MB | RSS idle MB |');
console.log('|---|---:|---:|---:|');
for (const r of results) console.log(`| ${r.label} | ${r.firstAnswerMs} | ${r.rssAfterFirstMb} | ${r.rssIdleMb} |`);
