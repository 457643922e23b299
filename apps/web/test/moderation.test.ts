import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { open, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

interface Account {
  username: string;
  displayName: string;
  token: string;
}

async function register(username: string, displayName: string, profession = 'BMET'): Promise<Account> {
  const res = await fetch(`${h.server.origin}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: h.server.origin },
    body: JSON.stringify({ username, email: `${username}@hospital.example`, password: 'occlusion alarm at 3am', profession, displayName })
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  return { username, displayName, token };
}

/** The API as this account (bearer token). */
async function call<T>(who: Account, method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(`${h.server.origin}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  const text = await res.text();
  return { status: res.status, data: (text === '' ? null : JSON.parse(text)) as T };
}

async function browse(browser: Browser, who: Account | null, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  if (who !== null) await context.addCookies([{ name: 'session', value: who.token, url: h.server.origin }]);
  return { context, page: await context.newPage() };
}

/** The same page at phone width, for the screenshot. */
async function phoneShot(who: Account, path: string, name: string): Promise<void> {
  const { context, page } = await browse(h.browser, who, 390);
  await open(page, `${h.server.origin}${path}`);
  await shot(page, name);
  await context.close();
}

describe('moderation: boards, the report queue, the log and suspensions', () => {
  it('lets an admin set up a board, a moderator work the queue, and suspend and lift', async () => {
    const tag = Date.now().toString(36);
    const admin = await register(`admin${tag}`, 'Alex Admin', 'CE');
    const mod = await register(`mod${tag}`, 'Morgan Moderator');
    const author = await register(`author${tag}`, 'Pat Poster');
    const reporter = await register(`rep${tag}`, 'Riley Reporter', 'BME');
    // The first admin is made by an operator on the command line.
    await h.server.setRole(admin.username, 'admin');

    // Access: anonymous visitors log in first; members and moderators get a 403 page where they may not go.
    const anon = await browse(h.browser, null);
    await anon.page.goto(`${h.server.origin}/mod`);
    expect(new URL(anon.page.url()).pathname).toBe('/login');
    expect(new URL(anon.page.url()).searchParams.get('next')).toBe('/mod');
    await anon.context.close();
    const member = await browse(h.browser, reporter);
    const forbidden = await member.page.goto(`${h.server.origin}/mod`);
    expect(forbidden?.status()).toBe(403);
    await member.page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    expect(await member.page.getByRole('navigation', { name: 'Moderation' }).count()).toBe(0);
    await shot(member.page, 'mod-403');

    // The admin creates a board and assigns the moderator.
    const slug = `imaging-${tag}`;
    const { context: adminContext, page: adminPage } = await browse(h.browser, admin);
    await open(adminPage, `${h.server.origin}/admin/boards`);
    const create = adminPage.getByRole('region', { name: 'Add a board' });
    await create.getByLabel('Name', { exact: true }).fill('Imaging equipment');
    await create.getByLabel('Address').fill(slug);
    await create.getByLabel('Description').fill('CT, MRI and X-ray: tubes, coils, detectors.');
    await create.getByLabel('Role tag').selectOption('BMET');
    await create.getByRole('button', { name: 'Add board' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Created the board “Imaging equipment”.' }).waitFor();
    const card = adminPage.locator('li.board', { has: adminPage.getByRole('heading', { name: 'Imaging equipment' }) });
    await card.getByLabel('Moderators of Imaging equipment').fill(`@${mod.username}, nosuchuser${tag}`);
    await card.getByRole('button', { name: 'Save moderators' }).click();
    await card.getByText(`No such user: nosuchuser${tag}`).waitFor();
    await card.getByLabel('Moderators of Imaging equipment').fill(mod.username);
    await card.getByRole('button', { name: 'Save moderators' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved the moderators' }).waitFor();
    await expect(card.locator('.mods').textContent()).resolves.toContain('Morgan Moderator');
    // Edit (a bad position is refused next to the field), archive and unarchive.
    await card.getByText('Edit name, description, role tag and position').click();
    await card.getByLabel('Position').fill('-3');
    await card.getByLabel('Position').evaluate((el) => el.removeAttribute('min'));
    await card.getByRole('button', { name: 'Save changes' }).click();
    await card.getByText('Position must be a whole number from 0 to 10000').waitFor();
    await shot(adminPage, 'admin-boards-edit-error');
    await card.getByLabel('Position').fill('0');
    await card.getByLabel('Description').fill('CT, MRI, X-ray and ultrasound.');
    await card.getByRole('button', { name: 'Save changes' }).click();
    await card.getByRole('status').filter({ hasText: 'Saved “Imaging equipment”.' }).waitFor();
    await expect(card.locator('.desc').textContent()).resolves.toBe('CT, MRI, X-ray and ultrasound.');
    await expect(card.locator('.facts').textContent()).resolves.toMatch(/Position\s*0/);
    await card.getByRole('button', { name: 'Archive board' }).click();
    await card.getByRole('button', { name: 'Unarchive board' }).waitFor();
    await expect(card.locator('.badge', { hasText: 'Archived' }).count()).resolves.toBe(1);
    await card.getByRole('button', { name: 'Unarchive board' }).click();
    await card.getByRole('button', { name: 'Archive board' }).waitFor();
    await shot(adminPage, 'admin-boards');
    await phoneShot(admin, '/admin/boards', 'admin-boards-390');

    // A member posts; another reports it; a reply with a confirmed identifier lands in the queue by itself.
    const created = await call<{ thread: { id: string }; post: { id: string } }>(author, 'POST', `/boards/${slug}/threads`, {
      title: 'Cheap replacement X-ray tubes, message me',
      body: 'Best prices on **refurbished tubes**. Contact me directly.',
      kind: 'discussion'
    });
    expect(created.status).toBe(201);
    const threadId = created.data.thread.id;
    const postId = created.data.post.id;
    const phiReply = await call<{ post: { id: string } }>(author, 'POST', `/threads/${threadId}/posts`, {
      body: 'Seen on the portable in bay 3, MRN 12345678.',
      confirmNoPhi: true
    });
    expect(phiReply.status).toBe(201);
    const report = await call<{ report: { id: string } }>(reporter, 'POST', `/posts/${postId}/report`, {
      reason: 'spam',
      note: 'Selling parts, not asking anything.'
    });
    expect(report.status).toBe(201);

    // The moderator sees both, with their context.
    const { context: modContext, page: modPage } = await browse(h.browser, mod);
    await open(modPage, `${h.server.origin}/mod`);
    const spam = modPage.locator('article.report', { hasText: 'Selling parts, not asking anything.' });
    const phi = modPage.locator('article.report', { hasText: 'Possible patient data, confirmed by author' });
    await spam.waitFor();
    await expect(spam.getByText('Reported by').textContent()).resolves.toContain('Riley Reporter');
    await expect(spam.getByRole('link', { name: 'Cheap replacement X-ray tubes, message me' }).getAttribute('href')).resolves.toBe(
      `/t/${threadId}?at=${postId}#p${postId}`
    );
    await expect(spam.locator('.body strong').textContent()).resolves.toBe('refurbished tubes');
    await expect(phi.getByText('Automatic: patient-data guard').count()).resolves.toBe(1);
    await expect(phi.locator('.body').textContent()).resolves.toContain('MRN 12345678');
    await shot(modPage, 'mod-queue');
    await phoneShot(mod, '/mod', 'mod-queue-390');

    // Delete the spam with a reason: it leaves the open list with a message.
    await spam.getByLabel('Reason (optional)', { exact: true }).fill('Advertising');
    await spam.getByRole('button', { name: 'Delete post' }).click();
    const done = modPage.getByRole('status').filter({ hasText: 'Deleted the post by Pat Poster' });
    await done.waitFor();
    await expect(modPage.evaluate(() => document.activeElement?.getAttribute('role'))).resolves.toBe('status');
    await expect(spam.count()).resolves.toBe(0);
    await expect(phi.count()).resolves.toBe(1);
    await shot(modPage, 'mod-queue-resolved-one');
    const deleted = await fetch(`${h.server.origin}/api/v1/threads/${threadId}`);
    expect(((await deleted.json()) as { posts: { id: string; deleted: boolean }[] }).posts.find((p) => p.id === postId)?.deleted).toBe(
      true
    );

    // The guard's report was a false alarm: dismissed, the queue is empty.
    await phi.getByRole('button', { name: 'Dismiss' }).click();
    await modPage.getByRole('status').filter({ hasText: 'Dismissed the report' }).waitFor();
    await modPage.getByText('The queue is empty.').waitFor();

    // Resolved tab.
    await modPage.getByRole('link', { name: 'Resolved' }).click();
    await modPage.waitForURL(/status=resolved/);
    const resolved = modPage.locator('article.report', { hasText: 'Selling parts' });
    await expect(resolved.locator('.outcome').textContent()).resolves.toMatch(/Post deleted\s+by\s+Morgan Moderator/);
    await expect(resolved.getByText('This post was deleted and its text removed.').count()).resolves.toBe(1);
    await shot(modPage, 'mod-resolved');

    // The log shows it, with the reason and a way to the post.
    await modPage.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Log' }).click();
    await modPage.waitForURL(/\/mod\/log$/);
    const row = modPage.locator('tbody tr', { hasText: 'Resolved report: deleted the post' });
    await expect(row.textContent()).resolves.toContain('Advertising');
    await expect(row.textContent()).resolves.toContain('Morgan Moderator');
    await expect(row.getByRole('link', { name: /Report #\d+ on “Cheap replacement/ }).getAttribute('href')).resolves.toBe(
      `/t/${threadId}?at=${postId}#p${postId}`
    );
    await expect(
      modPage.locator('tbody tr', { hasText: 'Created board' }).getByRole('link', { name: 'Board “Imaging equipment”' }).count()
    ).resolves.toBe(1);
    // Moderators do not get the Boards tab.
    await expect(modPage.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Boards' }).count()).resolves.toBe(0);
    await shot(modPage, 'mod-log');
    await phoneShot(mod, '/mod/log', 'mod-log-390');
    const boardsForMod = await modPage.goto(`${h.server.origin}/admin/boards`);
    expect(boardsForMod?.status()).toBe(403);

    // Suspend the author from the profile, see the refusal of a bad date inline, and lift it.
    await open(modPage, `${h.server.origin}/u/${author.username}`);
    const panel = modPage.getByRole('region', { name: 'Moderation' });
    await panel.getByText('Not suspended').waitFor();
    // The moderator's view of the member: their posts and the reports on them.
    const activity = modPage.getByRole('region', { name: /activity/ });
    await expect(activity.getByRole('heading', { name: 'Reports on their posts' }).count()).resolves.toBe(1);
    await expect(activity.locator('.badge', { hasText: 'Spam' }).count()).resolves.toBeGreaterThan(0);
    await shot(modPage, 'profile-mod');
    await phoneShot(mod, `/u/${author.username}`, 'profile-mod-390');
    const until = panel.getByLabel('Until');
    expect(await until.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    await panel.getByLabel('Reason', { exact: true }).fill('Repeated advertising');
    // Twenty years out: the API refuses (ten at most), next to the field.
    await until.fill(`${new Date().getUTCFullYear() + 20}-01-01T12:00`);
    await panel.getByRole('button', { name: 'Suspend member' }).click();
    await panel.locator('#suspend-until-error', { hasText: 'at most ten years away' }).waitFor();
    await panel.getByRole('alert').filter({ hasText: 'Check the highlighted field.' }).waitFor();
    await expect(until.getAttribute('aria-invalid')).resolves.toBe('true');
    await until.fill(`${new Date().getUTCFullYear() + 1}-01-01T12:00`);
    await panel.getByRole('button', { name: 'Suspend member' }).click();
    // A board moderator suspends from their boards, not from the whole forum.
    await panel
      .getByRole('status')
      .filter({ hasText: `Pat Poster is suspended from ${slug}.` })
      .waitFor();
    await expect(panel.locator('.status').textContent()).resolves.toContain('Repeated advertising');
    await expect(panel.locator('.status').textContent()).resolves.toContain(`Suspended from ${slug} until`);
    await expect(modPage.locator('.profile .badge.suspended').count()).resolves.toBe(1);
    const blocked = await call(author, 'POST', `/threads/${threadId}/posts`, { body: 'Still selling tubes.' });
    expect(blocked.status).toBe(403);
    await shot(modPage, 'profile-suspended');
    await phoneShot(mod, `/u/${author.username}`, 'profile-suspended-390');
    await panel.getByLabel('Reason for lifting').fill('Promised to stop');
    await panel.getByRole('button', { name: 'Lift suspension' }).click();
    await panel.getByRole('status').filter({ hasText: 'The suspension of Pat Poster is lifted.' }).waitFor();
    await panel.getByText('Not suspended').waitFor();
    const allowed = await call<{ post: { id: string } }>(author, 'POST', `/threads/${threadId}/posts`, {
      body: 'Understood, no more ads.'
    });
    expect(allowed.status).toBe(201);

    // Without JavaScript the queue works the same: a plain form post, the page answers with the message.
    const another = await call(reporter, 'POST', `/posts/${allowed.data.post.id}/report`, { reason: 'other', note: 'Sounds sarcastic?' });
    expect(another.status).toBe(201);
    const plain = await h.browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    await plain.addCookies([{ name: 'session', value: mod.token, url: h.server.origin }]);
    const plainPage = await plain.newPage();
    await plainPage.goto(`${h.server.origin}/mod`);
    const other = plainPage.locator('article.report', { hasText: 'Sounds sarcastic?' });
    await other.getByLabel('Reason (optional)', { exact: true }).fill('Fine as it is');
    await other.getByRole('button', { name: 'Dismiss' }).click();
    await plainPage.getByText('Dismissed the report on “Cheap replacement X-ray tubes, message me”. The post stays up.').waitFor();
    await plainPage.getByText('The queue is empty.').waitFor();
    await plain.close();

    // An admin's profile offers no suspension; a member sees profiles unchanged.
    await open(modPage, `${h.server.origin}/u/${admin.username}`);
    await modPage.getByText('Admins cannot be suspended.').waitFor();
    await expect(modPage.getByRole('button', { name: 'Suspend member' }).count()).resolves.toBe(0);
    await open(member.page, `${h.server.origin}/u/${author.username}`);
    await expect(member.page.getByRole('region', { name: 'Moderation' }).count()).resolves.toBe(0);

    // The log has the suspension and its lifting, naming the member.
    await open(modPage, `${h.server.origin}/mod/log`);
    const suspendRow = modPage.locator('tbody tr', { hasText: 'Suspended member' });
    await expect(suspendRow.getByRole('link', { name: `@${author.username}`, exact: true }).getAttribute('href')).resolves.toBe(
      `/u/${author.username}`
    );
    await expect(modPage.locator('tbody tr', { hasText: 'Lifted suspension' }).textContent()).resolves.toContain('Promised to stop');

    await member.context.close();
    await modContext.close();
    await adminContext.close();
  });
});
