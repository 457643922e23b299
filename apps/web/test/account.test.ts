import { describe, expect, it } from 'vitest';
import { hydrated, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();
const PASSWORD = 'occlusion alarm at 3am';

describe('settings: profile, password and sessions', () => {
  it('saves the profile, changes the password (signing the other sessions out) and ends a session, on a phone', async () => {
    const name = `acct${Date.now().toString(36)}`;
    const member = await registerMember(h, name, 'Dana Ruiz');
    // A second session, from a phone elsewhere.
    const other = await fetch(`${h.server.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/131.0 Mobile Safari/537.36'
      },
      body: JSON.stringify({ login: name, password: PASSWORD })
    });
    const otherToken = ((await other.json()) as { token: string }).token;

    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(5000);
    await context.addCookies([{ name: 'session', value: member.token, url: h.server.origin }]);
    const page = await context.newPage();
    await open(page, `${h.server.origin}/settings/account`);
    await expect(page.getByRole('link', { name: 'Profile and password' }).getAttribute('aria-current')).resolves.toBe('page');

    await page.getByLabel('Display name').fill('Dana Ruiz-Okafor');
    await page.getByLabel('Profession').selectOption('CE');
    await page.getByLabel(/About you/).fill('Clinical engineer: imaging and infusion pumps.');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Your profile is saved.' }).waitFor();
    await expect(page.getByLabel('Display name').inputValue()).resolves.toBe('Dana Ruiz-Okafor');
    await expect(page.locator('header .who .name').textContent()).resolves.toBe('Dana Ruiz-Okafor');

    // The data download is the API's export, with this session's cookie.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download your data' }).click()]);
    expect(download.suggestedFilename()).toBe(`bmet-forum-${name}.json`);
    const exported = JSON.parse(await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8')) as {
      user: { displayName: string };
    };
    expect(exported.user.displayName).toBe('Dana Ruiz-Okafor');

    // A wrong current password is said at its field, and nothing changes.
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel(/New password/).fill('a much better passphrase 42');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.locator('#currentPassword-error').textContent()).resolves.toBe('That is not your current password');
    await shot(page, 'settings-password-refused-390');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel(/New password/).fill('a much better passphrase 42');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Every other session has been signed out.' }).waitFor();
    const me = await fetch(`${h.server.origin}/api/v1/me`, { headers: { authorization: `Bearer ${otherToken}` } });
    expect(me.status).toBe(401);

    // Sessions: only this browser is left; a new login elsewhere appears and can be signed out.
    const again = await fetch(`${h.server.origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1'
      },
      body: JSON.stringify({ login: name, password: 'a much better passphrase 42' })
    });
    const iphoneToken = ((await again.json()) as { token: string }).token;
    await open(page, `${h.server.origin}/settings/sessions`);
    const rows = page.locator('li.row');
    await expect(rows.count()).resolves.toBe(2);
    await expect(rows.filter({ hasText: 'This browser' }).count()).resolves.toBe(1);
    await shot(page, 'settings-sessions-390');
    await page.getByRole('button', { name: 'Sign out: Safari on iPhone' }).click();
    await page.getByRole('status').filter({ hasText: 'That session is signed out.' }).waitFor();
    await expect(rows.count()).resolves.toBe(1);
    expect((await fetch(`${h.server.origin}/api/v1/me`, { headers: { authorization: `Bearer ${iphoneToken}` } })).status).toBe(401);

    // Logging out here from the list ends this session too.
    await hydrated(page);
    await page.getByRole('button', { name: /^Log out here/ }).click();
    await page.waitForURL(/\/login$/);
    expect((await fetch(`${h.server.origin}/api/v1/me`, { headers: { authorization: `Bearer ${member.token}` } })).status).toBe(401);
    await context.close();
  });
});
