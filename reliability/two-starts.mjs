// Two instances started at once from one checkout, with a build to do: one builds, the other
// waits for it, both serve the same build. Then a start with nothing to build, timed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sourceHash } from '../scripts/build.mjs';
import { assert, sleep, stopServer, untilReady } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'apps/api/dist');

function start(port, dataDir = mkdtempSync(join(tmpdir(), 'bmet-two-'))) {
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe']
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    exited,
    dataDir,
    origin: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null
  };
}

export async function checkTwoStarts(portA, portB) {
  const hash = sourceHash();
  const aside = join(dist, `.aside-${hash}-${process.pid}`);
  if (existsSync(join(dist, hash))) renameSync(join(dist, hash), aside);
  rmSync(join(dist, 'current'), { force: true });
  // A lock left by a build that died: taken over, not waited for.
  const dead = spawnSync('true').pid;
  mkdirSync(join(dist, '.lock'), { recursive: true });
  writeFileSync(join(dist, '.lock/owner'), JSON.stringify({ pid: dead, at: Date.now() }));
  const servers = [];
  try {
    const began = Date.now();
    servers.push(start(portA), start(portB));
    await Promise.all(servers.map((s) => untilReady(s, 240_000)));
    const bothReadyMs = Date.now() - began;
    const logs = servers.map((s) => s.stderr());
    const builds = logs.join('').match(/build: building /g)?.length ?? 0;
    const waited = logs.join('').match(/build: waiting for the build/g)?.length ?? 0;
    assert(builds === 1, `expected one build, saw ${builds}: ${logs.join('\n')}`);
    const tookOver = logs.join('').match(/build: took over the lock/g)?.length ?? 0;
    assert(tookOver === 1, `expected the dead build's lock taken over once, saw ${tookOver}`);
    for (const s of servers) {
      const page = await fetch(`${s.origin}/`);
      assert(page.status === 200, `${s.origin}/ answered ${page.status}`);
    }
    for (const s of servers) await stopServer(s);
    // Nothing to build now: from the command to a ready server, on the data the first one left.
    const again = start(portA, servers[0].dataDir);
    servers.push(again);
    const t = Date.now();
    await untilReady(again, 60_000);
    const upToDateStartMs = Date.now() - t;
    assert(!/build: building/.test(again.stderr()), 'an up-to-date start built again');
    await stopServer(again);
    return { builds, staleLockTakenOver: tookOver, waitedForTheBuild: waited, bothReadyMs, upToDateStartMs };
  } finally {
    for (const s of servers) {
      if (s.alive()) s.child.kill('SIGKILL');
      rmSync(s.dataDir, { recursive: true, force: true });
    }
    await sleep(100);
    if (existsSync(aside)) {
      if (existsSync(join(dist, hash))) rmSync(aside, { recursive: true, force: true });
      else renameSync(aside, join(dist, hash));
    }
  }
}
