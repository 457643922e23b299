import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from './server.ts';

const shots = new URL('../test-results/', import.meta.url).pathname;

export interface Harness {
  server: RunningServer;
  browser: Browser;
}

/** The real server on a fresh database and Debian's Chromium, for one test file. */
export function useServerAndBrowser(): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    h.server = await startServer();
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
