import { describe, expect, it } from 'vitest';
import { hydrated, open, shot, useServerAndBrowser } from './harness.ts';

// WebAuthn takes a host name, not an IP address: this forum is at http://localhost:<port>.
const h = useServerAndBrowser((port) => ({ PUBLIC_URL: `http://localhost:${port}` }));
const PASSWORD = 'occlusion alarm at 3am';

describe('passkeys in the browser', () => {
  it('adds a security key (Chromium’s virtual authenticator), signs in with it after the password, and turns two-factor off with a recovery code', async () => {
    const origin = h.server.origin.replace('127.0.0.1', 'localhost');
    const name = `key${Date.now().toString(36)}`;
    const registered = await fetch(`${origin}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: name, email: `${name}@hospital.example`, password: PASSWORD, profession: 'BMET' })
    });
    const { token } = (await registered.json()) as { token: string };

    const ctx = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.setDefaultTimeout(15_000);
    await ctx.addCookies([{ name: 'session', value: token, url: origin }]);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true
      }
    });

    await open(page, `${origin}/settings/security`);
    await page.getByRole('heading', { name: 'Passkeys and security keys' }).waitFor();
    await page.getByLabel(/A name for it/).fill('YubiKey on my badge');
    await page.getByLabel('Your password', { exact: true }).last().fill('not my password');
    await page.getByRole('button', { name: 'Add a passkey or security key' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the password' }).waitFor();
    await page.getByLabel('Your password', { exact: true }).last().fill(PASSWORD);
    await page.getByRole('button', { name: 'Add a passkey or security key' }).click();
    // The first second factor: the recovery codes, once.
    await page.getByRole('heading', { name: 'Two-factor sign-in is on' }).waitFor();
    await expect(page.locator('.codes li').count()).resolves.toBe(10);
    const recovery = (await page.locator('.codes li code').first().textContent())!;
    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.getByText('YubiKey on my badge').waitFor();
    await shot(page, 'settings-passkeys-390');

    // Signed out, then in again: the password, then the key.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login|\/$/);
    await open(page, `${origin}/login?next=%2Fsettings%2Fsecurity`);
    await page.getByLabel('Username or email').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/login\/two-factor/);
    await hydrated(page);
    await shot(page, 'login-two-factor-passkey-390');
    await page.getByRole('button', { name: 'Use a passkey or security key' }).click();
    await page.waitForURL(`${origin}/settings/security`);
    await page.getByText('YubiKey on my badge').waitFor();
    await expect(page.getByText(/last used/).count()).resolves.toBe(1);

    // The only second factor goes with two-factor sign-in itself: the password and a recovery code.
    await hydrated(page);
    await expect(page.getByRole('button', { name: 'Remove…' }).count()).resolves.toBe(0);
    await page.getByLabel('Your password', { exact: true }).last().fill(PASSWORD);
    await page.getByLabel('A recovery code').fill(recovery);
    await page.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await page.getByRole('status').filter({ hasText: 'Two-factor sign-in is off' }).waitFor();
    await expect(page.getByText('YubiKey on my badge').count()).resolves.toBe(0);
    await ctx.close();
  });
});
