import { describe, expect, it } from 'vitest';
import { hydrated, open, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

describe('a BMET asks and a reply tree grows', () => {
  it('registers, opens a thread with equipment, replies twice nested, and sees the indented tree', async () => {
    const page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const name = `bmet${Date.now().toString(36)}`;

    await open(page, `${h.server.origin}/`);
    await expect(page.getByRole('heading', { name: 'Boards' }).isVisible()).resolves.toBe(true);
    await shot(page, 'home');

    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Email').fill(`${name}@hospital.example`);
    await page.getByLabel('Password').fill('occlusion alarm at 3am');
    await page.getByLabel('Profession').selectOption('BMET');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${h.server.origin}/`);
    await expect(page.locator('header').getByText(name).isVisible()).resolves.toBe(true);

    await page.getByRole('link', { name: 'BMET Bench & Field Service' }).click();
    await page.waitForURL(/\/b\/bmet$/);
    await page.getByRole('link', { name: 'New thread' }).click();
    await page.waitForURL(/\/b\/bmet\/new$/);
    await page.getByLabel('Question: something needs fixing').check();
    await page.getByLabel('Title').fill('Alaris 8015 downstream occlusion alarm after tubing change');
    await page.getByLabel('Manufacturer').fill('BD');
    await page.getByLabel('Model').fill('Alaris 8015');
    await page.getByLabel('Category', { exact: true }).selectOption('Infusion pump');
    await page.getByLabel('Error code').fill('255-10-820');
    await page.getByLabel('Details').fill('Every start gives **downstream occlusion**. New set, clamp open.');
    await shot(page, 'new-thread');
    await page.getByRole('button', { name: 'Post thread' }).click();
    await page.waitForURL(/\/t\/\d+/);
    await expect(page.getByRole('heading', { name: /Alaris 8015 downstream/ }).isVisible()).resolves.toBe(true);

    // Reply to the opening post from its own reply control. The page's reload after posting is
    // held back, as on a busy server: the reply shows up first through the live socket.
    let releaseReload!: () => void;
    const reloadHeld = new Promise<void>((resolve) => (releaseReload = resolve));
    await page.route(/\/t\/\d+\/__data\.json/, async (route) => {
      await reloadHeld;
      await route.continue();
    });
    const op = page.locator('li.post[data-depth="0"]');
    await op.locator('[data-act="reply"]').click();
    await op.getByRole('textbox').fill('Check the **door sensor** and the pressure transducer.');
    await op.getByRole('button', { name: 'Post reply' }).click();
    await page.locator('li.post[data-depth="1"]').waitFor();

    // Reply to that reply, opened before the reload lands: the reload must not close it.
    const first = page.locator('li.post[data-depth="1"]');
    await first.locator('[data-act="reply"]').click();
    releaseReload();
    await page.waitForURL(/#p\d+$/);
    await page.unroute(/\/t\/\d+\/__data\.json/);
    // One form open in the whole thread: the reply opened on the first reply, none on the opening post.
    await expect(first.locator('[data-panel="reply"]').count()).resolves.toBe(1);
    await expect(op.locator('[data-panel="reply"]:not(li.post li.post [data-panel])').count()).resolves.toBe(0);
    await first.getByRole('textbox').fill('Door sensor was it: reseated the connector, alarm gone.');
    await first.getByRole('button', { name: 'Post reply' }).click();
    await page.locator('li.post[data-depth="2"]').waitFor();

    const posts = page.locator('ol.tree > li.post');
    await expect(posts.count()).resolves.toBe(3);
    const depths = await posts.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-depth'))));
    expect(depths).toEqual([0, 1, 2]);
    const ids = await posts.evaluateAll((els) => els.map((el) => el.id.slice(1)));
    const parents = await posts.evaluateAll((els) => els.map((el) => el.getAttribute('data-parent')));
    expect(parents).toEqual(['', ids[0], ids[1]]);
    // The tree is visibly indented: each level starts further right.
    const lefts = await posts.evaluateAll((els) => els.map((el) => el.querySelector('.post-card')!.getBoundingClientRect().left));
    expect(lefts[1]!).toBeGreaterThan(lefts[0]!);
    expect(lefts[2]!).toBeGreaterThan(lefts[1]!);
    await expect(page.locator('li.post[data-depth="1"] strong', { hasText: 'door sensor' }).isVisible()).resolves.toBe(true);
    await shot(page, 'thread');

    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'thread-phone');
    await open(page, `${h.server.origin}/b/bmet`);
    await shot(page, 'board-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, 'board');
    await open(page, `${h.server.origin}/t/99999999`);
    await expect(page.getByRole('heading', { name: 'We could not find that page' }).isVisible()).resolves.toBe(true);
    await shot(page, 'not-found');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${h.server.origin}/`);
    await open(page, `${h.server.origin}/register`);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Email').fill(`${name}@hospital.example`);
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Password').evaluate((el) => el.removeAttribute('minlength'));
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('.field .error').first().waitFor();
    await shot(page, 'register-errors');
  });

  it('keeps what was typed before the page became interactive (a slow phone)', async () => {
    const name = `slow${Date.now().toString(36)}`;
    const res = await fetch(`${h.server.origin}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.server.origin },
      body: JSON.stringify({ username: name, email: `${name}@hospital.example`, password: 'occlusion alarm at 3am', profession: 'BMET' })
    });
    const { token } = (await res.json()) as { token: string };
    const context = await h.browser.newContext();
    await context.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
    const page = await context.newPage();
    // Hold the app's scripts back so that the form is filled in before hydration.
    await page.route('**/_app/immutable/**', async (route) => {
      await new Promise((done) => setTimeout(done, 1500));
      await route.continue();
    });
    await page.goto(`${h.server.origin}/b/bmet/new`, { waitUntil: 'commit' });
    await page.getByLabel('Title').fill('Typed before the scripts arrived');
    await page.getByLabel('Error code').fill('E-203');
    await page.getByLabel('Details', { exact: true }).fill('Body typed early.');
    await hydrated(page);
    await expect(page.getByLabel('Title').inputValue()).resolves.toBe('Typed before the scripts arrived');
    await expect(page.getByLabel('Error code').inputValue()).resolves.toBe('E-203');
    await expect(page.getByLabel('Details', { exact: true }).inputValue()).resolves.toBe('Body typed early.');
    await context.close();
  });
});
