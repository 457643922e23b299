import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from './server.ts';

const shots = new URL('../test-results/', import.meta.url).pathname;

export interface Harness {
  server: RunningServer;
  browser: Browser;
}

/**
 * The real server on a fresh database and Debian's Chromium, for one test file; `env` (read when
 * the server starts, with its port) adds to its environment, e.g. SMTP_URL of a test's own SMTP
 * server, or PUBLIC_URL.
 */
export function useServerAndBrowser(env: (port: number) => Record<string, string> = () => ({})): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h.server = await startServer(env);
    h.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
    });
  });
  afterAll(async () => {
    await h.browser?.close();
    await h.server?.stop();
  });
  return h;
}

/** A full-page screenshot into apps/web/test-results/ (not committed), to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}

/**
 * Navigate and wait until the app is hydrated, so that typing is not lost to hydration and
 * forms submit through `use:enhance` rather than as plain posts.
 */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await hydrated(page);
}

/** Wait for the root layout's mount (it marks `<html data-hydrated>`). */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/** POSTs JSON to the running server's API as a client would (Bearer token); throws on an error status. */
export async function apiPost<T>(h: Harness, path: string, body: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${h.server.origin}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Registers a BMET through the API: its session token and user. */
export function registerMember(h: Harness, username: string, displayName?: string): Promise<{ token: string; user: { id: string } }> {
  return apiPost(h, '/auth/register', {
    username,
    email: `${username}@hospital.example`,
    password: 'occlusion alarm at 3am',
    profession: 'BMET',
    ...(displayName === undefined ? {} : { displayName })
  });
}
