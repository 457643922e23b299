import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { apiPost, open, registerMember, shot, useServerAndBrowser, type Harness } from './harness.ts';

const h = useServerAndBrowser();
const PHONE = { width: 390, height: 844 };

async function member(
  h: Harness,
  token: string,
  options: { javaScriptEnabled?: boolean } = {}
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await h.browser.newContext({ viewport: PHONE, ...options });
  await context.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
  return { context, page: await context.newPage() };
}

async function newThread(token: string, title: string): Promise<string> {
  const res = await apiPost<{ thread: { id: string } }>(
    h,
    '/boards/bmet/threads',
    { kind: 'question', title, body: 'Downstream occlusion at every start. New set, clamp open.' },
    token
  );
  return res.thread.id;
}

const elements = (page: Page) => page.evaluate(() => document.querySelectorAll('*').length);

describe('never lose a word', () => {
  it('keeps a reply through a dropped connection and a reload, asks before leaving, and clears the draft once posted', async () => {
    const asker = await registerMember(h, `asker${Date.now().toString(36)}`);
    const helper = await registerMember(h, `helper${Date.now().toString(36)}`);
    const threadId = await newThread(asker.token, 'Alaris 8015 occlusion alarm after a tubing change');
    const { context, page } = await member(h, helper.token);
    await open(page, `${h.server.origin}/t/${threadId}`);
    const box = page.getByLabel('Reply to the thread');
    await box.fill('Check the door sensor first: reseat its connector.');
    // Typing is saved a moment after it pauses.
    await page.getByText('Draft saved.').waitFor();

    // A reload mid-draft brings it back, said so, with a way to discard it.
    await page.reload();
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await expect(box.inputValue()).resolves.toBe('Check the door sensor first: reseat its connector.');
    await page.getByText(/Your draft from .* is back/).waitFor();

    // The connection drops as it is sent: the text stays, the reason is said at the form, and
    // Try again sends it once the signal is back.
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Post reply' }).click();
    const failed = page.locator('.send-failed');
    await failed.waitFor();
    await expect(failed.textContent()).resolves.toContain('You are offline, so nothing was sent');
    await expect(box.inputValue()).resolves.toBe('Check the door sensor first: reseat its connector.');
    await expect(page.getByRole('heading', { name: /Alaris 8015/ }).isVisible()).resolves.toBe(true);
    await shot(page, 'reply-offline-390');

    // Leaving with unsent text asks first; dismissing the question stays on the page.
    await context.setOffline(false);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'BMET Bench & Field Service' }).first().click();
    await expect.poll(() => asked).toContain('Leave this page?');
    expect(new URL(page.url()).pathname).toBe(`/t/${threadId}`);

    await failed.getByRole('button', { name: 'Try again' }).click();
    await page.waitForURL(/#p\d+$/);
    await page.locator('li.post[data-depth="1"]').getByText('reseat its connector').waitFor();
    await expect(box.inputValue()).resolves.toBe('');
    // Posted: the draft is gone, so a reload brings nothing back and leaving asks nothing.
    await page.reload();
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await expect(box.inputValue()).resolves.toBe('');
    await expect(page.getByText(/Your draft from/).count()).resolves.toBe(0);
    await context.close();
  });

  it('keeps a new thread (title and details) through a reload, and drafts are the member’s own', async () => {
    const a = await registerMember(h, `drafta${Date.now().toString(36)}`);
    const b = await registerMember(h, `draftb${Date.now().toString(36)}`);
    const { context, page } = await member(h, a.token);
    await open(page, `${h.server.origin}/b/bmet/new`);
    await page.getByLabel('Title').fill('Zoll R Series fails its energy test at 200 J');
    await page.getByLabel('Details', { exact: true }).fill('Analyzer reads 168 J.');
    await page.getByText('Draft saved.').waitFor();
    await page.reload();
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Zoll R Series fails its energy test at 200 J');
    await expect(page.getByLabel('Details', { exact: true }).inputValue()).resolves.toBe('Analyzer reads 168 J.');

    // Another member at the same browser (a shared workstation) finds nothing of it.
    await context.clearCookies();
    await context.addCookies([{ name: 'session', value: b.token, url: h.server.origin }]);
    await open(page, `${h.server.origin}/b/bmet/new`);
    await expect(page.getByLabel('Details', { exact: true }).inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('');
    await context.close();
  });
});

describe('@mention suggestions', () => {
  it('suggests the thread’s people first as one types @, and arrow keys and Enter or a tap insert the name', async () => {
    const tag = Date.now().toString(36);
    const asker = await registerMember(h, `okafor${tag}`, 'Sam Okafor');
    await registerMember(h, `okapi${tag}`, 'Okapi Outsider');
    const writer = await registerMember(h, `writer${tag}`);
    const threadId = await newThread(asker.token, `Infusion pump keeps alarming ${tag}`);
    const { context, page } = await member(h, writer.token);
    await open(page, `${h.server.origin}/t/${threadId}`);
    const box = page.getByLabel('Reply to the thread');
    await box.click();
    await box.pressSequentially(`Thanks @oka`);
    const list = page.getByRole('listbox', { name: 'People to mention' });
    await list.waitFor();
    const options = list.getByRole('option');
    // The asker (in the thread) before the outsider; both match the typed prefix.
    await expect(options.nth(0).textContent()).resolves.toContain(`@okafor${tag}`);
    await expect(options.nth(0).textContent()).resolves.toContain('in this thread');
    await expect(box.getAttribute('aria-activedescendant')).resolves.toBe((await options.nth(0).getAttribute('id'))!);
    await shot(page, 'mention-suggestions-390');
    await page.keyboard.press('ArrowDown');
    await expect(options.nth(1).getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect(box.inputValue()).resolves.toBe(`Thanks @okafor${tag} `);
    await expect(list.count()).resolves.toBe(0);

    // Escape closes the list and keeps the text; a tap on a suggestion inserts it too.
    await box.pressSequentially('and @okap');
    await list.waitFor();
    await page.keyboard.press('Escape');
    await expect(list.count()).resolves.toBe(0);
    await expect(box.inputValue()).resolves.toBe(`Thanks @okafor${tag} and @okap`);
    await box.pressSequentially('i');
    await list.getByRole('option', { name: new RegExp(`@okapi${tag}`) }).click();
    await expect(box.inputValue()).resolves.toBe(`Thanks @okafor${tag} and @okapi${tag} `);
    // No suggestions inside code or an e-mail address.
    await box.pressSequentially('mail sam@oka');
    await page.waitForTimeout(400);
    await expect(list.count()).resolves.toBe(0);
    await context.close();
  });
});

describe('a big thread is light for a member', () => {
  it('renders a 200-post thread signed in with at most 1.5x the elements of the same page signed out, one form open at a time', async () => {
    const asker = await registerMember(h, `big${Date.now().toString(36)}`);
    const other = await registerMember(h, `bigb${Date.now().toString(36)}`);
    const threadId = await newThread(asker.token, 'Two hundred replies on one infusion pump');
    let parent: string | undefined;
    for (let i = 0; i < 200; i++) {
      const res = await apiPost<{ post: { id: string } }>(
        h,
        `/threads/${threadId}/posts`,
        {
          body: `Reply ${i}: check the **door sensor**, then run the occlusion test.`,
          ...(i % 3 === 1 && parent ? { parentId: parent } : {})
        },
        i % 2 === 0 ? other.token : asker.token
      );
      parent = res.post.id;
    }
    const anon = await h.browser.newContext({ viewport: PHONE });
    const anonPage = await anon.newPage();
    await open(anonPage, `${h.server.origin}/t/${threadId}`);
    const signedOut = await elements(anonPage);
    await anon.close();

    // The asker: Accept on every reply, Edit and Delete on half of them, votes on the rest.
    const { context, page } = await member(h, asker.token);
    await open(page, `${h.server.origin}/t/${threadId}`);
    const signedIn = await elements(page);
    // The first page: 50 posts of the 201, then "Load more replies".
    expect(await page.locator('li.post').count()).toBe(50);
    await page.getByRole('link', { name: 'Load more replies' }).waitFor();
    expect(signedIn / signedOut).toBeLessThanOrEqual(1.5);
    // No hidden forms: the only textarea is the thread's own reply box.
    await expect(page.locator('textarea').count()).resolves.toBe(1);

    // Reply opens one form on that post; Reply on another moves it there.
    const posts = page.locator('ol.tree > li.post');
    await posts.nth(3).locator('[data-act="reply"]').click();
    await expect(
      posts
        .nth(3)
        .getByRole('textbox')
        .evaluate((el) => el === document.activeElement)
    ).resolves.toBe(true);
    await expect(page.locator('[data-panel]').count()).resolves.toBe(1);
    await posts.nth(5).locator('[data-act="edit"], [data-act="report"]').first().click();
    await expect(page.locator('[data-panel]').count()).resolves.toBe(1);
    await expect(posts.nth(5).locator('[data-panel]').count()).resolves.toBe(1);
    await expect(posts.nth(3).locator('[data-act="reply"]').getAttribute('aria-expanded')).resolves.toBe('false');
    await shot(page, 'big-thread-panel-390');
    // Every control in a post is a comfortable tap.
    const small = await page.evaluate(
      () =>
        [...document.querySelectorAll('li.post:nth-child(-n+8) :is(a.act, button, summary)')]
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.width > 0 && (r.width < 44 || r.height < 44)).length
    );
    expect(small).toBe(0);
    await context.close();
  });
});

describe('without JavaScript', () => {
  it('a reply opens its own page, and forms that stay on the thread return to a clean address', async () => {
    const asker = await registerMember(h, `nojs${Date.now().toString(36)}`);
    const reader = await registerMember(h, `nojsb${Date.now().toString(36)}`);
    const threadId = await newThread(asker.token, 'Spacelabs monitor loses its ECG trace');
    const { context, page } = await member(h, reader.token, { javaScriptEnabled: false });
    await page.goto(`${h.server.origin}/t/${threadId}`);
    const op = page.locator('li.post[data-depth="0"]');
    await op.locator('[data-act="reply"]').click();
    await page.waitForURL(/\/t\/\d+\/post\/\d+\/reply$/);
    await page.getByRole('heading', { name: /^Reply to / }).waitFor();
    await shot(page, 'nojs-reply-page-390');
    await page.getByLabel('Your reply').fill('Replace the lead set; the trunk cable was cracked.');
    await page.getByRole('button', { name: 'Post reply' }).click();
    await page.waitForURL(/\/t\/\d+\?at=\d+#p\d+$/);
    await page.getByText('the trunk cable was cracked').waitFor();

    // A report stays on the thread: said there, and the address is the thread's, not ?/report.
    await op.locator('[data-act="report"]').click();
    await page.waitForURL(/\/report$/);
    await page.getByLabel('What is wrong with it?').selectOption('spam');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('Reported. A moderator will look at it.').first().waitFor();
    expect(page.url()).not.toContain('?/');
    // The message was said once: a reload does not repeat it (nor send the report again).
    await page.reload();
    await expect(page.getByText('Reported. A moderator will look at it.').count()).resolves.toBe(0);
    await context.close();
  });
});
