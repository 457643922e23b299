import { beforeAll, describe, expect, it } from 'vitest';
import { call, createThread, expectError, registerUser, reply, setRole, unique, useApp } from './helper.ts';

const ctx = useApp();
let asker: Awaited<ReturnType<typeof registerUser>>;
let helper: Awaited<ReturnType<typeof registerUser>>;
/** A word no other test writes, so each search here sees this file's threads only. */
const w = unique('zq').toLowerCase();

const ids: Record<string, string> = {};
const find = async (query: string) => {
  const res = await call(ctx.app, 'GET', `/search?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.data as { results: any[]; nextCursor: string | null };
};
const titles = (r: { results: any[] }) => r.results.map((x) => x.thread.title);

beforeAll(async () => {
  asker = await registerUser(ctx.app);
  helper = await registerUser(ctx.app, { profession: 'CE' });
  const make = async (key: string, title: string, body: string, extra: Record<string, unknown> = {}) => {
    const { thread } = await createThread(ctx.app, asker.token, { title, body, kind: 'question', ...extra });
    ids[key] = thread.id;
    return thread;
  };
  await make('e203', `Monitor shows E-203 ${w}`, `The screen says E-203 after boot. ${w}`);
  await make('e2031', `Monitor shows E-2031 ${w}`, `Different: E-2031 on the ward unit. ${w}`);
  await make('html', `Escaping check ${w}`, `Pasted <img src=x onerror=alert(1)> & <b>bold</b> escapecheck ${w}`);
  await make('part', `Replacement door assembly ${w}`, `Ordered part 255-10-820 for the pump door. ${w}`);
  await make('mx', `Patient monitor MX-450 keeps rebooting ${w}`, `The IntelliVue reboots hourly. ${w}`, {
    equipment: { manufacturer: 'Philips', model: 'IntelliVue MX450', category: null, errorCode: null }
  });
  await make('alarm', `Pump alarms during transport ${w}`, `Loud alarms whenever the battery runs low. ${w}`, {
    board: 'ce',
    tags: [`tag${w}`]
  });
  const solved = await make('solved', `Air in line alarm on the infusion pump ${w}`, `Air in line keeps sounding. ${w}`, {
    equipment: { manufacturer: 'BD', model: 'Alaris 8015', category: null, errorCode: 'AIL-7' }
  });
  await make('unsolved', `Air in line alarm again ${w}`, `Air in line on another pump, never fixed. ${w}`);
  const answer = await reply(ctx.app, helper.token, solved.id, `Clean the air in line sensor with alcohol; fixed ${w}.`);
  ids.answer = answer.id;
  const accepted = await call(ctx.app, 'POST', `/threads/${solved.id}/solution`, { token: asker.token, body: { postId: answer.id } });
  expect(accepted.statusCode).toBe(200);
  await make('deleted', `Vanishing thread about ${w} calibration`, `Should never be found ${w} calibration.`);
  const del = await call(ctx.app, 'DELETE', `/posts/${(await call(ctx.app, 'GET', `/threads/${ids.deleted}`)).data.posts[0].id}`, {
    token: asker.token
  });
  expect(del.statusCode).toBe(204);
  const reply2 = await reply(ctx.app, helper.token, ids.unsolved!, `Deleted reply mentioning ${w} xylophone`);
  expect((await call(ctx.app, 'DELETE', `/posts/${reply2.id}`, { token: helper.token })).statusCode).toBe(204);
});

describe('GET /api/v1/search', () => {
  it('finds codes as typed, exactly: E-203 is not E-2031, and part numbers match whole', async () => {
    expect(titles(await find(`q=${encodeURIComponent(`E-203 ${w}`)}`))).toEqual([`Monitor shows E-203 ${w}`]);
    expect(titles(await find(`q=${encodeURIComponent(`e203 ${w}`)}`))).toEqual([`Monitor shows E-203 ${w}`]);
    expect(titles(await find(`q=${encodeURIComponent(`E-2031 ${w}`)}`))).toEqual([`Monitor shows E-2031 ${w}`]);
    expect(titles(await find(`q=${encodeURIComponent(`255-10-820`)}`))).toContain(`Replacement door assembly ${w}`);
    const html = await find(`q=${encodeURIComponent(`escapecheck ${w}`)}`);
    expect(html.results[0].snippetHtml).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; bold <mark>escapecheck</mark>');
    expect(html.results[0].snippetHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    const part = await find(`q=${encodeURIComponent(`25510820 ${w}`)}`);
    expect(part.results[0].snippetHtml).toContain('<mark>255-10-820</mark>');
  });

  it('lets spelling variants of one model find each other', async () => {
    for (const q of ['MX450', 'MX-450', 'mx 450']) {
      expect(titles(await find(`q=${encodeURIComponent(`${q} ${w}`)}`)), q).toEqual([`Patient monitor MX-450 keeps rebooting ${w}`]);
    }
  });

  it('stems words, matches phrases, excludes -words, and puts solved threads and title matches first', async () => {
    expect(titles(await find(`q=${encodeURIComponent(`alarm transport ${w}`)}`))).toEqual([`Pump alarms during transport ${w}`]);
    const air = await find(`q=${encodeURIComponent(`"air in line" ${w}`)}`);
    expect(titles(air)).toEqual([`Air in line alarm on the infusion pump ${w}`, `Air in line alarm again ${w}`]);
    // The solved thread's best post is its accepted answer.
    expect(air.results[0].post.id).toBe(ids.answer);
    expect(air.results[0].post.isSolution).toBe(true);
    expect(air.results[0].rank).toBeGreaterThan(air.results[1].rank);
    expect(air.results[0].snippetHtml).toMatch(/<mark>air<\/mark>/i);
    expect(titles(await find(`q=${encodeURIComponent(`"line air" ${w}`)}`))).toEqual([]);
    expect(titles(await find(`q=${encodeURIComponent(`"air in line" -another ${w}`)}`))).toEqual([
      `Air in line alarm on the infusion pump ${w}`
    ]);
  });

  it('filters by board, role tag, solved, manufacturer, model, error code and tag; unknown values answer 400', async () => {
    const q = `q=${encodeURIComponent(w)}`;
    expect(titles(await find(`${q}&board=ce`))).toEqual([`Pump alarms during transport ${w}`]);
    expect(titles(await find(`${q}&roleTag=CE`))).toEqual([`Pump alarms during transport ${w}`]);
    expect(titles(await find(`${q}&solved=true`))).toEqual([`Air in line alarm on the infusion pump ${w}`]);
    expect((await find(`${q}&solved=false`)).results.length).toBe(7);
    expect(titles(await find(`${q}&manufacturer=philips`))).toEqual([`Patient monitor MX-450 keeps rebooting ${w}`]);
    expect(titles(await find(`${q}&manufacturer=BD&model=${encodeURIComponent('alaris 8015')}`))).toEqual([
      `Air in line alarm on the infusion pump ${w}`
    ]);
    expect(titles(await find(`${q}&errorCode=ail7`))).toEqual([`Air in line alarm on the infusion pump ${w}`]);
    expect(titles(await find(`${q}&tag=tag${w}`))).toEqual([`Pump alarms during transport ${w}`]);
    for (const [filter, field] of [
      ['board=nope', 'board'],
      ['roleTag=RN', 'roleTag'],
      ['solved=yes', 'solved'],
      ['manufacturer=Acme%20Nonexistent', 'manufacturer'],
      ['model=Nope%209000', 'model'],
      ['tag=no-such-tag-here', 'tag'],
      ['errorCode=---', 'errorCode']
    ] as const) {
      const res = await call(ctx.app, 'GET', `/search?${q}&${filter}`);
      expectError(res, 400, 'validation_failed');
      expect(JSON.stringify(res.data.error), filter).toContain(field);
    }
  });

  it('never finds deleted threads or deleted posts', async () => {
    expect(titles(await find(`q=${encodeURIComponent(`calibration ${w}`)}`))).toEqual([]);
    expect(titles(await find(`q=${encodeURIComponent(`xylophone ${w}`)}`))).toEqual([]);
  });

  it('pages with a keyset cursor, without repeats, one result per thread', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { results: any[]; nextCursor: string | null } = await find(
        `q=${encodeURIComponent(w)}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`
      );
      seen.push(...page.results.map((r) => r.thread.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen.length).toBe(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen).not.toContain(ids.deleted);
  });

  it('answers hostile queries with a 400 or an empty result, never a 500, and fast', async () => {
    const started = Date.now();
    for (const q of ['', '   ', 'a'.repeat(10_000), 'pump\u0000alarm']) {
      expectError(await call(ctx.app, 'GET', `/search?q=${encodeURIComponent(q)}`), 400, 'validation_failed');
    }
    expectError(await call(ctx.app, 'GET', '/search'), 400, 'validation_failed');
    for (const q of [
      '&|!():*<->',
      "'; drop table posts; --",
      '"unbalanced quote',
      'back\\slash \\\\ \\',
      '-only -negated',
      '!!! ((( ))) <-> <2> :*',
      "pump:* & !alarm | 'x'",
      '"" "" ""',
      '-"air in line"',
      'the of and',
      `${'E-2'.repeat(60)}`
    ]) {
      const res = await call(ctx.app, 'GET', `/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, `${q}: ${res.body}`).toBe(200);
      expect(Array.isArray(res.data.results)).toBe(true);
    }
    for (const cursor of [
      'x',
      Buffer.from('["a",2]').toString('base64url'),
      Buffer.from('["NaN",1]').toString('base64url'),
      Buffer.from('[1e400,1]').toString('base64url')
    ]) {
      expectError(await call(ctx.app, 'GET', `/search?q=pump&cursor=${cursor}`), 400, 'validation_failed');
    }
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('the search index kept current by the write path', () => {
  it('follows edits, moves, accepts, deletes, restores and patient-data reviews', async () => {
    const mod = await registerUser(ctx.app);
    await setRole(ctx.app, mod.user.id, 'moderator');
    const k = unique('kw').toLowerCase();
    const { thread, post } = await createThread(ctx.app, asker.token, {
      title: `Index probe ${k}`,
      body: `Original wording quokka ${k}`,
      kind: 'question'
    });
    const only = async (query: string) => titles(await find(query));

    // An edit: the new words are found, the old ones no longer.
    expect(
      (await call(ctx.app, 'PATCH', `/posts/${post.id}`, { token: asker.token, body: { body: `Edited wording wombat ${k}` } })).statusCode
    ).toBe(200);
    expect(await only(`q=${encodeURIComponent(`wombat ${k}`)}`)).toEqual([`Index probe ${k}`]);
    expect(await only(`q=${encodeURIComponent(`quokka ${k}`)}`)).toEqual([]);

    // A move: the board filter follows the thread.
    expect(await only(`q=${k}&board=bmet`)).toEqual([`Index probe ${k}`]);
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/move`, { token: mod.token, body: { boardSlug: 'ce' } })).statusCode).toBe(
      200
    );
    expect(await only(`q=${k}&board=bmet`)).toEqual([]);
    expect(await only(`q=${k}&board=ce`)).toEqual([`Index probe ${k}`]);

    // An accept: solved, and the answer ranks as the thread's best post; an unaccept undoes it.
    const answer = await reply(ctx.app, helper.token, thread.id, `The wombat answer ${k}`);
    expect(await only(`q=${k}&solved=true`)).toEqual([]);
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: answer.id } });
    const solved = await find(`q=${encodeURIComponent(`wombat ${k}`)}&solved=true`);
    expect(solved.results.map((r) => r.post.id)).toEqual([answer.id]);
    await call(ctx.app, 'POST', `/threads/${thread.id}/solution`, { token: asker.token, body: { postId: null } });
    expect(await only(`q=${k}&solved=true`)).toEqual([]);

    // A deleted reply, a deleted thread, a restored thread.
    const extra = await reply(ctx.app, helper.token, thread.id, `Platypus remark ${k}`);
    expect(await only(`q=${encodeURIComponent(`platypus ${k}`)}`)).toEqual([`Index probe ${k}`]);
    await call(ctx.app, 'DELETE', `/posts/${extra.id}`, { token: helper.token });
    expect(await only(`q=${encodeURIComponent(`platypus ${k}`)}`)).toEqual([]);
    await call(ctx.app, 'DELETE', `/threads/${thread.id}`, { token: mod.token, body: { reason: 'probe' } });
    expect(await only(`q=${k}`)).toEqual([]);
    expect((await call(ctx.app, 'POST', `/threads/${thread.id}/restore`, { token: mod.token })).statusCode).toBe(200);
    expect(await only(`q=${encodeURIComponent(`wombat ${k}`)}`)).toEqual([`Index probe ${k}`]);

    // A post its author confirmed despite the patient-data guard waits for review, unfound.
    const held = await call(ctx.app, 'POST', `/threads/${thread.id}/posts`, {
      token: helper.token,
      body: { body: `Patient: Jane Doe  MRN: 00482913 echidna ${k}`, confirmNoPhi: true }
    });
    expect(held.statusCode).toBe(201);
    expect(await only(`q=${encodeURIComponent(`echidna ${k}`)}`)).toEqual([]);
  });
});

describe('GET /api/v1/threads/similar', () => {
  it('shows likely duplicates of a title being typed, solved ones first', async () => {
    const res = await call(ctx.app, 'GET', `/threads/similar?title=${encodeURIComponent(`air in line alarm ${w}`)}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.data.threads.length).toBeLessThanOrEqual(5);
    expect(res.data.threads.slice(0, 2).map((t: any) => t.id)).toEqual([ids.solved, ids.unsolved]);
    expect(res.data.threads[0].solved).toBe(true);
    const byModel = await call(ctx.app, 'GET', `/threads/similar?title=${encodeURIComponent('screen')}&model=IntelliVue%20MX450`);
    expect(byModel.data.threads.map((t: any) => t.id)).toContain(ids.mx);
    const byCode = await call(ctx.app, 'GET', `/threads/similar?title=${encodeURIComponent(`E-203 ${w}`)}`);
    expect(byCode.data.threads[0].id).toBe(ids.e203);
  });

  it('answers short, empty and hostile titles without an error', async () => {
    for (const title of ['', 'ab', '&|!():*<->', "'; select 1; --", '"\\', 'x'.repeat(300)]) {
      const res = await call(ctx.app, 'GET', `/threads/similar?title=${encodeURIComponent(title)}`);
      expect(res.statusCode, `${title}: ${res.body}`).toBe(200);
    }
    expectError(await call(ctx.app, 'GET', `/threads/similar?title=${'x'.repeat(301)}`), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', `/threads/similar?title=a%00b`), 400, 'validation_failed');
  });

  it('keeps moderators and admins under the same rules (nothing deleted shows)', async () => {
    const mod = await registerUser(ctx.app);
    await setRole(ctx.app, mod.user.id, 'moderator');
    const res = await call(ctx.app, 'GET', `/search?q=${encodeURIComponent(`calibration ${w}`)}`, { token: mod.token });
    expect(res.data.results).toEqual([]);
  });
});

describe('GET /api/v1/threads (across boards) and /sitemap/threads', () => {
  it('lists the latest threads of every board and the unanswered questions, keyset-paged', async () => {
    const latest = await call(ctx.app, 'GET', '/threads?limit=3');
    expect(latest.statusCode).toBe(200);
    const times = latest.data.threads.map((t: any) => Date.parse(t.lastPostAt));
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page: any = await call(ctx.app, 'GET', `/threads?sort=unanswered&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(page.statusCode).toBe(200);
      for (const t of page.data.threads) {
        expect(t.replyCount).toBe(0);
        expect(t.kind).toBe('question');
        expect(seen.has(t.id)).toBe(false);
        seen.add(t.id);
      }
      cursor = page.data.nextCursor;
      if (cursor === null) break;
    }
    // Its one reply was deleted: it is waiting for an answer again.
    expect(seen.has(ids.unsolved!)).toBe(true);
    expect(seen.has(ids.e203!)).toBe(true);
    expectError(await call(ctx.app, 'GET', '/threads?sort=top'), 400, 'validation_failed');
    expectError(await call(ctx.app, 'GET', '/threads?cursor=nope'), 400, 'validation_failed');
  });

  it('pages every visible thread for the sitemap in blocks of ids', async () => {
    const mod = await registerUser(ctx.app);
    await setRole(ctx.app, mod.user.id, 'moderator');
    const { thread: gone } = await createThread(ctx.app, asker.token, { title: `Removed by a moderator ${w}` });
    expect((await call(ctx.app, 'DELETE', `/threads/${gone.id}`, { token: mod.token, body: { reason: 'spam' } })).statusCode).toBe(204);
    expect(titles(await find(`q=${encodeURIComponent(`removed moderator ${w}`)}`))).toEqual([]);
    const res = await call(ctx.app, 'GET', '/sitemap/threads');
    expect(res.statusCode).toBe(200);
    expect(res.data.pages).toBeGreaterThanOrEqual(1);
    const listed = res.data.threads.map((t: any) => t.id);
    expect(listed).toContain(ids.solved);
    expect(listed).not.toContain(gone.id);
    expect((await call(ctx.app, 'GET', '/sitemap/threads?page=99')).data.threads).toEqual([]);
    expectError(await call(ctx.app, 'GET', '/sitemap/threads?page=-1'), 400, 'validation_failed');
  });
});
