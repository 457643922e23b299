import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hydrated, open, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

interface Member {
  token: string;
  context: BrowserContext;
}

/** Registered through the API (with an Origin, like a browser), with a signed-in context of its own. */
async function member(username: string, displayName: string): Promise<Member> {
  const res = await fetch(`${h.server.origin}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: h.server.origin },
    body: JSON.stringify({
      username,
      email: `${username}@hospital.example`,
      password: 'occlusion alarm at 3am',
      profession: 'BMET',
      displayName
    })
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(5000);
  await context.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
  return { token, context };
}

async function post<T>(path: string, body: unknown, token: string): Promise<T> {
  const res = await fetch(`${h.server.origin}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body)
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Whether a watch toggle says it is on: its label reads "Watching …" instead of "Watch …". */
const watching = async (page: Page, noun: string) => {
  const on = await page.getByRole('button', { name: `Watching ${noun}`, exact: true }).count();
  const off = await page.getByRole('button', { name: `Watch ${noun}`, exact: true }).count();
  return on === 1 && off === 0 ? true : off === 1 && on === 0 ? false : null;
};

/** A screenshot at 1280 px and one at 390 px wide, for looking at. */
async function shots(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('watching boards, models and threads', () => {
  it('watches a board, hears of a new thread there, mutes a thread and unwatches a model', async () => {
    const stamp = Date.now().toString(36);
    const watcher = await member(`watcher${stamp}`, 'Priya Nair');
    const poster = await member(`poster${stamp}`, 'Sam Okafor');
    const page = await watcher.context.newPage();

    // Settings starts empty: every board offered, nothing watched.
    await open(page, `${h.server.origin}/settings`);
    await expect(page.getByText('You are not watching any equipment models.').isVisible()).resolves.toBe(true);
    await expect(page.getByText('You are not watching or muting any threads.').isVisible()).resolves.toBe(true);
    await expect(watching(page, 'BMET Bench & Field Service')).resolves.toBe(false);
    await page.getByRole('button', { name: 'Watch BMET Bench & Field Service', exact: true }).click();
    await expect.poll(() => watching(page, 'BMET Bench & Field Service')).toBe(true);
    // The button kept the focus through the reload of the page's data.
    await expect(
      page.getByRole('button', { name: 'Watching BMET Bench & Field Service' }).evaluate((el) => el === document.activeElement)
    ).resolves.toBe(true);

    // The board page shows the same state.
    await open(page, `${h.server.origin}/b/bmet`);
    await expect(watching(page, 'board')).resolves.toBe(true);
    await shots(page, 'watch-board');

    // Another member starts a thread there, about a model: the watcher hears of it, with its title.
    const title = `Alaris 8015 door sensor keeps tripping ${stamp}`;
    const { thread, post: opening } = await post<{ thread: { id: string }; post: { id: string } }>(
      '/boards/bmet/threads',
      {
        title,
        body: 'Occlusion alarm on every start even with a new set.',
        kind: 'question',
        equipment: { manufacturer: 'BD', model: 'Alaris 8015', category: 'Infusion pump', errorCode: null }
      },
      poster.token
    );
    await open(page, `${h.server.origin}/notifications`);
    const item = page.locator('li.item', { hasText: title });
    await expect(item.getByRole('link', { name: `Sam Okafor started a thread you watch: ${title}` }).getAttribute('href')).resolves.toBe(
      `/t/${thread.id}#p${opening.id}`
    );
    await expect(item.locator('.about').textContent()).resolves.toBe(title);
    await expect(page.getByRole('link', { name: 'Notification settings' }).getAttribute('href')).resolves.toBe('/settings');
    await shots(page, 'watch-notifications');

    // Mute the thread from its page; the level is still Muted after a reload.
    await item.getByRole('link').click();
    await page.waitForURL(new RegExp(`/t/${thread.id}#p${opening.id}$`));
    await hydrated(page);
    const levels = page.getByRole('group', { name: 'Notifications' });
    await expect(levels.getByRole('button', { name: 'Normal' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await levels.getByRole('button', { name: 'Muted' }).click();
    await expect.poll(() => levels.getByRole('button', { name: 'Muted' }).getAttribute('aria-pressed')).toBe('true');
    await expect(page.locator('.notify .hint').textContent()).resolves.toBe('Notified only of @mentions.');
    await page.reload();
    await hydrated(page);
    await expect(levels.getByRole('button', { name: 'Muted' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(levels.getByRole('button', { name: 'Normal' }).getAttribute('aria-pressed')).resolves.toBe('false');
    await shots(page, 'watch-thread');

    // Watch the thread's model from the model page.
    await page.locator('.thread-head a.chip.equipment').click();
    await page.waitForURL(/\/equipment\/bd\/alaris-8015$/);
    await hydrated(page);
    await page.getByRole('button', { name: 'Watch model' }).click();
    await expect.poll(() => watching(page, 'model')).toBe(true);
    await shots(page, 'watch-model');

    // Settings lists the model and the muted thread; unwatch the model there.
    await open(page, `${h.server.origin}/settings`);
    const threadRow = page.locator('li.row', { hasText: title });
    await expect(threadRow.getByRole('link', { name: title }).getAttribute('href')).resolves.toBe(`/t/${thread.id}`);
    await expect(threadRow.getByRole('button', { name: 'Muted' }).getAttribute('aria-pressed')).resolves.toBe('true');
    const modelLink = page.getByRole('link', { name: 'BD Alaris 8015' });
    await expect(modelLink.getAttribute('href')).resolves.toBe('/equipment/bd/alaris-8015');
    await shots(page, 'watch-settings');
    await page.getByRole('button', { name: 'Unwatch BD Alaris 8015' }).click();
    await page.getByText('You are not watching any equipment models.').waitFor();
    await expect(modelLink.count()).resolves.toBe(0);
    // The focus, lost with the row, continues from the section's heading.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('models-heading');
    await open(page, `${h.server.origin}/equipment/bd/alaris-8015`);
    await expect(watching(page, 'model')).resolves.toBe(false);

    // Back to Normal from the settings page takes the thread off the list.
    await open(page, `${h.server.origin}/settings`);
    await page.locator('li.row', { hasText: title }).getByRole('button', { name: 'Normal' }).click();
    await page.getByText('You are not watching or muting any threads.').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('threads-heading');

    // Without JavaScript the toggles still work (a plain form post).
    const noJs = await h.browser.newContext({ javaScriptEnabled: false });
    await noJs.addCookies([{ name: 'session', value: watcher.token, url: h.server.origin }]);
    const plain = await noJs.newPage();
    await plain.goto(`${h.server.origin}/b/bmet?sort=top`);
    await plain.getByRole('button', { name: 'Watching board' }).click();
    await plain.waitForLoadState();
    await expect(watching(plain, 'board')).resolves.toBe(false);
    await expect(plain.getByRole('link', { name: 'Top' }).getAttribute('aria-current')).resolves.toBe('page');

    // Signed out: no controls, a way to log in instead, and settings asks to log in.
    const anonymous = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(anonymous, `${h.server.origin}/b/bmet`);
    await expect(anonymous.getByRole('button', { name: 'Watch board' }).count()).resolves.toBe(0);
    await expect(anonymous.getByText('to watch this board for new threads').isVisible()).resolves.toBe(true);
    await shots(anonymous, 'watch-board-anonymous');
    await open(anonymous, `${h.server.origin}/t/${thread.id}`);
    await expect(anonymous.getByRole('group', { name: 'Notifications' }).count()).resolves.toBe(0);
    await anonymous.goto(`${h.server.origin}/settings`);
    await expect(anonymous.url()).toBe(`${h.server.origin}/login?next=%2Fsettings`);

    await Promise.all([watcher.context.close(), poster.context.close(), noJs.close(), anonymous.close()]);
  });
});
