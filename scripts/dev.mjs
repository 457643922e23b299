// pnpm dev: the API with reload on :3001 and SvelteKit's dev server (hot reload) on :5173,
// which proxies /api to the API. Ctrl-C stops both.
import { spawn } from 'node:child_process';

const apiPort = process.env.API_PORT ?? '3001';
const children = [
  spawn('pnpm', ['--filter', '@bmet/api', 'dev'], {
    stdio: 'inherit',
    env: { ...process.env, PORT: apiPort, WEB_BUILD_DIR: '/nonexistent' }
  }),
  spawn('pnpm', ['--filter', '@bmet/web', 'dev'], {
    stdio: 'inherit',
    env: { ...process.env, API_ORIGIN: `http://127.0.0.1:${apiPort}` }
  })
];
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children)
  c.on('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
