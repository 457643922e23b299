import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { apiPost, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();
const PHONE = { width: 390, height: 844 };
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's WCAG 2.x A and AA rules on the page as it is now; the violations, described. */
async function axe(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run;
    const result = await run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations;
  });
  return violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, ' ')}]` : ''}`).join('; ')}`
  );
}

async function context(
  options: { token?: string; colorScheme?: 'light' | 'dark'; timezoneId?: string } = {}
): Promise<{ ctx: BrowserContext; page: Page }> {
  // axe is injected as a script: the page's Content-Security-Policy would refuse it otherwise.
  const ctx = await h.browser.newContext({
    viewport: PHONE,
    bypassCSP: true,
    colorScheme: options.colorScheme ?? 'light',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {})
  });
  if (options.token) await ctx.addCookies([{ name: 'session', value: options.token, url: h.server.origin }]);
  return { ctx, page: await ctx.newPage() };
}

async function seed() {
  const asker = await registerMember(h, `phone${Date.now().toString(36)}`, 'Ana Reyes');
  const helper = await registerMember(h, `phoneb${Date.now().toString(36)}`, 'Sam Okafor');
  const { thread } = await apiPost<{ thread: { id: string } }>(
    h,
    '/boards/bmet/threads',
    {
      kind: 'question',
      title: 'Zoll R Series fails its energy test at 200 J',
      body: 'Analyzer reads **168 J** at the 200 J setting.\n\n| setting | reading |\n|---|---|\n| 200 J | 168 J |',
      equipment: { manufacturer: 'Zoll', model: 'R Series', errorCode: 'E-12' },
      tags: ['defibrillator']
    },
    asker.token
  );
  const answer = await apiPost<{ post: { id: string } }>(
    h,
    `/threads/${thread.id}/posts`,
    { body: 'Replace the **capacitor**; run `selftest` after.' },
    helper.token
  );
  return { asker, helper, threadId: thread.id, answerId: answer.post.id };
}

describe('the web app on a phone', () => {
  it('has no axe violations on its pages, in light and dark, signed out and in', async () => {
    const { asker, threadId } = await seed();
    const pages = [
      '/',
      '/b/bmet',
      `/t/${threadId}`,
      '/search?q=zoll',
      '/equipment',
      '/login',
      '/register',
      '/offline',
      '/forgot-password',
      '/reset-password?token=a.b',
      '/verify-email?token=a.b',
      '/unsubscribe?token=a.b',
      '/goodbye'
    ];
    const memberPages = [
      '/',
      `/t/${threadId}`,
      '/b/bmet/new',
      '/notifications',
      '/settings',
      '/settings/account',
      '/settings/sessions',
      '/settings/email',
      '/settings/security',
      '/settings/close'
    ];
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [token, list] of [
        [undefined, pages],
        [asker.token, memberPages]
      ] as const) {
        const { ctx, page } = await context({ colorScheme, ...(token ? { token } : {}) });
        for (const path of list) {
          await open(page, `${h.server.origin}${path}`);
          for (const v of await axe(page)) found.push(`${colorScheme} ${token ? 'member' : 'anonymous'} ${path}: ${v}`);
        }
        // A reply opened on a post, and its preview tab: the composer too.
        if (token) {
          await open(page, `${h.server.origin}/t/${threadId}`);
          await page.locator('[data-act="reply"]').first().click();
          await page.locator('[data-panel] textarea').fill('**Bold** idea');
          await page.locator('[data-panel]').getByRole('tab', { name: 'Preview' }).click();
          for (const v of await axe(page)) found.push(`${colorScheme} member reply panel: ${v}`);
          await shot(page, `thread-reply-${colorScheme}-390`);
        }
        await ctx.close();
      }
    }
    expect(found).toEqual([]);
  });

  it('follows the system colour scheme, and the switch overrides it (kept across pages)', async () => {
    const { ctx, page } = await context({ colorScheme: 'dark' });
    await open(page, `${h.server.origin}/`);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await background();
    await shot(page, 'home-dark-390');
    const { ctx: lightCtx, page: lightPage } = await context({ colorScheme: 'light' });
    await open(lightPage, `${h.server.origin}/`);
    const light = await lightPage.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).not.toBe(light);
    await lightCtx.close();

    // The switch: system -> dark -> light; its name says the state.
    const toggle = page.getByRole('button', { name: /^Theme: / });
    await expect(toggle.getAttribute('aria-label').then((l) => l ?? toggle.textContent())).resolves.toMatch(/system/i);
    await toggle.click();
    await toggle.click();
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('light');
    expect(await background()).toBe(light);
    // The choice is the server's too: the next page is rendered light at once.
    await open(page, `${h.server.origin}/b/bmet`);
    await expect(page.locator('html').getAttribute('data-theme')).resolves.toBe('light');
    expect(await background()).toBe(light);
    await ctx.close();
  });

  it('shows times in the reader’s own zone, and a tap shows the full time', async () => {
    const { threadId } = await seed();
    const { ctx, page } = await context({ timezoneId: 'America/Chicago' });
    await open(page, `${h.server.origin}/t/${threadId}`);
    const time = page.locator('li.post time').first();
    const iso = (await time.getAttribute('datetime'))!;
    const expected = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'America/Chicago',
      timeZoneName: 'short'
    }).format(new Date(iso));
    // The first page was rendered before the server knew the zone: put right in the browser.
    await expect(time.getAttribute('title')).resolves.toBe(expected);
    await expect(time.textContent()).resolves.toBe('just now');
    await time.click();
    await expect(time.textContent()).resolves.toBe(expected);
    expect(new URL(page.url()).hash).toBe('');
    // The next page comes from the server in the reader's zone already.
    await page.reload();
    await expect(page.locator('li.post time').first().getAttribute('title')).resolves.toBe(expected);
    await expect(page.content()).resolves.not.toContain(' UTC"');
    await ctx.close();
  });

  it('keeps the threads a member opened for reading offline, marked as offline', async () => {
    const { asker, threadId } = await seed();
    const other = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      { kind: 'question', title: 'Never opened before the basement', body: 'Nobody read this one.' },
      asker.token
    );
    const { ctx, page } = await context({ token: asker.token });
    await open(page, `${h.server.origin}/`);
    // The worker is installed and controls the pages from here on.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.evaluate(() => navigator.serviceWorker.controller !== null);
    await open(page, `${h.server.origin}/t/${threadId}`);
    // Kept as it passed: wait until the worker has it.
    await expect
      .poll(() =>
        page.evaluate(async (path) => (await (await caches.open('pages')).match(location.origin + path)) !== undefined, `/t/${threadId}`)
      )
      .toBe(true);

    await ctx.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Zoll R Series fails its energy test at 200 J' }).waitFor();
    await page.getByText('You are offline.').waitFor();
    await expect(page.locator('li.post strong', { hasText: 'capacitor' }).count()).resolves.toBe(1);
    await shot(page, 'offline-thread-390');

    // A thread that was never opened: the offline page, listing what can be read.
    await page.goto(`${h.server.origin}/t/${other.thread.id}`);
    await page.waitForURL(/\/offline$/);
    await page.getByRole('heading', { name: 'You are offline' }).waitFor();
    await page.getByRole('link', { name: /Zoll R Series fails/ }).waitFor();
    await shot(page, 'offline-page-390');
    await page.getByRole('link', { name: /Zoll R Series fails/ }).click();
    await page.getByRole('heading', { name: 'Zoll R Series fails its energy test at 200 J' }).waitFor();

    // Logging out forgets the kept pages (a shared workstation).
    await ctx.setOffline(false);
    await open(page, `${h.server.origin}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${h.server.origin}/`);
    await expect
      .poll(() =>
        page.evaluate(async (path) => (await (await caches.open('pages')).match(location.origin + path)) !== undefined, `/t/${threadId}`)
      )
      .toBe(false);
    await ctx.close();
  });
});
