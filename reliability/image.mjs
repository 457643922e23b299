// The container's runtime stage, reproduced without a Docker engine: the same `pnpm deploy
// --prod` and copy of the build as the Dockerfile's build stage, then the server started from
// that folder alone, as an unprivileged user, answering the Dockerfile's own HEALTHCHECK.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';
import { assert, stopServer, untilReady } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The JSON-array argument of the Dockerfile's instruction, e.g. CMD [...] or HEALTHCHECK ... CMD [...]. */
function execForm(dockerfile, instruction) {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const line = text.split('\n').find((l) => l.startsWith(instruction));
  const json = line === undefined ? null : /CMD (\[.*\])\s*$/.exec(line)?.[1];
  assert(json !== null && json !== undefined, `the Dockerfile has no ${instruction} in exec form`);
  return JSON.parse(json);
}

export async function checkImageLayout(port) {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  assert(/^USER forum$/m.test(dockerfile), 'the runtime stage runs as the forum user');
  const buildDir = await build();
  const image = mkdtempSync(join(tmpdir(), 'bmet-image-'));
  chmodSync(image, 0o755);
  const app = join(image, 'app');
  const apiDir = join(app, 'apps/api');
  try {
    execFileSync('pnpm', ['--filter', '@bmet/api', 'deploy', '--prod', '--legacy', apiDir], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit']
    });
    rmSync(join(apiDir, 'dist'), { recursive: true, force: true });
    rmSync(join(apiDir, 'src'), { recursive: true, force: true });
    mkdirSync(join(apiDir, 'dist'));
    cpSync(buildDir, join(apiDir, 'dist/release'), { recursive: true, dereference: true });
    for (const dev of ['tsx', 'vitest', 'typescript', 'fast-check', '@types/node', 'vite', 'esbuild']) {
      assert(!existsSync(join(apiDir, 'node_modules', dev)), `${dev} (a development dependency) is in the image`);
    }
    const data = join(app, 'data');
    mkdirSync(data);
    spawnSync('chown', ['-R', 'nobody:nogroup', data]);
    const [cmd, ...args] = execForm(dockerfile, 'CMD');
    const child = spawn('runuser', ['-u', 'nobody', '--', cmd === 'node' ? process.execPath : cmd, ...args], {
      cwd: app,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: data, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe']
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c.toString()));
    const server = {
      child,
      origin: `http://127.0.0.1:${port}`,
      exited: new Promise((r) => child.once('exit', r)),
      stderr: () => stderr,
      alive: () => child.exitCode === null && child.signalCode === null
    };
    try {
      const readyMs = await untilReady(server, 90_000);
      const uid = execFileSync('ps', ['-o', 'user=', '--ppid', String(child.pid)])
        .toString()
        .trim();
      const page = await fetch(`${server.origin}/`);
      assert(page.status === 200, `the image's web app answered ${page.status}`);
      // The Dockerfile's HEALTHCHECK command, run as written.
      const [hc, ...hcArgs] = execForm(dockerfile, 'HEALTHCHECK');
      const health = spawnSync(hc === 'node' ? process.execPath : hc, hcArgs, { env: { PORT: String(port) }, timeout: 10_000 });
      assert(health.status === 0, `the HEALTHCHECK failed: ${health.stderr}`);
      const size = execFileSync('du', ['-sm', apiDir]).toString().split('\t')[0];
      return { readyMs, user: uid, healthcheck: 'ok', megabytes: Number(size) };
    } finally {
      await stopServer(server);
    }
  } finally {
    rmSync(image, { recursive: true, force: true });
  }
}
