import { type BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { hydrated, open, shot, useServerAndBrowser } from './harness.ts';

const h = useServerAndBrowser();

/** A signed-in browser context of its own: registered through the API, session cookie set. */
async function member(username: string, profession: string, displayName: string): Promise<BrowserContext> {
  const res = await fetch(`${h.server.origin}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: h.server.origin },
    body: JSON.stringify({ username, email: `${username}@hospital.example`, password: 'occlusion alarm at 3am', profession, displayName })
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'session', value: token, url: h.server.origin }]);
  return context;
}

describe('troubleshooting: ask with equipment, answer, vote, edit, accept, find it again', () => {
  it('walks a question from asking to the model page and the Solved sort', async () => {
    const tag = Date.now().toString(36);
    const asker = await (await member(`asker${tag}`, 'BMET', 'Dana Reyes')).newPage();
    const helperContext = await member(`helper${tag}`, 'CE', 'Sam Okafor');
    const helper = await helperContext.newPage();

    // Ask, with equipment suggestions, a preview, and the patient-data guard.
    await open(asker, `${h.server.origin}/b/bmet/new`);
    await asker.getByLabel('Question: something needs fixing').check();
    await asker.getByLabel('Title').fill('IntelliVue MX450 stuck at the boot logo after update');
    await asker.getByLabel('Manufacturer').pressSequentially('Phil');
    await asker.locator('datalist#manufacturer-suggestions option[value="Philips"]').waitFor({ state: 'attached' });
    await asker.getByLabel('Manufacturer').fill('Philips');
    await asker.getByLabel('Model').fill('IntelliVue MX450');
    await asker.getByLabel('Category', { exact: true }).selectOption('Patient monitor');
    await asker.getByLabel('Error code').fill('INOP 12');
    await asker.getByLabel('Tags').fill('boot, firmware');
    const details = asker.getByLabel('Details', { exact: true });
    await details.fill('Stuck at the **Philips logo** after the update. Was on bed 4, MRN 12345678.');
    await asker.getByRole('tab', { name: 'Preview' }).click();
    await asker.locator('.preview strong', { hasText: 'Philips logo' }).waitFor();
    await asker.getByRole('tab', { name: 'Write' }).click();
    await asker.getByRole('button', { name: 'Post thread' }).click();
    const warning = asker.getByRole('alert').filter({ hasText: 'This may contain patient data' });
    await warning.waitFor();
    await expect(warning.locator('mark').first().textContent()).resolves.toContain('12345678');
    await expect(details.inputValue()).resolves.toContain('MRN 12345678');
    await shot(asker, 'flow-phi-warning');
    // The number is a serial, not a record number: confirm and resubmit the same text.
    await asker.getByLabel('I have checked: this contains no patient data').check();
    await asker.getByRole('button', { name: 'Post thread' }).click();
    await asker.waitForURL(/\/t\/\d+$/);
    const threadUrl = asker.url();
    const threadId = threadUrl.split('/').pop()!;

    // A second member answers.
    await open(helper, threadUrl);
    await helper.getByLabel('Reply to the thread').fill('Hold **Setup** while powering on and reload the software from USB.');
    await helper.getByRole('button', { name: 'Post reply' }).last().click();
    const answer = helper.locator('li.post[data-depth="1"]');
    await answer.waitFor();
    const answerId = (await answer.getAttribute('id'))!.slice(1);
    // No vote buttons on one's own post.
    await expect(answer.getByRole('button', { name: 'Upvote' }).count()).resolves.toBe(0);

    // The asker upvotes it, in place.
    await open(asker, threadUrl);
    const asked = asker.locator(`#p${answerId}`);
    await asked.getByRole('button', { name: 'Upvote' }).click();
    await asked.getByRole('button', { name: 'Remove upvote' }).waitFor();
    await expect(asked.getByRole('button', { name: 'Remove upvote' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(asked.locator('.score').textContent()).resolves.toContain('1');

    // The helper edits the answer; the history keeps the old version.
    await helper.reload();
    await hydrated(helper);
    const own = helper.locator(`#p${answerId}`);
    await own.locator('[data-act="edit"]').click();
    await own
      .getByRole('textbox', { name: 'Edit post' })
      .fill('Hold **Setup** while powering on and reload the software from USB.\nUse the 2.1 image, not 2.0.');
    await own.getByRole('button', { name: 'Save changes' }).click();
    await own.getByRole('link', { name: /edited/ }).waitFor();
    await expect(own.locator('.post-body').textContent()).resolves.toContain('2.1 image');
    await own.getByRole('link', { name: /edited/ }).click();
    await helper.waitForURL(/\/history\//);
    await expect(helper.locator('.line.add').first().textContent()).resolves.toContain('Use the 2.1 image');
    await expect(helper.getByText('Original version').isVisible()).resolves.toBe(true);
    await shot(helper, 'flow-history');

    // The asker accepts it: the thread shows as solved, with a way to the answer.
    await asker.reload();
    await hydrated(asker);
    await asker.locator(`#p${answerId}`).getByRole('button', { name: 'Accept as answer' }).click();
    await asker.getByText('Solved — jump to the accepted answer').waitFor();
    await expect(asker.getByRole('link', { name: 'jump to the accepted answer' }).getAttribute('href')).resolves.toBe(`#p${answerId}`);
    await expect(asker.locator(`#p${answerId}`).getByText('Accepted answer').isVisible()).resolves.toBe(true);
    await shot(asker, 'flow-solved');

    // Found again: from the equipment chip to the model page, and under the Solved sort.
    await asker.locator('.thread-head a.chip.equipment').click();
    await asker.waitForURL(/\/equipment\/philips\/intellivue-mx450$/);
    await expect(asker.getByRole('heading', { name: 'IntelliVue MX450', exact: true }).isVisible()).resolves.toBe(true);
    const row = asker.locator('tr', { hasText: 'INOP 12' });
    await expect(row.getByRole('link').getAttribute('href')).resolves.toBe(`/t/${threadId}`);
    await expect(asker.locator('ol.threads a.title', { hasText: 'IntelliVue MX450 stuck' }).count()).resolves.toBe(1);
    await shot(asker, 'flow-model');
    await open(asker, `${h.server.origin}/b/bmet?sort=solved`);
    await expect(asker.locator('ol.threads a.title', { hasText: 'IntelliVue MX450 stuck' }).count()).resolves.toBe(1);

    // The author name leads to the profile.
    await open(asker, threadUrl);
    await asker.locator(`#p${answerId} a.author-link`).click();
    await asker.waitForURL(/\/u\/helper/);
    await expect(asker.getByRole('heading', { name: 'Sam Okafor', exact: true }).isVisible()).resolves.toBe(true);
    await expect(asker.locator('.stats').textContent()).resolves.toMatch(/Accepted answers\s*1/);
    await shot(asker, 'flow-profile');
  });
});
