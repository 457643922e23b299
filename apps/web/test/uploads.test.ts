import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hydrated, open, registerMember, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();
const fixture = (name: string) => fileURLToPath(new URL(`../../api/test/fixtures/${name}`, import.meta.url));

describe('attaching photos and documents from the composer', () => {
  it('on a phone: attaches a screen photo by the button and a PDF by drop, flags a screen with a patient name, posts thumbnails and a download chip', async () => {
    const tag = Date.now().toString(36);
    const member = await registerMember(h, `up${tag}`);
    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies([{ name: 'session', value: member.token, url: h.server.origin }]);
    const page = await context.newPage();
    await open(page, `${h.server.origin}/b/bmet/new`);
    await page.getByLabel('Title').fill(`Sigma Spectrum occlusion with no occlusion ${tag}`);
    const details = page.getByLabel('Details');
    await details.fill('Downstream occlusion at every start. Screen:');

    // The button opens the file picker; on a phone a second button opens the camera.
    await expect(page.getByRole('button', { name: 'Take photo' }).isVisible()).resolves.toBe(true);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach photo or PDF' }).click();
    await (await chooser).setFiles(fixture('monitor-clean.png'));
    const files = page.getByRole('list', { name: 'Attached files' });
    const alt = files.getByLabel('Alt text (what the picture shows)');
    await alt.waitFor({ timeout: 30_000 });
    await expect(details.inputValue()).resolves.toMatch(/!\[monitor-clean\.png\]\(\/api\/v1\/uploads\/[A-Za-z0-9_-]{24}\)/);
    await alt.fill('Monitor screen showing Error E-203');
    await expect(details.inputValue()).resolves.toMatch(/!\[Monitor screen showing Error E-203\]\(\/api\/v1\/uploads\//);

    // A PDF dropped onto the text.
    const pdf = readFileSync(fixture('report-clean.pdf')).toString('base64');
    const transfer = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'service-report.pdf', { type: 'application/pdf' }));
      return dt;
    }, pdf);
    await details.dispatchEvent('dragover', { dataTransfer: transfer });
    await details.dispatchEvent('drop', { dataTransfer: transfer });
    await expect.poll(() => details.inputValue(), { timeout: 30_000 }).toMatch(/\[service-report\.pdf\]\(\/api\/v1\/uploads\//);

    // A screen with a patient's name: shown on the file, with the two choices.
    const chooser2 = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach photo or PDF' }).click();
    await (await chooser2).setFiles(fixture('monitor-phi.png'));
    const flagged = files.getByRole('listitem').filter({ hasText: 'monitor-phi.png' });
    await flagged.getByRole('alert').waitFor({ timeout: 30_000 });
    await expect(flagged.textContent()).resolves.toMatch(/may show patient data/);
    await expect(flagged.textContent()).resolves.toMatch(/GARCIA|MRN/);
    await expect(details.inputValue()).resolves.not.toMatch(/monitor-phi/);
    await shot(page, 'uploads-composer-phone');
    await flagged.getByRole('button', { name: 'Remove' }).click();
    await expect(flagged.count()).resolves.toBe(0);

    await page.getByRole('button', { name: /Post/ }).last().click();
    await page.waitForURL(/\/t\/\d+/);
    await hydrated(page);
    const picture = page.locator('.prose a.upload-image').first();
    await expect(picture.getByRole('img', { name: 'Monitor screen showing Error E-203' }).isVisible()).resolves.toBe(true);
    const thumb = await picture.locator('img').evaluate((img: HTMLImageElement) => ({ w: img.naturalWidth, done: img.complete }));
    expect(thumb.done).toBe(true);
    expect(thumb.w).toBe(480);
    const chip = page.locator('.prose a.upload-file');
    await expect(chip.textContent()).resolves.toBe('service-report.pdf');
    const box = await chip.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await shot(page, 'uploads-thread-phone');
    // The thumbnail opens the full picture, served as an image (never a page of the forum).
    const href = await picture.getAttribute('href');
    const full = await page.request.get(`${h.server.origin}${href}`);
    expect(full.headers()['content-type']).toBe('image/png');
    expect(full.headers()['content-security-policy']).toContain('sandbox');
    const doc = await page.request.get(`${h.server.origin}${await chip.getAttribute('href')}`);
    expect(doc.headers()['content-disposition']).toMatch(/^attachment/);
    await context.close();
  });
});

describe('a suspected file in the moderators’ queue', () => {
  it('shows the file of a post whose uploader confirmed it, and a moderator deletes it', async () => {
    const tag = Date.now().toString(36);
    const member = await registerMember(h, `upq${tag}`);
    const mod = await registerMember(h, `upm${tag}`);
    await h.server.setRole(`upm${tag}`, 'moderator');
    const form = new FormData();
    form.append('confirmNoPhi', 'true');
    form.append('file', new Blob([readFileSync(fixture('monitor-phi.png'))], { type: 'image/png' }), 'bed4.png');
    const res = await fetch(`${h.server.origin}/api/v1/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}` },
      body: form
    });
    expect(res.status).toBe(201);
    const { upload } = (await res.json()) as { upload: { url: string; thumbnailUrl: string } };
    const thread = await fetch(`${h.server.origin}/api/v1/boards/bmet/threads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `Monitor alarm screen ${tag}`, body: `See ![screen](${upload.url})` })
    });
    expect(thread.status).toBe(201);

    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    await context.addCookies([{ name: 'session', value: mod.token, url: h.server.origin }]);
    const page = await context.newPage();
    await open(page, `${h.server.origin}/mod`);
    const files = page.getByRole('region', { name: 'Files in the reported post' }).first();
    await expect(files.getByRole('link', { name: 'bed4.png', exact: true }).isVisible()).resolves.toBe(true);
    await expect(files.textContent()).resolves.toMatch(/Guard suspected: .*(medical record number|mrn|patient)/i);
    await shot(page, 'uploads-mod-queue-phone');
    await files.getByRole('button', { name: 'Delete file' }).click();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/Deleted the file bed4\.png/);
    expect((await fetch(`${h.server.origin}${upload.url}`)).status).toBe(404);
    await context.close();
  });
});
