import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiPost, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

const call = <T>(path: string, body: unknown, token?: string) => apiPost<T>(h, path, body, token);
const register = (name: string, displayName?: string) => registerMember(h, name, displayName);

/** The thread's row on the board page. */
const row = (page: Page, title: string) => page.locator('ol.threads li.thread', { has: page.locator('a.title', { hasText: title }) });

describe('unread replies', () => {
  it('counts new replies on the board, opens the thread at the first one and marks them read', async () => {
    const stamp = Date.now().toString(36);
    const a = await register(`reader${stamp}`, 'Robin Reader');
    const b = await register(`writer${stamp}`, 'Wren Writer');
    const title = `Zoll R Series fails self-test after pads change ${stamp}`;
    const { thread } = await call<{ thread: { id: string } }>(
      '/boards/bmet/threads',
      { title, body: 'Self-test fails with **Code 3** since the new pads arrived.', kind: 'question' },
      b.token
    );
    const early = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Which pads exactly?' }, a.token);

    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'session', value: a.token, url: h.server.origin }]);
    const page = await context.newPage();

    // A reads the whole thread (a full page load: the server marks it read).
    await open(page, `${h.server.origin}/t/${thread.id}`);
    await expect(page.locator('.post-card .new-tag').count()).resolves.toBe(0);
    await open(page, `${h.server.origin}/b/bmet`);
    await expect(row(page, title).locator('a.new').count()).resolves.toBe(0);

    // B answers twice: once under A's question, once to the thread.
    const first = await call<{ post: { id: string } }>(
      `/threads/${thread.id}/posts`,
      { body: 'The 8900-0800 pads, lot 2211.', parentId: early.post.id },
      b.token
    );
    const second = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Also tried a second cable.' }, b.token);

    await open(page, `${h.server.origin}/b/bmet`);
    const badge = row(page, title).locator('a.new');
    await expect(badge.textContent()).resolves.toMatch(/^2 new/);
    await expect(badge.getAttribute('href')).resolves.toBe(`/t/${thread.id}?at=unread`);
    // The title link is unchanged; the badge's name says what it is.
    await expect(row(page, title).locator('a.title').getAttribute('href')).resolves.toBe(`/t/${thread.id}`);
    await expect(page.getByRole('link', { name: `2 new replies in “${title}”` }).count()).resolves.toBe(1);
    await shot(page, 'unread-board');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'unread-board-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    // The badge opens the thread at the first new reply, with that post in the URL.
    const marked = page.waitForResponse((r) => r.url().includes('/read') && r.request().method() === 'POST');
    await badge.click();
    await page.waitForURL(`${h.server.origin}/t/${thread.id}?at=${first.post.id}#p${first.post.id}`);
    expect((await marked).ok()).toBe(true);
    const posts = page.locator('ol.tree > li.post');
    await expect(posts.evaluateAll((els) => els.map((el) => el.id.slice(1)))).resolves.toEqual([first.post.id, second.post.id]);
    await expect(page.locator(`#p${first.post.id} .new-tag`).textContent()).resolves.toBe('New');
    await expect(page.locator(`#p${second.post.id} .new-tag`).textContent()).resolves.toBe('New');
    // The line before the first new reply, and the way back to the start.
    await expect(page.locator(`#p${first.post.id} .new-since`).textContent()).resolves.toBe('New since your last visit');
    await expect(page.locator('.new-since').count()).resolves.toBe(1);
    const fromStart = page.getByRole('link', { name: 'Show the thread from the start' });
    await expect(fromStart.getAttribute('href')).resolves.toBe(`/t/${thread.id}`);
    await shot(page, 'unread-thread');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'unread-thread-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Read: no badge any more, and the thread shows nothing as new.
    await open(page, `${h.server.origin}/b/bmet`);
    await expect(row(page, title).locator('a.title').count()).resolves.toBe(1);
    await expect(row(page, title).locator('a.new').count()).resolves.toBe(0);
    await open(page, `${h.server.origin}/t/${thread.id}`);
    await expect(page.locator('.new-tag').count()).resolves.toBe(0);
    await expect(page.locator('.new-since').count()).resolves.toBe(0);
    await expect(fromStart.count()).resolves.toBe(0);

    // Without JavaScript: the badge's address redirects to the first unread reply, and the
    // full page load marks it read.
    const third = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Swapped the pads: passes now.' }, b.token);
    const plain = await h.browser.newContext({ javaScriptEnabled: false });
    await plain.addCookies([{ name: 'session', value: a.token, url: h.server.origin }]);
    const noJs = await plain.newPage();
    await noJs.goto(`${h.server.origin}/b/bmet`);
    await expect(row(noJs, title).locator('a.new').textContent()).resolves.toMatch(/^1 new/);
    await row(noJs, title).locator('a.new').click();
    await noJs.waitForURL(`${h.server.origin}/t/${thread.id}?at=${third.post.id}#p${third.post.id}`);
    await expect(noJs.locator('ol.tree > li.post').count()).resolves.toBe(1);
    await expect(noJs.locator(`#p${third.post.id} .new-tag`).count()).resolves.toBe(1);
    await noJs.goto(`${h.server.origin}/b/bmet`);
    await expect(row(noJs, title).locator('a.new').count()).resolves.toBe(0);
    // Nothing unread: `at=unread` is the thread's start.
    await noJs.goto(`${h.server.origin}/t/${thread.id}?at=unread`);
    expect(noJs.url()).toBe(`${h.server.origin}/t/${thread.id}`);

    // Signed out: no badges, and `at=unread` is just the thread.
    const anon = await h.browser.newPage();
    await open(anon, `${h.server.origin}/b/bmet`);
    await expect(row(anon, title).locator('a.new').count()).resolves.toBe(0);
    await anon.goto(`${h.server.origin}/t/${thread.id}?at=unread`);
    expect(anon.url()).toBe(`${h.server.origin}/t/${thread.id}`);

    await Promise.all([context.close(), plain.close(), anon.close()]);
  });
});

describe('a second look at a thread', () => {
  it('still clears a notification that came after the thread was read to its end', async () => {
    const stamp = Date.now().toString(36);
    const a = await register(`second${stamp}`);
    const b = await register(`editor${stamp}`);
    const { thread } = await call<{ thread: { id: string } }>(
      '/boards/bmet/threads',
      { title: `Philips MX450 SpO2 dropouts on transport ${stamp}`, body: 'Dropouts every few minutes on the move.' },
      b.token
    );
    const answer = await call<{ post: { id: string } }>(
      `/threads/${thread.id}/posts`,
      { body: 'Check the sensor cable strain relief.' },
      b.token
    );
    const bell = async () => {
      const res = await fetch(`${h.server.origin}/api/v1/notifications?limit=1`, { headers: { authorization: `Bearer ${a.token}` } });
      return ((await res.json()) as { unread: number }).unread;
    };
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'session', value: a.token, url: h.server.origin }]);
    const page = await context.newPage();
    await open(page, `${h.server.origin}/t/${thread.id}`);
    expect(await bell()).toBe(0);

    // B edits the reply A has already read, mentioning A: a notification about a read post.
    const res = await fetch(`${h.server.origin}/api/v1/posts/${answer.post.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${b.token}` },
      body: JSON.stringify({ body: `Check the sensor cable strain relief, @second${stamp}.` })
    });
    expect(res.ok).toBe(true);
    expect(await bell()).toBe(1);

    // Nothing on the page is new, but the notification is about it: the page marks it seen.
    await open(page, `${h.server.origin}/t/${thread.id}`);
    await expect(page.locator('.post-card .new-tag').count()).resolves.toBe(0);
    expect(await bell()).toBe(0);
    await context.close();
  });
});
