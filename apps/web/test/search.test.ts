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

describe('discovery: the home page, similar questions, feeds, sitemap and what link previews read', () => {
  it('lists the latest and unanswered threads, suggests duplicates while a title is typed, and serves valid Atom', async () => {
    const tag = Date.now().toString(36);
    const asker = await registerMember(h, `disc${tag}`);
    const helper = await registerMember(h, `help${tag}`);
    const { thread: solved } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      {
        title: `Defibrillator self test fails with code 42 ${tag}`,
        body: 'The **daily self test** fails & shows <code 42>. Pads are new.',
        kind: 'question',
        equipment: { manufacturer: 'Zoll', model: 'R Series', category: null, errorCode: '42' },
        tags: [`defib${tag}`]
      },
      asker.token
    );
    const { post: answer } = await apiPost<{ post: { id: string } }>(
      h,
      `/threads/${solved.id}/posts`,
      { body: 'Replace the battery pack: code 42 is a weak battery.' },
      helper.token
    );
    await apiPost(h, `/threads/${solved.id}/solution`, { postId: answer.id }, asker.token);
    const { thread: open1 } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/ce/threads',
      { title: `Nobody has answered this ventilator question ${tag}`, body: 'Still waiting.', kind: 'question' },
      asker.token
    );

    const browserContext = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    await browserContext.addCookies([{ name: 'session', value: helper.token, url: h.server.origin }]);
    const page = await browserContext.newPage();
    await open(page, `${h.server.origin}/`);
    await expect(
      page
        .getByRole('list', { name: 'Latest threads' })
        .getByRole('link', { name: new RegExp(tag) })
        .count()
    ).resolves.toBe(2);
    const unanswered = page.getByRole('list', { name: 'Unanswered questions' });
    await expect(unanswered.getByRole('link', { name: `Nobody has answered this ventilator question ${tag}` }).isVisible()).resolves.toBe(
      true
    );
    await expect(unanswered.getByRole('link', { name: new RegExp(`Defibrillator.*${tag}`) }).count()).resolves.toBe(0);
    await shot(page, 'home-discovery');

    // New thread from the home page: pick a board, then type a title that was asked before.
    await page.getByRole('link', { name: 'New thread' }).click();
    await page.waitForURL(/\/new$/);
    await page.getByRole('link', { name: /BMET Bench/ }).click();
    await page.waitForURL(/\/b\/bmet\/new$/);
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    await page.getByLabel('Title').pressSequentially(`self test fails code 42 ${tag}`, { delay: 10 });
    const similar = page.getByRole('region', { name: /Already asked/ });
    await similar.waitFor();
    await expect(similar.getByRole('listitem').first().textContent()).resolves.toContain('Solved');
    await expect(similar.getByRole('link', { name: new RegExp(`Defibrillator self test fails`) }).getAttribute('href')).resolves.toBe(
      `/t/${solved.id}`
    );
    await shot(page, 'new-thread-similar');

    // Feeds are advertised and parse as Atom with RFC 4287's required elements.
    const feeds: string[] = [];
    for (const path of [`/b/bmet`, `/tags/defib${tag}`, `/equipment/zoll/r-series`, `/search?q=${encodeURIComponent(`code 42 ${tag}`)}`]) {
      await open(page, `${h.server.origin}${path}`);
      const href = await page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute('href');
      expect(href, path).not.toBeNull();
      feeds.push(href!);
    }
    for (const href of feeds) {
      const report = await page.evaluate(async (url) => {
        const res = await fetch(url);
        const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
        const ns = 'http://www.w3.org/2005/Atom';
        const root = doc.documentElement;
        const kids = (el: Element, name: string) => [...el.children].filter((c) => c.namespaceURI === ns && c.localName === name);
        const entries = kids(root, 'entry');
        return {
          type: res.headers.get('content-type'),
          error: doc.getElementsByTagName('parsererror').length > 0,
          root: root.namespaceURI === ns && root.localName === 'feed',
          feedHas: ['id', 'title', 'updated', 'author'].every((n) => kids(root, n).length === 1),
          self: kids(root, 'link').some((l) => l.getAttribute('rel') === 'self'),
          entries: entries.length,
          entriesHave: entries.every((e) => ['id', 'title', 'updated'].every((n) => kids(e, n).length === 1) && kids(e, 'link').length > 0),
          titles: entries.map((e) => kids(e, 'title')[0]!.textContent),
          updated: entries.map((e) => kids(e, 'updated')[0]!.textContent!)
        };
      }, href);
      expect(report, href).toMatchObject({ error: false, root: true, feedHas: true, self: true, entriesHave: true });
      expect(report.type, href).toContain('application/atom+xml');
      expect(report.entries, href).toBeGreaterThan(0);
      expect(
        report.titles.some((t) => t?.includes(tag)),
        href
      ).toBe(true);
      const times = report.updated.map((u) => Date.parse(u));
      expect(times, `${href} newest first`).toEqual([...times].sort((a, b) => b - a));
    }

    // What search engines and link previews read on a solved question, whatever the link's query.
    await open(page, `${h.server.origin}/t/${solved.id}?at=${answer.id}`);
    await expect(page.title()).resolves.toContain('[Solved] Defibrillator self test fails');
    await expect(page.locator('link[rel="canonical"]').getAttribute('href')).resolves.toBe(`${h.server.origin}/t/${solved.id}`);
    await expect(page.locator('meta[property="og:title"]').getAttribute('content')).resolves.toMatch(/^Solved: Defibrillator/);
    await open(page, `${h.server.origin}/t/${solved.id}`);
    const jsonLd = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(jsonLd['@type']).toBe('QAPage');
    expect(jsonLd.mainEntity.acceptedAnswer.text).toContain('Replace the battery pack');
    await expect(page.locator('meta[name="description"]').getAttribute('content')).resolves.toBe(
      'The daily self test fails & shows <code 42>. Pads are new.'
    );
    await open(page, `${h.server.origin}/t/${open1.id}`);
    await expect(page.locator('script[type="application/ld+json"]').count()).resolves.toBe(0);

    // robots.txt names the sitemap; the sitemap index leads to the threads.
    const robots = await (await fetch(`${h.server.origin}/robots.txt`)).text();
    expect(robots).toContain(`Sitemap: ${h.server.origin}/sitemap.xml`);
    const index = await (await fetch(`${h.server.origin}/sitemap.xml`)).text();
    expect(index).toContain(`${h.server.origin}/sitemaps/0.xml`);
    const first = await (await fetch(`${h.server.origin}/sitemaps/0.xml`)).text();
    expect(first).toContain(`<loc>${h.server.origin}/t/${solved.id}</loc>`);
    expect(first).toContain(`<loc>${h.server.origin}/b/bmet</loc>`);
    expect((await fetch(`${h.server.origin}/sitemaps/999.xml`)).status).toBe(404);

    // Pages come compressed when the client takes it.
    const zipped = await fetch(`${h.server.origin}/t/${solved.id}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(zipped.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    await browserContext.close();
  });
});
