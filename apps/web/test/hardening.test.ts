import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrated, open, registerMember, shot, useServerAndBrowser, apiPost } from './harness.ts';
import { startServer, type RunningServer } from './server.ts';

/** The web pages fed broken paths and bodies, their security headers, and a strict CSP that the app lives with. */
const h = useServerAndBrowser();

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${h.server.origin}${path}`, { headers, redirect: 'manual' });
}

describe('hostile paths and bodies on the web pages', () => {
  it('answers broken paths, cursors and ids with 4xx pages, never 5xx', async () => {
    const { token, user } = await registerMember(h, `hostile${Date.now().toString(36)}`);
    const { thread } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/general/threads',
      { title: 'Paths under test', body: 'x' },
      token
    );
    const paths = [
      '/t/%00',
      '/b/a%00b',
      `/u/${'x'.repeat(3000)}`,
      `/b/${'x'.repeat(3000)}`,
      `/t/${'9'.repeat(3000)}`,
      '/b/%ff',
      '/u/%e0%80%80',
      '/tags/%00',
      `/equipment/${'m'.repeat(500)}/x`,
      `/b/general?cursor=${b64([false, '2024-02-30T00:00:00.000Z', 1])}`,
      `/b/general?sort=top&cursor=${b64(['0000-01-01T00:00:00.000Z', 1])}`,
      `/b/general?cursor=%00`,
      `/t/${thread.id}?cursor=${b64(["0' or 1=1"])}`,
      `/t/${thread.id}?subtree=%00`,
      `/t/${thread.id}?at=${'1'.repeat(400)}`,
      `/u/${user.id}?cursor=x`,
      '/t/1.5',
      '/t/-1'
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
      expect(await res.text(), path).not.toMatch(/at .*\.js:\d+/);
    }
  });

  it('refuses malformed bodies to form actions with 4xx', async () => {
    const { token } = await registerMember(h, `bodies${Date.now().toString(36)}`);
    const { thread } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/general/threads',
      { title: 'Bodies under test', body: 'x' },
      token
    );
    const actions = [
      '/login',
      '/register',
      '/settings?/board',
      `/t/${thread.id}?/reply`,
      '/b/general/new',
      `/t/${thread.id}?/vote`,
      '/logout'
    ];
    const bodies: [string, string | undefined][] = [
      ['{"login":"x"}', 'application/json'],
      ['--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', 'multipart/form-data; boundary=x'],
      ['--zz\r\nbroken', 'multipart/form-data'],
      ['a=%ff%fe&b=%', 'application/x-www-form-urlencoded'],
      ['\u0000\u0001', undefined],
      ['body=text', 'text/plain']
    ];
    for (const path of actions) {
      for (const [body, type] of bodies) {
        for (const cookie of [undefined, `session=${token}`]) {
          const headers: Record<string, string> = { origin: h.server.origin };
          if (type !== undefined) headers['content-type'] = type;
          if (cookie !== undefined) headers.cookie = cookie;
          const res = await fetch(`${h.server.origin}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
          expect(res.status, `${path} ${type} ${body.slice(0, 20)}`).toBeLessThan(500);
        }
      }
    }
    // A form field sent as a file where text is expected is no 500 either.
    const form = new FormData();
    form.set('body', new Blob(['a file']), 'reply.txt');
    const res = await fetch(`${h.server.origin}/t/${thread.id}?/reply`, {
      method: 'POST',
      body: form,
      headers: { origin: h.server.origin, cookie: `session=${token}` },
      redirect: 'manual'
    });
    expect(res.status).toBeLessThan(500);
  });
});

describe('security headers', () => {
  it('sends a strict CSP (the inline bootstrap by hash), Permissions-Policy and nosniff on pages and assets', async () => {
    const res = await get('/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'sha256-[^']+'/);
    expect(csp).not.toContain('nonce-');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/img-src 'self' data:(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    const asset = /\/_app\/immutable\/[^"]+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const js = await get(asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    // Without NODE_ENV=production and HTTPS there is no HSTS (it would pin a plain-http site).
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('runs every page without a CSP violation, the live socket and the preview included', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`Refused to: ${e.violatedDirective} ${e.blockedURI}`));
    });
    const name = `csp${Date.now().toString(36)}`;
    const { token } = await registerMember(h, name);
    const { thread, post } = await apiPost<{ thread: { id: string }; post: { id: string } }>(
      h,
      '/boards/bmet/threads',
      { title: 'CSP thread with a nested tree', body: 'Opening **post** with ![a picture](data:image/gif;base64,R0lGODlhAQABAAAAACw=)' },
      token
    );
    let parent = post.id;
    for (let i = 0; i < 4; i++)
      parent = (await apiPost<{ post: { id: string } }>(h, `/threads/${thread.id}/posts`, { body: `level ${i}`, parentId: parent }, token))
        .post.id;
    await context.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
    for (const path of ['/', '/b/bmet', `/t/${thread.id}`, '/b/bmet/new', '/notifications', '/settings', `/u/${name}`]) {
      await open(page, `${h.server.origin}${path}`);
    }
    await open(page, `${h.server.origin}/b/bmet/new`);
    await page.getByLabel('Title').fill('Preview check');
    await page.locator('textarea').first().fill('**bold** and `code`');
    await page.getByRole('tab', { name: 'Preview' }).click();
    await page.locator('.prose strong', { hasText: 'bold' }).waitFor();
    await open(page, `${h.server.origin}/t/${thread.id}`);
    await hydrated(page);
    // The tree is indented without inline styles.
    const indents = await page.locator('li.post').evaluateAll((els) => els.map((e) => getComputedStyle(e).paddingLeft));
    expect(new Set(indents).size).toBeGreaterThan(3);
    await shot(page, 'csp-thread');
    expect(violations).toEqual([]);
    await context.close();
  });
});

describe('in production behind a TLS proxy', () => {
  let prod: RunningServer;
  beforeAll(async () => {
    prod = await startServer({ NODE_ENV: 'production', TRUST_PROXY: 'true' });
  });
  afterAll(async () => prod?.stop());

  it('marks the web login cookie Secure like the API’s, and sends HSTS over HTTPS', async () => {
    const username = `prod${Date.now().toString(36)}`;
    const reg = await fetch(`${prod.origin}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@hospital.example`, password: 'occlusion alarm at 3am', profession: 'BMET' })
    });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('set-cookie')).toMatch(/Secure/);
    const form = new URLSearchParams({ login: username, password: 'occlusion alarm at 3am' });
    const https = { 'x-forwarded-proto': 'https', 'x-forwarded-host': new URL(prod.origin).host };
    const login = await fetch(`${prod.origin}/login`, {
      method: 'POST',
      body: form,
      headers: {
        ...https,
        accept: 'text/html',
        origin: `https://${new URL(prod.origin).host}`,
        'content-type': 'application/x-www-form-urlencoded'
      },
      redirect: 'manual'
    });
    expect(login.status).toBe(303);
    const cookies = login.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('session='));
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('device='))).toMatch(/; Secure/i);
    const page = await fetch(`${prod.origin}/`, { headers: https });
    expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const api = await fetch(`${prod.origin}/api/v1/boards`, { headers: https });
    expect(api.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    // Several proxies' values in one header: the nearest one's (last) counts, and the page renders.
    const chained = await fetch(`${prod.origin}/`, { headers: { 'x-forwarded-proto': 'https, http' } });
    expect(chained.status).toBe(200);
    expect(chained.headers.get('strict-transport-security')).toBeNull();
  });

  it('ignores X-Forwarded-Proto and -Host from a peer that is not a trusted proxy', async () => {
    const listed = await startServer({ NODE_ENV: 'production', TRUST_PROXY: '10.0.0.0/8' });
    try {
      const res = await fetch(`${listed.origin}/`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(await res.text()).not.toContain('evil.example');
    } finally {
      await listed.stop();
    }
  });
});
