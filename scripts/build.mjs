// Build once, run compiled. `pnpm build` (and `pnpm install`, and `pnpm start` when the sources
// changed) builds the web app (vite, adapter-node) and the API (one esbuild bundle of the API and
// the workspace packages; third-party packages stay in node_modules) into
// apps/api/dist/<hash of the sources>/, then points the symlink apps/api/dist/current at it.
//
// - Nothing to do when current already holds the build of these sources (a hash of files: ~50 ms).
// - One build at a time per checkout: a lock directory, taken atomically; a second process waits
//   for it and then finds the build done. A lock whose process died is taken over.
// - Builds go to a temporary directory and appear by rename, and current moves by rename, so a
//   running server never sees a half-written build; the two newest builds are kept, so a server
//   started from the previous one keeps the files it loads lazily.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'apps/api/dist');
const lockDir = join(dist, '.lock');
const STALE_LOCK_MS = 60_000;

/** What the build is made of; tests and docs are not. */
const INPUTS = [
  'apps/web/src',
  'apps/web/static',
  'apps/web/svelte.config.js',
  'apps/web/vite.config.ts',
  'apps/web/package.json',
  'apps/web/tsconfig.json',
  'apps/api/src',
  'apps/api/package.json',
  'packages',
  'migrations',
  'pnpm-lock.yaml',
  'tsconfig.base.json',
  'scripts/build.mjs'
];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.svelte-kit', 'test', 'test-results']);

const log = (msg) => process.stderr.write(`build: ${msg}\n`);

function files(path, out) {
  if (!existsSync(path)) return out;
  const stat = statSync(path);
  if (stat.isFile()) {
    if (!/\.test\.ts$/.test(path)) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (!SKIP_DIRS.has(entry)) files(join(path, entry), out);
  }
  return out;
}

export function sourceHash() {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of files(join(root, input), [])) {
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const buildDir = (hash) => join(dist, hash);
const complete = (hash) => existsSync(join(buildDir(hash), 'BUILD_OK'));

function currentHash() {
  try {
    return readlinkSync(join(dist, 'current'));
  } catch {
    return null;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function withLock(work) {
  mkdirSync(dist, { recursive: true });
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner'), JSON.stringify({ pid: process.pid, at: Date.now() }));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = null;
      try {
        owner = JSON.parse(readFileSync(join(lockDir, 'owner'), 'utf8'));
      } catch {
        // Being written this instant, or left empty by a crash: judged by the directory's age.
      }
      const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      // A lock is taken over only from a process that is gone (or, with no owner written, after
      // a minute). By rename: of several waiters that saw it die, one moves it away; the others
      // find it gone or someone else's.
      if ((owner !== null && !alive(owner.pid)) || (owner === null && age > STALE_LOCK_MS)) {
        const grave = `${lockDir}.stale-${process.pid}-${Date.now()}`;
        try {
          renameSync(lockDir, grave);
        } catch {
          continue;
        }
        let moved = null;
        try {
          moved = JSON.parse(readFileSync(join(grave, 'owner'), 'utf8'));
        } catch {
          // the stale lock had no owner written
        }
        if (moved !== null && owner !== null && moved.pid !== owner.pid && alive(moved.pid)) {
          // It changed hands between the look and the move: give it back.
          try {
            renameSync(grave, lockDir);
          } catch {
            rmSync(grave, { recursive: true, force: true });
          }
          continue;
        }
        log(`took over the lock of process ${owner?.pid ?? '?'}, which is gone`);
        rmSync(grave, { recursive: true, force: true });
        continue;
      }
      if (!told) log(`waiting for the build of process ${owner?.pid ?? '?'}`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code})`))
    );
  });
}

async function bundleApi(out) {
  const { build } = await import('esbuild');
  const externals = new Set();
  const result = await build({
    entryPoints: { server: join(root, 'apps/api/src/server.ts'), cli: join(root, 'apps/api/src/cli.ts') },
    outdir: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    define: { __BMET_BUNDLED__: 'true' },
    plugins: [
      {
        // The workspace's own packages are compiled in; third-party ones load from node_modules.
        name: 'third-party-external',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('@bmet/') || args.path.startsWith('node:')) return undefined;
            externals.add(args.path);
            return { path: args.path, external: true };
          });
        }
      }
    ]
  });
  if (result.errors.length > 0) throw new Error('the API bundle failed');
  // Every package the bundle imports must resolve from where it runs (apps/api/node_modules):
  // checked now rather than at the first request that needs it.
  const check = join(out, 'check-externals.mjs');
  writeFileSync(
    check,
    `const missing = [];\nfor (const name of ${JSON.stringify([...externals].sort())}) {\n  try { import.meta.resolve(name); } catch { missing.push(name); }\n}\nif (missing.length > 0) { console.error('not resolvable from apps/api: ' + missing.join(', ') + ' (add them to apps/api/package.json)'); process.exit(1); }\n`
  );
  await run(process.execPath, [check], { cwd: out });
  rmSync(check);
}

function prune(keep) {
  const builds = readdirSync(dist)
    .filter((name) => /^[0-9a-f]{16}$/.test(name) && name !== keep)
    .map((name) => ({ name, at: statSync(join(dist, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  // The previous build stays: a server started from it still loads its pages lazily.
  for (const old of builds.slice(1)) rmSync(join(dist, old.name), { recursive: true, force: true });
  for (const name of readdirSync(dist)) {
    const match = /^\.tmp-[0-9a-f]{16}-(\d+)$/.exec(name);
    if (match !== null && !alive(Number(match[1]))) rmSync(join(dist, name), { recursive: true, force: true });
  }
}

function pointCurrent(hash) {
  const link = join(dist, `.current-${process.pid}`);
  rmSync(link, { force: true });
  symlinkSync(hash, link);
  renameSync(link, join(dist, 'current'));
}

/** Builds if the sources changed; returns the directory of the build to run. */
export async function build() {
  const hash = sourceHash();
  if (currentHash() === hash && complete(hash)) return buildDir(hash);
  await withLock(async () => {
    if (currentHash() === hash && complete(hash)) return; // built while we waited
    if (!complete(hash)) {
      const started = Date.now();
      log(`building ${hash} (the sources changed)`);
      const tmp = join(dist, `.tmp-${hash}-${process.pid}`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp, { recursive: true });
      await run(join(root, 'apps/web/node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
        cwd: join(root, 'apps/web'),
        env: { ...process.env, BMET_WEB_OUT: join(tmp, 'web') }
      });
      await bundleApi(tmp);
      cpSync(join(root, 'migrations'), join(tmp, 'migrations'), { recursive: true });
      writeFileSync(join(tmp, 'BUILD_OK'), `${new Date().toISOString()}\n`);
      rmSync(buildDir(hash), { recursive: true, force: true });
      renameSync(tmp, buildDir(hash));
      log(`built ${hash} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    pointCurrent(hash);
    prune(hash);
  });
  return buildDir(hash);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // The Docker image installs its dependencies before its sources are copied in.
  if (process.env.BMET_SKIP_BUILD === '1') {
    log('skipped (BMET_SKIP_BUILD=1)');
    process.exit(0);
  }
  build().then(
    (dir) => log(`ready: ${relative(root, dir)}`),
    (err) => {
      log(err instanceof Error ? err.message : String(err));
      process.exit(1);
    }
  );
}
