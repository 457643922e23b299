import { openTestDatabase } from '@bmet/db/test-support';
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { call, createThread, registerUser, reply, unique } from './helper.ts';

/**
 * The three ways a search gathers its candidates (domain/search.ts): reading the few posts a
 * filter leaves, ranking every match from the GIN index, or walking the quality index when the
 * statistics say the query matches many posts. Here one database serves three apps: the
 * default (on a small forum: filter first when filtered, else GIN), one that always walks and
 * one that never reads filter first. On a match set smaller than the walk's window all three
 * must answer every query the same.
 */
let gin: FastifyInstance;
let walk: FastifyInstance;
let noFilterFirst: FastifyInstance;
let shortWalk: FastifyInstance;
let close: () => Promise<void>;
const w = unique('wq').toLowerCase();

beforeAll(async () => {
  const database = await openTestDatabase(process.env.DATABASE_URL);
  gin = await buildApp({ database });
  walk = await buildApp({ database, searchTuning: { walkFrom: 0, filterFirstPosts: -1 } });
  noFilterFirst = await buildApp({ database, searchTuning: { filterFirstPosts: -1 } });
  // A walk that may read 3 posts runs out of rows, not matches, and must rank every match instead.
  shortWalk = await buildApp({ database, searchTuning: { walkFrom: 0, filterFirstPosts: -1, walkRows: 3 } });
  close = async () => {
    await shortWalk.close();
    await noFilterFirst.close();
    await walk.close();
    await gin.close();
    await database.close();
  };
  const asker = await registerUser(gin);
  const helper = await registerUser(gin, { profession: 'CE' });
  const make = async (title: string, body: string, extra: Record<string, unknown> = {}) =>
    (await createThread(gin, asker.token, { title, body, kind: 'question', ...extra })).thread;
  const solved = await make(`Air in line alarm on the pump ${w}`, `Air in line keeps sounding. ${w}`, {
    equipment: { manufacturer: 'BD', model: 'Alaris 8015', category: null, errorCode: 'AIL-7' }
  });
  const answer = await reply(gin, helper.token, solved.id, `Clean the air in line sensor; fixed ${w}.`);
  await call(gin, 'POST', `/threads/${solved.id}/solution`, { token: asker.token, body: { postId: answer.id } });
  await make(`Line air bubbles, not the alarm ${w}`, `Bubbles in the line but no air alarm ${w}`);
  await make(`Battery alarm during transport ${w}`, `Loud alarms when the battery runs low ${w}`, { board: 'ce', tags: [`walk${w}`] });
  await make(`Monitor shows E-203 ${w}`, `E-203 after boot, and the battery is new ${w}`);
  for (let i = 0; i < 6; i++) await make(`Pump alarm number ${i} ${w}`, `The pump alarm sounds again, case ${i} ${w}`);
  // Before any search reads them (they are cached): the table's size, which tells a walk that
  // ran out of rows from one that ran out of matches.
  await gin.db.execute(sql`analyze post_search`);
});

afterAll(async () => {
  await close?.();
});

const queries = [
  `${w}`,
  `alarm ${w}`,
  `alarms ${w}`,
  `"air in line" ${w}`,
  `"line air" ${w}`,
  `air line ${w}`,
  `alarm -battery ${w}`,
  `alarm -"air in line" ${w}`,
  `E-203 ${w}`,
  `pump ${w}&solved=true`,
  `alarm ${w}&board=ce`,
  `alarm ${w}&roleTag=CE`,
  `${w}&manufacturer=BD&model=alaris%208015`,
  `${w}&errorCode=ail7`,
  `alarm ${w}&tag=walk${w}`,
  `"air in line" ${w}&board=bmet`,
  `"sounds pump" ${w}`,
  `pump ${w}&errorCode=AIL-7`
];

describe('the three candidate paths answer alike', () => {
  it('for words, phrases, exclusions, codes and each filter', async () => {
    for (const query of queries) {
      const [q, ...filters] = query.split('&');
      const url = `/search?q=${encodeURIComponent(q!)}${filters.map((f) => `&${f}`).join('')}`;
      const a = await call(gin, 'GET', url);
      const b = await call(walk, 'GET', url);
      const c = await call(noFilterFirst, 'GET', url);
      const d = await call(shortWalk, 'GET', url);
      expect(a.statusCode, a.body).toBe(200);
      expect(b.statusCode, b.body).toBe(200);
      const view = (r: any) => r.data.results.map((x: any) => [x.thread.title, x.post.id, x.snippetHtml]);
      expect(view(b), query).toEqual(view(a));
      expect(view(c), query).toEqual(view(a));
      expect(view(d), query).toEqual(view(a));
      const ca = await call(gin, 'GET', url.replace('/search?', '/search/counts?'));
      const cb = await call(walk, 'GET', url.replace('/search?', '/search/counts?'));
      const cc = await call(noFilterFirst, 'GET', url.replace('/search?', '/search/counts?'));
      expect(cb.data, query).toEqual(ca.data);
      expect(cc.data, query).toEqual(ca.data);
    }
  });

  it('finds what each query should (so the equality above is not of two empty lists)', async () => {
    const titles = async (q: string) =>
      (await call(walk, 'GET', `/search?q=${encodeURIComponent(q)}`)).data.results.map((r: any) => r.thread.title);
    expect(await titles(`"air in line" ${w}`)).toEqual([`Air in line alarm on the pump ${w}`]);
    expect(await titles(`"line air" ${w}`)).toEqual([`Line air bubbles, not the alarm ${w}`]);
    expect((await titles(`alarm -battery ${w}`)).some((t: string) => t.includes('Battery'))).toBe(false);
    expect((await titles(`alarm ${w}`)).length).toBe(9);
    // `or` is a word here, not an operator: every term must match.
    expect(await titles(`air or line "air in line" ${w}`)).toEqual([`Air in line alarm on the pump ${w}`]);
    for (const app of [gin, walk]) {
      const res = await call(app, 'GET', `/search?q=${encodeURIComponent(`pump or -alarm ${w}`)}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.data.results.every((r: any) => !/alarm/i.test(r.snippetHtml))).toBe(true);
    }
    expect((await titles(`alarm ${w}`))[0]).toBe(`Air in line alarm on the pump ${w}`);
    // Paging through the walk: every thread once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call(
        walk,
        'GET',
        `/search?q=${encodeURIComponent(`alarm ${w}`)}&limit=4${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
      );
      seen.push(...res.data.results.map((r: any) => r.thread.id));
      cursor = res.data.nextCursor;
    } while (cursor !== null);
    expect(new Set(seen).size).toBe(9);
    expect(seen.length).toBe(9);
  });
});
