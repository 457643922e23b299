import { phiReviews } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, useApp } from './helper.ts';

const ctx = useApp();

const pasted = [
  'Monitor log from bed 12:',
  '```',
  '2026-11-20 03:12:44 ALARM E-203 BATT LOW',
  'Patient: Jane Doe  MRN: 00482913',
  '```'
].join('\n');

describe('patient-data guard', () => {
  it('refuses a reply with a name and MRN, naming each kind and where, and writes nothing', async () => {
    const { token } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    const res = await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: pasted } });
    expectError(res, 422, 'phi_suspected');
    expect(res.data.error.fields.body).toMatch(/medical record number/);
    expect(res.data.error.fields.body).toMatch(/patient name/);
    const kinds = res.data.error.phi.map((f: any) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(['mrn', 'patient_name']));
    for (const f of res.data.error.phi) {
      expect(f.field).toBe('body');
      expect(pasted.slice(f.start, f.end)).toContain(f.excerpt.slice(0, 4));
      expect(f.line).toBe(4);
    }
    const page = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(page.data.thread.replyCount).toBe(0);
  });

  it('stores it after confirmNoPhi and records it for moderator review', async () => {
    const { token, user } = await registerUser(ctx.app);
    const { thread } = await createThread(ctx.app, token);
    const res = await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, { token, body: { body: pasted, confirmNoPhi: true } });
    expect(res.statusCode).toBe(201);
    const reviews = await ctx.app.db
      .select()
      .from(phiReviews)
      .where(eq(phiReviews.postId, Number(res.data.post.id)));
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.authorId).toBe(Number(user.id));
    expect(reviews[0]!.kinds).toEqual(expect.arrayContaining(['mrn', 'patient_name']));
  });

  it('guards new threads (title and body) and edits', async () => {
    const { token } = await registerUser(ctx.app);
    const title = await call(ctx.app, 'POST', '/boards/bmet/threads', {
      token,
      body: { title: 'Pump alarm, Pt name: John Smith', body: 'Occlusion alarm every hour.' }
    });
    expectError(title, 422, 'phi_suspected');
    expect(title.data.error.fields).toHaveProperty('title');
    const dob = await call(ctx.app, 'POST', '/boards/bmet/threads', {
      token,
      body: { title: 'Defib self-test fails', body: 'Pt DOB 04/12/1957 was on the unit when it failed.' }
    });
    expectError(dob, 422, 'phi_suspected');
    const { thread } = await createThread(ctx.app, token);
    const post = await reply(ctx.app, token, thread.id, 'clean reply');
    const edit = await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token, body: { body: 'call the family at 555-123-4567' } });
    expectError(edit, 422, 'phi_suspected');
    const unchanged = await call(ctx.app, 'GET', `/threads/${thread.id}`);
    expect(unchanged.data.posts[1].bodyMarkdown).toBe('clean reply');
  });

  it('lets equipment identifiers through: serials, error codes, part numbers, firmware', async () => {
    const { token } = await registerUser(ctx.app);
    const body = [
      'Unit SN: US52812345, asset #004512, FW 3.2.1.45, P/N 453564020911.',
      'Alarm history: 2026-11-20 03:12:44 ALARM 255-10-820, Err 0x1F, E-203.',
      'Work order WO# 23-004512, lot 2305A17, Room 412 Bed B.'
    ].join('\n');
    const res = await call(ctx.app, 'POST', '/boards/bmet/threads', {
      token,
      body: { title: 'Alaris 8015 255-10-820 on SN US52812345', body }
    });
    expect(res.statusCode).toBe(201);
  });
});
