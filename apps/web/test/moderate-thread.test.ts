import { describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { open, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

interface Account {
  username: string;
  token: string;
}

/** The API as this account (bearer token). */
async function call<T>(who: Account | null, method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const headers: Record<string, string> = {};
  if (who !== null) headers.authorization = `Bearer ${who.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.server.origin}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  return { status: res.status, data: (text === '' ? null : JSON.parse(text)) as T };
}

async function register(username: string, displayName: string): Promise<Account> {
  const res = await call<{ token: string }>(null, 'POST', '/auth/register', {
    username,
    email: `${username}@hospital.example`,
    password: 'occlusion alarm at 3am',
    profession: 'BMET',
    displayName
  });
  expect(res.status).toBe(201);
  return { username, token: res.data.token };
}

async function browse(browser: Browser, who: Account, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  await context.addCookies([{ name: 'session', value: who.token, url: h.server.origin }]);
  return { context, page: await context.newPage() };
}

/** The same page at phone width, for the screenshot. */
async function phoneShot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('moderating a thread, reporting posts and read-only notices', () => {
  it('lets a member report, a moderator lock, pin, move, delete and restore, and says why members cannot post', async () => {
    const tag = Date.now().toString(36);
    const mod = await register(`boss${tag}`, 'Morgan Moderator');
    const author = await register(`poster${tag}`, 'Pat Poster');
    const member = await register(`member${tag}`, 'Riley Member');
    // An admin moderates every board (and can archive one below).
    await h.server.setRole(mod.username, 'admin');

    const title = `Selling refurbished SpO2 probes, cheap ${tag}`;
    const created = await call<{ thread: { id: string }; post: { id: string } }>(author, 'POST', '/boards/bmet/threads', {
      title,
      body: 'DM me for **prices**.',
      kind: 'discussion'
    });
    expect(created.status).toBe(201);
    const threadId = created.data.thread.id;
    const opId = created.data.post.id;
    const reply = await call<{ post: { id: string } }>(member, 'POST', `/threads/${threadId}/posts`, { body: 'This is an ad.' });
    expect(reply.status).toBe(201);
    const replyId = reply.data.post.id;

    // A member reports the opening post; their own post has no Report, and there are no moderator tools.
    const m = await browse(h.browser, member);
    await open(m.page, `${h.server.origin}/t/${threadId}`);
    await expect(m.page.locator('header.site').getByRole('link', { name: 'Moderation' }).count()).resolves.toBe(0);
    await expect(m.page.getByText('Moderate', { exact: true }).count()).resolves.toBe(0);
    await expect(m.page.locator(`#p${replyId}`).locator('[data-act="report"]').count()).resolves.toBe(0);
    const op = m.page.locator(`#p${opId}`);
    await op.locator('[data-act="report"]').click();
    await op.getByLabel('What is wrong with it?').selectOption('spam');
    await op.getByLabel('Note for the moderators').fill('Selling parts, not a question.');
    await shot(m.page, 'report-form');
    await op.getByRole('button', { name: 'Send report' }).click();
    const reported = op.getByRole('status').filter({ hasText: 'Reported. A moderator will look at it.' });
    await reported.waitFor();
    await expect(op.locator('[data-act="report"]').count()).resolves.toBe(0);
    await phoneShot(m.page, 'report-done-390');
    // Reporting it again is refused, said at the post.
    await open(m.page, `${h.server.origin}/t/${threadId}`);
    await op.locator('[data-act="report"]').click();
    await op.getByLabel('What is wrong with it?').selectOption('other');
    await op.getByRole('button', { name: 'Send report' }).click();
    await op.getByRole('alert').filter({ hasText: 'You have already reported this post' }).waitFor();

    // The moderator has the header link and the tools.
    const md = await browse(h.browser, mod);
    await open(md.page, `${h.server.origin}/t/${threadId}`);
    await expect(md.page.locator('header.site').getByRole('link', { name: 'Moderation' }).getAttribute('href')).resolves.toBe('/mod');
    const tools = md.page.locator('details.moderate');
    await tools.locator('summary').click();
    await shot(md.page, 'moderate-panel');
    await phoneShot(md.page, 'moderate-panel-390');
    const lock = md.page.getByRole('form', { name: 'Lock the thread' });
    await lock.getByLabel('Reason').fill('Advertising, no discussion needed');
    await lock.getByRole('button', { name: 'Lock thread' }).click();
    await md.page.getByRole('status').filter({ hasText: 'Thread locked.' }).waitFor();
    await expect(md.page.locator('.thread-head .badge.locked').count()).resolves.toBe(1);
    await expect(md.page.evaluate(() => document.activeElement?.textContent ?? '')).resolves.toContain('Thread locked.');
    // Moderators may still reply to a locked thread.
    await expect(md.page.getByLabel('Reply to the thread').count()).resolves.toBe(1);
    await md.page.getByRole('form', { name: 'Pin the thread' }).getByRole('button', { name: 'Pin thread' }).click();
    await md.page.getByRole('status').filter({ hasText: 'Thread pinned.' }).waitFor();
    await expect(tools.getAttribute('open')).resolves.toBe('');
    await shot(md.page, 'moderate-done');

    // The member sees why they cannot reply.
    await open(m.page, `${h.server.origin}/t/${threadId}`);
    await m.page.getByText('This thread is locked. Only moderators can reply.').first().waitFor();
    await expect(m.page.getByLabel('Reply to the thread').count()).resolves.toBe(0);
    await expect(m.page.locator('[data-act="reply"]').count()).resolves.toBe(0);
    await shot(m.page, 'thread-locked-member');
    await phoneShot(m.page, 'thread-locked-member-390');

    // Delete the member's reply with a reason, then restore it.
    const post = md.page.locator(`#p${replyId}`);
    await post.locator('[data-act="delete"]').click();
    await post.getByLabel('Reason').fill('Off-topic');
    await post.getByRole('button', { name: 'Yes, delete this post' }).click();
    await post.getByText('This post was deleted.').waitFor();
    await post.locator('summary', { hasText: 'Restore' }).click();
    await post.getByRole('button', { name: 'Restore this post' }).click();
    await post.getByText('This is an ad.').waitFor();

    // Move it to Clinical Engineering: the breadcrumb follows.
    const move = md.page.getByRole('form', { name: 'Move to another board' });
    await move.getByLabel('Board').selectOption('ce');
    await move.getByLabel('Reason').fill('Wrong board');
    await move.getByRole('button', { name: 'Move thread' }).click();
    await md.page.getByRole('status').filter({ hasText: 'Thread moved to Clinical Engineering.' }).waitFor();
    await expect(md.page.getByRole('navigation', { name: 'Breadcrumb' }).textContent()).resolves.toContain('Clinical Engineering');

    // Delete the thread: back on its board with a message, and the thread still opens for moderators.
    const del = md.page.getByRole('form', { name: 'Delete the thread' });
    await del.getByLabel('Reason').fill('Spam');
    await del.getByRole('button', { name: 'Delete thread' }).click();
    await md.page.waitForURL(`${h.server.origin}/b/ce`);
    const flash = md.page.getByRole('status').filter({ hasText: `Deleted the thread “${title}”.` });
    await flash.waitFor();
    await expect(md.page.locator('ol.threads a.title', { hasText: title }).count()).resolves.toBe(0);
    await shot(md.page, 'thread-deleted-board');
    expect((await call(member, 'GET', `/threads/${threadId}`)).status).toBe(404);
    await flash.getByRole('link', { name: 'Open it' }).click();
    await md.page.waitForURL(`${h.server.origin}/t/${threadId}`);
    await md.page.getByRole('heading', { name: 'This thread is deleted' }).waitFor();
    await shot(md.page, 'thread-deleted');
    await phoneShot(md.page, 'thread-deleted-390');
    await md.page.locator('#deleted-banner').getByLabel('Reason').fill('Author asked nicely');
    await md.page.getByRole('button', { name: 'Restore thread' }).click();
    await md.page.getByRole('status').filter({ hasText: 'Thread restored.' }).waitFor();
    await expect(md.page.getByRole('heading', { name: 'This thread is deleted' }).count()).resolves.toBe(0);
    expect((await call(member, 'GET', `/threads/${threadId}`)).status).toBe(200);

    // Without JavaScript the tools still work (unlock here).
    const plain = await h.browser.newContext({ javaScriptEnabled: false });
    await plain.addCookies([{ name: 'session', value: mod.token, url: h.server.origin }]);
    const noJs = await plain.newPage();
    await noJs.goto(`${h.server.origin}/t/${threadId}`);
    await noJs.locator('details.moderate summary').click();
    await noJs.getByRole('form', { name: 'Unlock the thread' }).getByRole('button', { name: 'Unlock thread' }).click();
    await noJs.getByRole('status').filter({ hasText: 'Thread unlocked.' }).waitFor();
    await expect(noJs.locator('.thread-head .badge.locked').count()).resolves.toBe(0);
    await plain.close();

    // An archived board: read only for members, said on the board, the new-thread page and its threads.
    const slug = `old-${tag}`;
    expect((await call(mod, 'POST', '/admin/boards', { slug, name: 'Old imaging', description: 'Retired.', roleTag: null })).status).toBe(
      201
    );
    const old = await call<{ thread: { id: string } }>(author, 'POST', `/boards/${slug}/threads`, {
      title: 'Film processor chemistry',
      body: 'Anyone still run one?'
    });
    expect(old.status).toBe(201);
    expect((await call(mod, 'PATCH', `/admin/boards/${slug}`, { archived: true })).status).toBe(200);
    await open(m.page, `${h.server.origin}/b/${slug}`);
    await m.page.getByText('This board is archived: read only.').waitFor();
    await expect(m.page.getByRole('link', { name: 'New thread' }).count()).resolves.toBe(0);
    await shot(m.page, 'board-archived');
    await open(m.page, `${h.server.origin}/t/${old.data.thread.id}`);
    await m.page.getByText('This board is archived: read only.').first().waitFor();
    await expect(m.page.getByLabel('Reply to the thread').count()).resolves.toBe(0);
    await open(m.page, `${h.server.origin}/b/${slug}/new`);
    await m.page.getByText('This board is archived: read only.').waitFor();
    await expect(m.page.getByRole('button', { name: 'Post thread' }).count()).resolves.toBe(0);
    await phoneShot(m.page, 'new-thread-archived-390');

    // A suspended member reads, is told why on every page, and gets no write forms.
    const until = new Date(Date.now() + 3 * 24 * 60 * 60_000).toISOString();
    expect((await call(mod, 'POST', `/users/${author.username}/suspend`, { until, reason: 'Advertising' })).status).toBe(200);
    const a = await browse(h.browser, author);
    await open(a.page, `${h.server.origin}/t/${threadId}`);
    const banner = a.page.locator('.suspended[role="status"]');
    await expect(banner.textContent()).resolves.toMatch(
      /Your account is suspended until .+ UTC: Advertising\. You can read but not post\./
    );
    await expect(a.page.getByLabel('Reply to the thread').count()).resolves.toBe(0);
    await a.page.getByText('You cannot reply while your account is suspended.').waitFor();
    await expect(a.page.locator('[data-act="edit"]').count()).resolves.toBe(0);
    await shot(a.page, 'suspended-thread');
    await phoneShot(a.page, 'suspended-thread-390');
    await open(a.page, `${h.server.origin}/b/bmet`);
    await expect(a.page.getByRole('link', { name: 'New thread' }).count()).resolves.toBe(0);
    await open(a.page, `${h.server.origin}/b/bmet/new`);
    await a.page.getByText('You cannot start a thread while your account is suspended.').waitFor();
    await expect(a.page.getByRole('button', { name: 'Post thread' }).count()).resolves.toBe(0);

    await Promise.all([m.context.close(), md.context.close(), a.context.close()]);
  });
});
