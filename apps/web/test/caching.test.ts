import { describe, expect, it } from 'vitest';
import { apiPost, registerMember, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

describe('what anonymous readers are served', () => {
  it('is rendered once and kept until a write changes it, with headers a shared cache can follow', async () => {
    const page = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${h.server.origin}${path}`, { headers });
      return { res, text: await res.text() };
    };
    const first = await page('/');
    expect(first.res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
    expect(first.res.headers.get('vary')).toMatch(/Cookie/);
    const etag = first.res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect((await page('/')).res.headers.get('etag')).toBe(etag);
    expect((await fetch(`${h.server.origin}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    // A new thread: the home page is rendered anew, for the next anonymous reader too.
    const name = `cache${Date.now().toString(36)}`;
    const member = await registerMember(h, name, 'Casey Cache');
    await apiPost(
      h,
      '/boards/bmet/threads',
      { title: 'Kept pages follow the writes: Spacelabs 91369', body: 'Network card.' },
      member.token
    );
    const after = await page('/');
    expect(after.text).toContain('Kept pages follow the writes');
    expect(after.res.headers.get('etag')).not.toBe(etag);
    expect((await fetch(`${h.server.origin}/`, { headers: { 'if-none-match': etag } })).status).toBe(200);

    // A member's page is theirs: never marked for a shared cache, never served to anyone else.
    const mine = await page('/', { cookie: `session=${member.token}` });
    expect(mine.res.headers.get('cache-control')).toBe('private, no-cache');
    expect(mine.text).toContain('Log out');
    const anonymous = await page('/');
    expect(anonymous.text).not.toContain('Log out');
    expect(anonymous.text).toContain('Log in');

    // The API alike: anonymous reads are public, a signed-in one is nobody's to keep.
    const boards = await fetch(`${h.server.origin}/api/v1/boards`);
    expect(boards.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=10, stale-while-revalidate=60');
    expect(boards.headers.get('vary')).toBe('Accept-Encoding, Authorization, Cookie');
    const signedIn = await fetch(`${h.server.origin}/api/v1/boards`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
  });

  it('compresses pages and JSON as the client asks', async () => {
    const html = await fetch(`${h.server.origin}/b/bmet`, { headers: { 'accept-encoding': 'br' } });
    expect(html.headers.get('content-encoding')).toBe('br');
    const member = await registerMember(h, `gz${Date.now().toString(36)}`);
    // A signed-in answer is compressed too, by the same middleware as the pages.
    const json = await fetch(`${h.server.origin}/api/v1/openapi.json`, {
      headers: { 'accept-encoding': 'gzip', authorization: `Bearer ${member.token}` }
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-encoding')).toBe('gzip');
    expect(((await json.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });

  it('carries each post’s body once, as HTML, except where the reader may edit it', async () => {
    const author = await registerMember(h, `hy${Date.now().toString(36)}`);
    const created = (await apiPost(
      h,
      '/boards/bmet/threads',
      { title: 'Hydration holds bodies once: Zoll R Series', body: 'Check the **paddle cable** and the ~~old~~ battery.' },
      author.token
    )) as { thread: { id: string } };
    const path = `/t/${created.thread.id}`;
    const anonymous = await (await fetch(`${h.server.origin}${path}`)).text();
    expect(anonymous).toContain('<strong>paddle cable</strong>');
    expect(anonymous).not.toContain('**paddle cable**');
    // The description is still made from the markdown, on the server.
    expect(anonymous).toContain('content="Check the paddle cable and the old battery."');
    const own = await (await fetch(`${h.server.origin}${path}`, { headers: { cookie: `session=${author.token}` } })).text();
    expect(own).toContain('**paddle cable**');
  });

  it('checks a member’s session once per page, and lends that check to nobody outside the process', async () => {
    const member = await registerMember(h, `ref${Date.now().toString(36)}`);
    // The web app's in-process calls borrow the first call's check; over the network the header
    // that names one is dropped before the API sees it, so no ref is ever handed out.
    const res = await fetch(`${h.server.origin}/api/v1/me`, {
      headers: { authorization: `Bearer ${member.token}`, 'x-bmet-session-ref': 'new' }
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-bmet-session-ref')).toBeNull();
    // The bell comes with /me: a signed-in page renders it without asking for notifications.
    expect(((await res.json()) as { notifications: unknown }).notifications).toEqual({ unread: 0, latestId: null });
    const page = await fetch(`${h.server.origin}/b/bmet`, { headers: { cookie: `session=${member.token}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-bmet-session-ref')).toBeNull();
    expect(await page.text()).toContain('Log out');
  });
});
