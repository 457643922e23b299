import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiPost, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

const call = <T>(path: string, body: unknown, token?: string) => apiPost<T>(h, path, body, token);
const register = (name: string, displayName?: string) => registerMember(h, name, displayName);

/** Resolves once the page's live socket has confirmed the thread subscription. */
function subscribed(page: Page, threadId: string): Promise<void> {
  return new Promise((resolve) => {
    page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.includes('"subscribed"') && frame.payload.includes(`"${threadId}"`))
          resolve();
      })
    );
  });
}

describe('live replies and notifications', () => {
  it('shows another user’s replies in the open thread and counts them on the bell', async () => {
    const stamp = Date.now().toString(36);
    const a = await register(`alice${stamp}`);
    const b = await register(`bob${stamp}`);
    const { thread, post: op } = await call<{ thread: { id: string }; post: { id: string } }>(
      '/boards/bmet/threads',
      { title: 'Philips MX450 keeps rebooting on battery', body: 'Reboots every few minutes when unplugged.', kind: 'question' },
      a.token
    );
    const early = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Which software version?' }, b.token);

    const ctxA = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const ctxB = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await ctxA.addCookies([{ name: 'session', value: a.token, url: h.server.origin }]);
    await ctxB.addCookies([{ name: 'session', value: b.token, url: h.server.origin }]);
    const pageA = await ctxA.newPage();
    const ready = subscribed(pageA, thread.id);
    await open(pageA, `${h.server.origin}/t/${thread.id}`);
    const bell = pageA.locator('header a[href="/notifications"]');
    // Opening the thread read the early reply: its notification cleared, and the bell with it.
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications');
    await ready;

    // B answers at the top level, then replies under the early reply: both appear in place.
    const top = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Check the **battery** contacts.' }, b.token);
    await pageA.locator(`#p${top.post.id}`).waitFor({ timeout: 5000 });
    const nested = await call<{ post: { id: string } }>(
      `/threads/${thread.id}/posts`,
      { body: 'Software is L.01.24, forgot to say.', parentId: early.post.id },
      b.token
    );
    await pageA.locator(`#p${nested.post.id}`).waitFor({ timeout: 5000 });
    const ids = await pageA.locator('ol.tree > li.post').evaluateAll((els) => els.map((el) => el.id.slice(1)));
    expect(ids).toEqual([op.id, early.post.id, nested.post.id, top.post.id]);
    await expect(pageA.locator(`#p${top.post.id} strong`, { hasText: 'battery' }).isVisible()).resolves.toBe(true);
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5000 }).toBe('Notifications, 2 unread');
    await expect(bell.locator('.count').textContent()).resolves.toBe('2');
    await shot(pageA, 'live-reply');

    // B's page shows the thread too; a reply there from A shows up live for B.
    const pageB = await ctxB.newPage();
    const readyB = subscribed(pageB, thread.id);
    await open(pageB, `${h.server.origin}/t/${thread.id}`);
    await readyB;
    const fromA = await call<{ post: { id: string } }>(
      `/threads/${thread.id}/posts`,
      { body: 'Battery is new.', parentId: top.post.id },
      a.token
    );
    await pageB.locator(`#p${fromA.post.id}`).waitFor({ timeout: 5000 });
    // Re-delivery of a post already shown does not duplicate it.
    await expect(pageB.locator(`#p${fromA.post.id}`).count()).resolves.toBe(1);

    // A reply below the fold is announced by a button that scrolls to it.
    await pageB.setViewportSize({ width: 390, height: 600 });
    await pageB.evaluate(() => window.scrollTo(0, 0));
    const late = await call<{ post: { id: string } }>(`/threads/${thread.id}/posts`, { body: 'Try a known-good battery.' }, a.token);
    const announce = pageB.getByRole('button', { name: '1 new reply' });
    await announce.waitFor({ timeout: 5000 });
    await shot(pageB, 'new-replies-button-phone');
    await announce.click();
    await expect
      .poll(() =>
        pageB.locator(`#p${late.post.id}`).evaluate((el) => {
          const box = el.getBoundingClientRect();
          return box.top >= 0 && box.top < window.innerHeight;
        })
      )
      .toBe(true);
    await expect(announce.count()).resolves.toBe(0);

    await pageA.setViewportSize({ width: 390, height: 844 });
    await shot(pageA, 'live-reply-phone');
    await pageA.locator('header.site').screenshot({ path: new URL('../test-results/bell-phone.png', import.meta.url).pathname });
    await pageA.setViewportSize({ width: 1280, height: 900 });
    await pageA.locator('header.site').screenshot({ path: new URL('../test-results/bell.png', import.meta.url).pathname });

    await bell.click();
    await pageA.waitForURL(/\/notifications$/);
    const items = pageA.locator('li.item');
    await expect(items.count()).resolves.toBe(3);
    await expect(pageA.getByRole('heading', { name: 'Today' }).isVisible()).resolves.toBe(true);
    const link = pageA.getByRole('link', { name: /replied to your post/ }).first();
    await expect(link.getAttribute('href')).resolves.toBe(`/t/${thread.id}?at=${nested.post.id}#p${nested.post.id}`);
    await shot(pageA, 'notifications');
    await pageA.setViewportSize({ width: 390, height: 844 });
    await shot(pageA, 'notifications-phone');
    await pageA.setViewportSize({ width: 1280, height: 900 });

    await items
      .first()
      .getByRole('button', { name: /^Mark read/ })
      .click();
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications, 1 unread');
    await expect(pageA.locator('li.item.unread').count()).resolves.toBe(1);
    // The list says what the reply says, not only who replied.
    await expect(pageA.locator('li.item.unread .excerpt').textContent()).resolves.toBe('Check the battery contacts.');

    // Opening a notification marks it read, and the bell follows.
    await pageA.locator('li.item.unread a.target').click();
    await pageA.waitForURL(new RegExp(`/t/${thread.id}\\?at=${top.post.id}`));
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications');
    await pageA.goBack();
    await pageA.waitForURL(/\/notifications$/);
    await expect.poll(() => pageA.locator('li.item.unread').count()).toBe(0);

    // Without JavaScript the forms still work.
    await call(`/threads/${thread.id}/posts`, { body: 'One more: the battery door latch.' }, b.token);
    await call(`/threads/${thread.id}/posts`, { body: 'And the charger LED.' }, b.token);
    const noJs = await h.browser.newContext({ javaScriptEnabled: false });
    await noJs.addCookies([{ name: 'session', value: a.token, url: h.server.origin }]);
    const plain = await noJs.newPage();
    await plain.goto(`${h.server.origin}/notifications`);
    await expect(plain.locator('header a[href="/notifications"]').getAttribute('aria-label')).resolves.toBe('Notifications, 2 unread');
    await plain.getByRole('button', { name: 'Mark all read' }).click();
    await plain.waitForLoadState();
    await expect(plain.locator('li.item.unread').count()).resolves.toBe(0);
    await expect(plain.locator('header a[href="/notifications"]').getAttribute('aria-label')).resolves.toBe('Notifications');
    await expect(plain.locator('header .count').count()).resolves.toBe(0);
    await Promise.all([ctxA.close(), ctxB.close(), noJs.close()]);
  });
});
