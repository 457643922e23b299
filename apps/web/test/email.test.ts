import { createHmac } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The API's own SMTP test peer (smtp-server + mailparser): what the forum really sent.
import { startInbox, tokenIn, type Inbox } from '../../api/test/mail-helper.ts';
import { apiPost, hydrated, open, shot, useServerAndBrowser } from './harness.ts';

let inbox: Inbox;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(async () => {
  await inbox.stop();
});

const h = useServerAndBrowser(() => ({ SMTP_URL: inbox.url, MAIL_FROM: 'forum@hospital.example', EMAIL_NOTIFY_DELAY_S: '1' }));
const PHONE = { width: 390, height: 844 };
const PASSWORD = 'occlusion alarm at 3am';

async function phone(token?: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await h.browser.newContext({ viewport: PHONE });
  ctx.setDefaultTimeout(10_000);
  if (token !== undefined) await ctx.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
  return { ctx, page: await ctx.newPage() };
}

const mailTo = (address: string, subject: RegExp) =>
  inbox.waitFor((r) => r.rcptTo.includes(address.toLowerCase()) && subject.test(r.mail.subject ?? ''), 20_000);

/** What an authenticator app shows now (RFC 6238: HMAC-SHA1, 30 s, 6 digits), `offset` steps away. */
function totp(base32: string, offset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/\s/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + offset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('accounts and e-mail in the browser', () => {
  it('registers, confirms the address from the e-mail, and keeps e-mail settings', async () => {
    const name = `mail${Date.now().toString(36)}`;
    const email = `${name}@hospital.example`;
    const { ctx, page } = await phone();
    await open(page, `${h.server.origin}/register`);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /Create/ }).click();
    await page.waitForURL(`${h.server.origin}/`);

    const { mail } = await mailTo(email, /Confirm your e-mail address/);
    // The link only shows a page: nothing is confirmed until its button is pressed.
    await open(page, `${h.server.origin}/verify-email?token=${tokenIn(mail, '/verify-email')}`);
    await shot(page, 'verify-email-390');
    await open(page, `${h.server.origin}/settings/account`);
    await expect(page.getByText('Not confirmed').count()).resolves.toBe(1);
    await open(page, `${h.server.origin}/verify-email?token=${tokenIn(mail, '/verify-email')}`);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByRole('status').filter({ hasText: 'is confirmed' }).waitFor();
    await shot(page, 'verify-email-done-390');
    // Used once: the same link says so.
    await open(page, `${h.server.origin}/verify-email?token=${tokenIn(mail, '/verify-email')}`);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByRole('alert').filter({ hasText: 'used already' }).waitFor();

    await open(page, `${h.server.origin}/settings/email`);
    await expect(page.getByRole('link', { name: 'E-mail' }).getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByLabel('Daily digest').isChecked()).resolves.toBe(true);
    await page.getByLabel('Daily digest').uncheck();
    await page.getByLabel('Your time zone').selectOption('America/Chicago');
    await page.getByRole('button', { name: 'Save e-mail settings' }).click();
    await page.getByRole('status').filter({ hasText: 'saved' }).waitFor();
    await expect(page.getByLabel('Daily digest').isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('Your time zone').inputValue()).resolves.toBe('America/Chicago');
    await shot(page, 'settings-email-390');
    await ctx.close();
  });

  it('resets a forgotten password from the e-mail, signing the old sessions out', async () => {
    const name = `reset${Date.now().toString(36)}`;
    const email = `${name}@hospital.example`;
    const member = await apiPost<{ token: string }>(h, '/auth/register', { username: name, email, password: PASSWORD, profession: 'CE' });
    const { ctx, page } = await phone();
    await open(page, `${h.server.origin}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await hydrated(page);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'is on its way' }).waitFor();
    await shot(page, 'forgot-password-sent-390');

    const { mail } = await mailTo(email, /Reset your/);
    await open(page, `${h.server.origin}/reset-password?token=${tokenIn(mail, '/reset-password')}`);
    await page.getByLabel(/New password/).fill('a new passphrase for pumps');
    await page.getByLabel('The same again').fill('a different passphrase');
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await expect(page.locator('#confirm-error').textContent()).resolves.toBe('The two passwords are not the same');
    await page.getByLabel(/New password/).fill('a new passphrase for pumps');
    await page.getByLabel('The same again').fill('a new passphrase for pumps');
    await shot(page, 'reset-password-390');
    await page.getByRole('button', { name: 'Set my new password' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    const me = await fetch(`${h.server.origin}/api/v1/me`, { headers: { authorization: `Bearer ${member.token}` } });
    expect(me.status).toBe(401);
    await hydrated(page);
    await page.getByLabel('Username or email').fill(email);
    await page.getByLabel('Password').fill('a new passphrase for pumps');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${h.server.origin}/`);
    await ctx.close();
  });

  it('changes the address with a link to the new one', async () => {
    const name = `move${Date.now().toString(36)}`;
    const member = await apiPost<{ token: string }>(h, '/auth/register', {
      username: name,
      email: `${name}@hospital.example`,
      password: PASSWORD,
      profession: 'BMET'
    });
    const { ctx, page } = await phone(member.token);
    await open(page, `${h.server.origin}/settings/account`);
    await page.getByLabel('New address').fill(`${name}@clinic.example`);
    await page.getByLabel('Your password').fill('not the password');
    await page.getByRole('button', { name: 'Send the link', exact: true }).click();
    await expect(page.locator('#emailPassword-error').textContent()).resolves.toBe('That is not your password');
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Send the link', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `We sent a link to ${name}@clinic.example` })
      .waitFor();
    await shot(page, 'settings-email-change-390');
    const { mail } = await mailTo(`${name}@clinic.example`, /Confirm your new e-mail address/);
    await open(page, `${h.server.origin}/verify-email?token=${tokenIn(mail, '/verify-email')}`);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Your account now uses ${name}@clinic.example` })
      .waitFor();
    await open(page, `${h.server.origin}/settings/account`);
    await expect(page.locator('.address').textContent()).resolves.toBe(`${name}@clinic.example`);
    await expect(page.getByText('Confirmed', { exact: true }).count()).resolves.toBe(1);
    await ctx.close();
  });

  it('turns on two-factor sign-in with the QR code page, then asks for a code after the password', async () => {
    const name = `tfa${Date.now().toString(36)}`;
    const member = await apiPost<{ token: string }>(h, '/auth/register', {
      username: name,
      email: `${name}@hospital.example`,
      password: PASSWORD,
      profession: 'BMET'
    });
    const { ctx, page } = await phone(member.token);
    await open(page, `${h.server.origin}/settings/security`);
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await shot(page, 'settings-two-factor-390');
    const key = (await page.locator('code.key').textContent())!;
    await page.getByLabel('The 6-digit code the app shows').fill(totp(key, -1));
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByRole('heading', { name: 'Two-factor sign-in is on' }).waitFor();
    await expect(page.locator('.codes li').count()).resolves.toBe(10);
    await shot(page, 'settings-two-factor-codes-390');
    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.getByText('Recovery codes left').waitFor();

    // A new browser: the password, then the code.
    const { ctx: other, page: login } = await phone();
    await open(login, `${h.server.origin}/login?next=%2Fsettings%2Fsecurity`);
    await login.getByLabel('Username or email').fill(name);
    await login.getByLabel('Password').fill(PASSWORD);
    await login.getByRole('button', { name: 'Log in' }).click();
    await login.waitForURL(/\/login\/two-factor/);
    await hydrated(login);
    await login.getByLabel('Code from your authenticator app').fill('000000');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    await shot(login, 'login-two-factor-refused-390');
    await login.getByLabel('Code from your authenticator app').fill(totp(key, 1));
    await login.getByRole('button', { name: 'Sign in' }).click();
    await login.waitForURL(`${h.server.origin}/settings/security`);
    await login.getByRole('heading', { name: /Two-factor sign-in is on/ }).waitFor();
    await other.close();
    await ctx.close();
  });

  it('unsubscribes from the link in a notification e-mail, and closes an account', async () => {
    const name = `unsub${Date.now().toString(36)}`;
    const email = `${name}@hospital.example`;
    const asker = await apiPost<{ token: string }>(h, '/auth/register', { username: name, email, password: PASSWORD, profession: 'BMET' });
    const verify = await mailTo(email, /Confirm your e-mail/);
    await apiPost(h, '/auth/verify-email', { token: tokenIn(verify.mail, '/verify-email') });
    const helper = await apiPost<{ token: string }>(h, '/auth/register', {
      username: `${name}h`,
      email: `${name}h@hospital.example`,
      password: PASSWORD,
      profession: 'CE'
    });
    const { thread } = await apiPost<{ thread: { id: string } }>(
      h,
      '/boards/bmet/threads',
      { title: 'Infusion pump keeps alarming air in line', body: 'After every bag change.' },
      asker.token
    );
    await new Promise((r) => setTimeout(r, 1500));
    await apiPost(h, `/threads/${thread.id}/posts`, { body: 'Prime slower, and check the sensor window.' }, helper.token);
    const { mail } = await mailTo(email, /Infusion pump keeps alarming/);

    const { ctx, page } = await phone(asker.token);
    await open(page, `${h.server.origin}/unsubscribe?token=${tokenIn(mail, '/unsubscribe')}`);
    await shot(page, 'unsubscribe-390');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('status').filter({ hasText: 'no more e-mails about replies' }).waitFor();
    await open(page, `${h.server.origin}/settings/email`);
    await expect(page.getByLabel('Replies, mentions and accepted answers').isChecked()).resolves.toBe(false);

    await open(page, `${h.server.origin}/settings/close`);
    // The box must be ticked (the browser says so before anything is sent).
    await expect(page.getByLabel(/I understand/).getAttribute('required')).resolves.toBe('');
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByLabel(/I understand/).check();
    await shot(page, 'settings-close-390');
    await page.getByRole('button', { name: 'Close my account' }).click();
    await page.waitForURL(/\/goodbye$/);
    await open(page, `${h.server.origin}/t/${thread.id}`);
    await expect(page.locator('article').first().textContent()).resolves.toContain('Former member');
    await ctx.close();
  });

  it('shows admins the outbox and a member’s verified state', async () => {
    const name = `adm${Date.now().toString(36)}`;
    await apiPost(h, '/auth/register', { username: name, email: `${name}@hospital.example`, password: PASSWORD, profession: 'CE' });
    const member = `${name}m`;
    await apiPost(h, '/auth/register', { username: member, email: `${member}@hospital.example`, password: PASSWORD, profession: 'BMET' });
    await mailTo(`${member}@hospital.example`, /Confirm your e-mail/);
    await h.server.setRole(name, 'admin');
    const login = await apiPost<{ token: string }>(h, '/auth/login', { login: name, password: PASSWORD });
    const { ctx, page } = await phone(login.token);
    await open(page, `${h.server.origin}/admin/outbox`);
    await page
      .getByRole('link', { name: /Confirm your e-mail address/ })
      .first()
      .waitFor();
    await shot(page, 'admin-outbox-390');
    await open(page, `${h.server.origin}/u/${member}`);
    await page.getByRole('link', { name: 'Account and e-mail (admin)' }).click();
    await page.waitForURL(/\/admin\/users\//);
    await hydrated(page);
    await page.getByText('not confirmed').waitFor();
    await page.getByRole('button', { name: 'Mark the address confirmed' }).click();
    await page.getByRole('status').filter({ hasText: 'marked confirmed' }).waitFor();
    await shot(page, 'admin-user-390');
    await open(page, `${h.server.origin}/admin/outbox?status=sent`);
    await page.locator('.list a').first().click();
    await page.waitForURL(/\/admin\/outbox\/\d+$/);
    await page.getByRole('heading', { name: 'The message' }).waitFor();
    await shot(page, 'admin-outbox-message-390');
    await ctx.close();
  });
});
