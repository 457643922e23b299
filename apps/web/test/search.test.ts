import { describe, expect, it } from 'vitest';
import { apiPost, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

describe('search: from the header box to the thread that solved it', () => {
  it('finds a solved thread by its words and its error code, filters, and says what a bad filter is', async () => {
    const tag = Date.now().toString(36);
    const asker = await registerMember(h, `ask${tag}`);
    const helper = await registerMember(h, `fix${tag}`);
    const { thread } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      {
        title: `Alaris 8015 air in line alarm every few minutes ${tag}`,
        body: 'Air in line keeps sounding on the PC unit with a new set. Error 255-10-820 shown once.',
        kind: 'question',
        equipment: { manufacturer: 'BD', model: 'Alaris 8015', category: null, errorCode: '255-10-820' }
      },
      asker.token
    );
    const { post } = await apiPost<{ post: { id: string } }>(
      h,
      `/threads/${thread.id}/posts`,
      { body: 'Clean the upstream air in line sensor with an alcohol swab; fixed ours.' },
      helper.token
    );
    await apiPost(h, `/threads/${thread.id}/solution`, { postId: post.id }, asker.token);
    await apiPost(
      h,
      '/boards/ce/threads',
      { title: `Air in line false alarms ${tag}`, body: 'Since the update: air in line alarms.' },
      asker.token
    );

    const page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, `${h.server.origin}/`);
    await page.getByRole('searchbox', { name: 'Search the forum' }).fill(`air in line ${tag}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const results = page.getByRole('list', { name: /Results for/ }).getByRole('listitem');
    await expect(results.count()).resolves.toBe(2);
    // Solved first.
    await expect(results.first().locator('.badge.solved').isVisible()).resolves.toBe(true);
    await expect(results.first().locator('mark').first().textContent()).resolves.toMatch(/air/i);
    await shot(page, 'search');

    // The query and filters live in the URL: the form narrows, the link shares it.
    await page.getByLabel('Board').selectOption('ce');
    await page.getByRole('form', { name: 'Search and filters' }).getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/board=ce/);
    await expect(results.count()).resolves.toBe(1);
    await expect(
      results
        .first()
        .getByRole('link', { name: `Air in line false alarms ${tag}` })
        .isVisible()
    ).resolves.toBe(true);

    // A part number as typed, marked in the snippet; the title links to the thread.
    await open(page, `${h.server.origin}/search?q=255-10-820`);
    await expect(results.first().locator('mark', { hasText: '255-10-820' }).isVisible()).resolves.toBe(true);
    await results
      .first()
      .getByRole('link', { name: /Alaris 8015 air in line/ })
      .click();
    await page.waitForURL(new RegExp(`/t/${thread.id}`));

    await open(page, `${h.server.origin}/search?q=pump&board=nope`);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('No board is called nope');
    await open(page, `${h.server.origin}/search?q=${encodeURIComponent('"never written anywhere"')}`);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Nothing found');

    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, `${h.server.origin}/search?q=${encodeURIComponent(`air in line ${tag}`)}`);
    const box = await page.getByRole('searchbox', { name: 'Search the forum' }).boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'search-phone');
  });
});
