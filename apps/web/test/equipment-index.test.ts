import { describe, expect, it } from 'vitest';
import { apiPost, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

describe('discovery pages: equipment, manufacturers, tags, sorted lists and duplicates', () => {
  it('walks from the equipment index to a model and back by the breadcrumb, with latest, unanswered and solved lists', async () => {
    const tag = Date.now().toString(36);
    const maker = `Medix${tag}`;
    const asker = await registerMember(h, `eq${tag}`);
    const helper = await registerMember(h, `eqh${tag}`);
    const equipment = (model: string | null) => ({ manufacturer: maker, model, category: null, errorCode: null });
    const { thread: solved } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      {
        title: `Occlusion alarm on the V2 pump ${tag}`,
        body: 'Every start.',
        kind: 'question',
        equipment: equipment('V2'),
        tags: [`pumps${tag}`]
      },
      asker.token
    );
    const { post } = await apiPost<{ post: { id: string } }>(
      h,
      `/threads/${solved.id}/posts`,
      { body: 'Replace the door seal.' },
      helper.token
    );
    await apiPost(h, `/threads/${solved.id}/solution`, { postId: post.id }, asker.token);
    const { thread: waiting } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      {
        title: `V2 pump screen flickers ${tag}`,
        body: 'No answer yet.',
        kind: 'question',
        equipment: equipment('V2'),
        tags: [`pumps${tag}`]
      },
      asker.token
    );

    const page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The home page leads to the indexes.
    await open(page, `${h.server.origin}/`);
    await page.getByRole('navigation', { name: 'Browse' }).getByRole('link', { name: 'Equipment' }).click();
    await page.waitForURL(/\/equipment$/);
    await open(page, `${h.server.origin}/equipment`);
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: maker }) });
    await expect(card.textContent()).resolves.toMatch(/2 threads · 1 solved · 1 model/);
    await shot(page, 'equipment-index');
    await card.getByRole('link', { name: maker }).click();
    await page.waitForURL(new RegExp(`/equipment/${maker.toLowerCase()}$`));
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(maker);
    await expect(
      page
        .getByRole('list', { name: 'Threads about' + ` ${maker} equipment` })
        .getByRole('listitem')
        .count()
    ).resolves.toBe(2);
    await page.getByRole('navigation', { name: 'Sort threads' }).getByRole('link', { name: 'Unanswered' }).click();
    await page.waitForURL(/sort=unanswered/);
    const list = page.getByRole('list', { name: `Threads about ${maker} equipment` });
    await expect(list.getByRole('link', { name: `V2 pump screen flickers ${tag}` }).isVisible()).resolves.toBe(true);
    await expect(list.getByRole('listitem').count()).resolves.toBe(1);
    await shot(page, 'manufacturer');

    await page
      .getByRole('list', { name: `Models of ${maker}` })
      .getByRole('link', { name: 'V2' })
      .click();
    await page.waitForURL(/\/equipment\/.+\/v2$/);
    await page.getByRole('navigation', { name: 'Sort threads' }).getByRole('link', { name: 'Solved' }).click();
    await page.waitForURL(/sort=solved/);
    const modelList = page.getByRole('list', { name: new RegExp(`Threads about the ${maker} V2`) });
    await expect(modelList.getByRole('listitem').count()).resolves.toBe(1);
    await expect(modelList.getByRole('link', { name: `Occlusion alarm on the V2 pump ${tag}` }).isVisible()).resolves.toBe(true);
    // Every breadcrumb element links, up to the page itself.
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    await expect(crumbs.getByRole('link').allTextContents()).resolves.toEqual(['Boards', 'Equipment', maker]);
    await crumbs.getByRole('link', { name: 'Equipment' }).click();
    await page.waitForURL(/\/equipment$/);

    // The tag index, a tag's lists, and the thread page's equipment linking to its pages.
    await open(page, `${h.server.origin}/tags?q=pumps${tag}`);
    await page
      .getByRole('list', { name: /Tags starting with/ })
      .getByRole('link', { name: `pumps${tag}`, exact: true })
      .click();
    await page.waitForURL(new RegExp(`/tags/pumps${tag}$`));
    await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link').allTextContents()).resolves.toEqual([
      'Boards',
      'Tags'
    ]);
    await page.getByRole('navigation', { name: 'Sort threads' }).getByRole('link', { name: 'Unanswered' }).click();
    await page.waitForURL(/sort=unanswered/);
    await expect(
      page
        .getByRole('list', { name: `Threads tagged pumps${tag}` })
        .getByRole('listitem')
        .count()
    ).resolves.toBe(1);
    await open(page, `${h.server.origin}/t/${waiting.id}`);
    await expect(page.getByRole('link', { name: maker, exact: true }).first().getAttribute('href')).resolves.toBe(
      `/equipment/${maker.toLowerCase()}`
    );

    await page.setViewportSize({ width: 390, height: 844 });
    const phonePages: [string, string][] = [
      ['/equipment', 'equipment-index-phone'],
      [`/equipment/${maker.toLowerCase()}`, 'manufacturer-phone'],
      [`/equipment/${maker.toLowerCase()}/v2?sort=solved`, 'model-phone'],
      ['/tags', 'tags-phone']
    ];
    for (const [path, name] of phonePages) {
      await open(page, `${h.server.origin}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
      await shot(page, name);
    }
  });

  it('lets a moderator close a thread as a duplicate: it links to the original, and search sends readers there', async () => {
    const tag = Date.now().toString(36);
    const asker = await registerMember(h, `dup${tag}`);
    const mod = await registerMember(h, `dupmod${tag}`);
    await h.server.setRole(`dupmod${tag}`, 'moderator');
    const { thread: original } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      { title: `Ventilator O2 cell calibration fails ${tag}`, body: 'Cell reads low.', kind: 'question' },
      asker.token
    );
    const { thread: dup } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      { title: `O2 cell will not calibrate ${tag}`, body: 'Same cell problem.', kind: 'question' },
      asker.token
    );
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'session', value: mod.token, url: h.server.origin }]);
    const page = await context.newPage();
    await open(page, `${h.server.origin}/t/${dup.id}`);
    await page.locator('#moderate summary').click();
    await page.getByLabel('Original thread (its address or number)').fill(`${h.server.origin}/t/${original.id}?at=1`);
    await page.getByRole('button', { name: 'Close as duplicate' }).click();
    const banner = page.getByRole('note').filter({ hasText: 'Closed as a duplicate' });
    await banner.waitFor();
    await expect(banner.getByRole('link', { name: `Ventilator O2 cell calibration fails ${tag}` }).getAttribute('href')).resolves.toBe(
      `/t/${original.id}`
    );
    await expect(page.locator('.badge.locked').isVisible()).resolves.toBe(true);
    await shot(page, 'thread-duplicate');

    await open(page, `${h.server.origin}/search?q=${encodeURIComponent(`calibrate ${tag}`)}`);
    const hit = page
      .getByRole('list', { name: /Results for/ })
      .getByRole('listitem')
      .first();
    await expect(
      hit.getByRole('link', { name: `O2 cell will not calibrate ${tag} (opens the original thread)` }).getAttribute('href')
    ).resolves.toBe(`/t/${original.id}`);
    // The counts beside the filters.
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/2 threads/);
    await expect(page.getByLabel('Answered').locator('option', { hasText: 'Not solved yet' }).textContent()).resolves.toContain('(2)');
  });

  it('lets a global moderator merge one manufacturer into another: the threads move, the old link leads there, and the log says so', async () => {
    const tag = Date.now().toString(36);
    const maker = `Medix${tag}`;
    const typo = `Medix ${tag} Inc`;
    const asker = await registerMember(h, `mg${tag}`);
    const mod = await registerMember(h, `mgmod${tag}`);
    await h.server.setRole(`mgmod${tag}`, 'moderator');
    const equipment = (manufacturer: string) => ({ manufacturer, model: 'V9', category: null, errorCode: null });
    await apiPost(h, '/boards/bmet/threads', { title: `V9 alarm ${tag}`, body: 'Beeps.', equipment: equipment(maker) }, asker.token);
    await apiPost(h, '/boards/bmet/threads', { title: `V9 door ${tag}`, body: 'Sticks.', equipment: equipment(typo) }, asker.token);

    // Members see no merge tool.
    const member = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    await member.addCookies([{ name: 'session', value: asker.token, url: h.server.origin }]);
    const mp = await member.newPage();
    const typoSlug = `medix-${tag}-inc`;
    await open(mp, `${h.server.origin}/equipment/${typoSlug}`);
    await expect(mp.getByText('Merge this manufacturer into another').count()).resolves.toBe(0);

    const ctx = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.setDefaultTimeout(5000);
    await ctx.addCookies([{ name: 'session', value: mod.token, url: h.server.origin }]);
    const page = await ctx.newPage();
    await open(page, `${h.server.origin}/equipment/${typoSlug}`);
    await page.getByText('Merge this manufacturer into another').click();
    // A name the forum does not know is refused beside the field, and nothing moves.
    await page.getByLabel('Other manufacturer').fill('Nobody Makes This');
    await page.getByRole('button', { name: 'Merge' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'The forum knows no manufacturer by that name. Pick one from the suggestions.'
    );
    await expect(page.getByLabel('Other manufacturer').inputValue()).resolves.toBe('Nobody Makes This');
    await shot(page, 'merge-refused-phone');
    await page.getByLabel('Other manufacturer').fill(maker);
    await page.getByLabel('Reason (optional, kept in the moderation log)').fill('same company');
    await page.getByRole('button', { name: 'Merge' }).click();
    await page.waitForURL(`${h.server.origin}/equipment/${maker.toLowerCase()}`);
    await expect(
      page
        .getByRole('status')
        .filter({ hasText: `Merged into ${maker}.` })
        .count()
    ).resolves.toBe(1);
    await expect(page.locator('.record-facts').textContent()).resolves.toMatch(/1\s*model\s*2\s*threads/);
    await shot(page, 'merge-done-phone');

    // The old link leads to the survivor, for anyone.
    await open(mp, `${h.server.origin}/equipment/${typoSlug}/v9`);
    expect(mp.url()).toBe(`${h.server.origin}/equipment/${maker.toLowerCase()}/v9`);
    await expect(mp.locator('h1').textContent()).resolves.toBe('V9');

    await open(page, `${h.server.origin}/mod/log`);
    const row = page.locator('li, tr').filter({ hasText: 'Merged manufacturers' }).first();
    await expect(row.textContent()).resolves.toContain(`"${typo}" merged into "${maker}": same company`);
    await ctx.close();
    await member.close();
  });
});
