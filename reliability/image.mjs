// The container image, built and run without a Docker engine: the Dockerfile's deps and build
// stages are carried out as written (their COPY and RUN instructions, in a scratch directory
// standing for /app, /out beside it), then its runtime stage: the built folder alone, the
// server started by the Dockerfile's CMD as an unprivileged user, answering its HEALTHCHECK.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, stopServer, untilReady } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The Dockerfile's stages: name -> instructions (continuation lines joined). */
function stages(dockerfile) {
  const out = new Map();
  let current = null;
  for (const line of dockerfile.replace(/\\\n\s*/g, ' ').split('\n')) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    const from = /^FROM \S+(?: AS (\S+))?/i.exec(text);
    if (from !== null) {
      current = from[1] ?? `stage${out.size}`;
      out.set(current, []);
      continue;
    }
    out.get(current)?.push(text);
  }
  return out;
}

/** The JSON-array argument of CMD, or of HEALTHCHECK's CMD, in exec form. */
function execForm(instructions, keyword) {
  const line = instructions.find((l) => l.startsWith(keyword));
  const json = line === undefined ? undefined : /CMD (\[.*\])\s*$/.exec(line)?.[1];
  assert(json !== undefined, `the runtime stage has no ${keyword} in exec form`);
  return JSON.parse(json);
}

/** What `COPY . .` sends: the tracked files, less what .dockerignore keeps out. */
function contextFiles() {
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => p.replace(/^\*\*\//, ''));
  const ignored = (file) => ignore.some((p) => file === p || file.startsWith(`${p}/`) || file.split('/').includes(p));
  return execFileSync('git', ['ls-files'], { cwd: root })
    .toString()
    .split('\n')
    .filter((f) => f !== '' && !ignored(f));
}

function copy(instruction, app) {
  const parts = instruction
    .split(/\s+/)
    .slice(1)
    .filter((p) => !p.startsWith('--'));
  const dest = parts.pop();
  for (const src of parts) {
    if (src === '.') {
      for (const file of contextFiles()) {
        mkdirSync(dirname(join(app, file)), { recursive: true });
        cpSync(join(root, file), join(app, file));
      }
      continue;
    }
    const target = dest.endsWith('/') ? join(app, dest, src.split('/').pop()) : join(app, dest === '.' || dest === './' ? src : dest);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(root, src), target, { recursive: true });
  }
}

export async function checkImageLayout(port) {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const all = stages(dockerfile);
  const runtime = all.get('runtime');
  assert(runtime !== undefined && all.has('deps') && all.has('build'), 'the Dockerfile has deps, build and runtime stages');
  assert(runtime.includes('USER forum'), 'the runtime stage runs as the forum user');
  assert(
    runtime.some((l) => l.startsWith('HEALTHCHECK')),
    'the runtime stage has a HEALTHCHECK'
  );
  const scratch = mkdtempSync(join(tmpdir(), 'bmet-image-'));
  chmodSync(scratch, 0o755);
  const app = join(scratch, 'app');
  const out = join(scratch, 'out');
  mkdirSync(app);
  const started = Date.now();
  try {
    for (const stage of ['deps', 'build']) {
      for (const instruction of all.get(stage)) {
        if (instruction.startsWith('COPY')) copy(instruction, app);
        if (instruction.startsWith('RUN')) {
          const command = instruction.slice(4).replaceAll(' /out', ` ${out}`);
          const run = spawnSync('bash', ['-c', command], {
            cwd: app,
            stdio: ['ignore', 'ignore', 'pipe'],
            env: { ...process.env, CI: 'true' }
          });
          assert(run.status === 0, `${stage} stage: ${command} failed: ${run.stderr?.toString().slice(-2000)}`);
        }
      }
    }
    const buildMs = Date.now() - started;
    // The runtime stage: COPY --from=build /out /app/apps/api, and nothing else of the build.
    const image = join(scratch, 'image');
    const apiDir = join(image, 'apps/api');
    mkdirSync(dirname(apiDir), { recursive: true });
    cpSync(out, apiDir, { recursive: true });
    for (const dev of ['tsx', 'vitest', 'typescript', 'fast-check', '@types/node', 'vite', 'esbuild']) {
      assert(!existsSync(join(apiDir, 'node_modules', dev)), `${dev} (a development dependency) is in the image`);
    }
    assert(!existsSync(join(apiDir, 'src')), 'the image carries TypeScript sources');
    const data = join(image, 'data');
    mkdirSync(data);
    spawnSync('chown', ['-R', 'nobody:nogroup', data]);
    const [cmd, ...args] = execForm(runtime, 'CMD');
    const child = spawn('runuser', ['-u', 'nobody', '--', cmd === 'node' ? process.execPath : cmd, ...args], {
      cwd: image,
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
      const user = execFileSync('ps', ['-o', 'user=', '--ppid', String(child.pid)])
        .toString()
        .trim();
      assert(user === 'nobody', `the server runs as ${user}`);
      const page = await fetch(`${server.origin}/`);
      assert(page.status === 200, `the image's web app answered ${page.status}`);
      const [hc, ...hcArgs] = execForm(runtime, 'HEALTHCHECK');
      const health = spawnSync(hc === 'node' ? process.execPath : hc, hcArgs, { env: { PORT: String(port) }, timeout: 10_000 });
      assert(health.status === 0, `the HEALTHCHECK failed: ${health.stderr}`);
      const megabytes = Number(execFileSync('du', ['-sm', apiDir]).toString().split('\t')[0]);
      return { buildMs, readyMs, user, healthcheck: 'ok', megabytes };
    } finally {
      await stopServer(server);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
