import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The compiled server of the current build (scripts/build.mjs; pnpm test builds first), as in production.
const buildDir = fileURLToPath(new URL('../../api/dist/current', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export type Role = 'member' | 'moderator' | 'admin';

export interface RunningServer {
  origin: string;
  stop(): Promise<void>;
  /**
   * Gives a registered user a role with the API's CLI (`pnpm cli set-role`), as an operator
   * would. The embedded database takes one process at a time, so the server is stopped for it
   * and started again on the same port and data (sessions survive); with DATABASE_URL the CLI
   * runs beside it.
   */
  setRole(username: string, role: Role): Promise<void>;
}

/**
 * Starts the production server (API + built web app on one port) on a fresh embedded database,
 * or on DATABASE_URL's PostgreSQL when it is set.
 */
export async function startServer(
  extraEnv: Record<string, string> | ((port: number) => Record<string, string>) = {}
): Promise<RunningServer> {
  if (!existsSync(join(buildDir, 'server.js'))) {
    throw new Error('apps/api/dist/current is missing: run `pnpm build` (pnpm test does it first)');
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bmet-e2e-'));
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    ...(typeof extraEnv === 'function' ? extraEnv(port) : extraEnv)
  };
  const origin = `http://127.0.0.1:${port}`;

  async function launch(): Promise<ChildProcess> {
    const started: ChildProcess = spawn(process.execPath, [join(buildDir, 'server.js')], {
      cwd: buildDir,
      env,
      stdio: ['ignore', 'inherit', 'inherit']
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`server exited with ${started.exitCode}`);
      try {
        if ((await fetch(`${origin}/readyz`)).ok) return started;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('server did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function halt(running: ChildProcess): Promise<void> {
    if (running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  function cli(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const run = spawn(process.execPath, [join(buildDir, 'cli.js'), ...args], {
        cwd: buildDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let output = '';
      run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      run.once('error', reject);
      run.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`cli ${args.join(' ')} exited with ${code}: ${output.trim()}`))
      );
    });
  }

  let child = await launch();
  return {
    origin,
    stop: async () => {
      await halt(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    setRole: async (username, role) => {
      if ((process.env.DATABASE_URL ?? '') !== '') {
        await cli(['set-role', username, role]);
        return;
      }
      await halt(child);
      try {
        await cli(['set-role', username, role]);
      } finally {
        child = await launch();
      }
    }
  };
}
