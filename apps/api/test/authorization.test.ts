import { beforeAll, describe, expect, it } from 'vitest';
import { call, createThread, registerUser, reply, setRole, unique, useApp } from './helper.ts';

/**
 * The authorization walk: every route, as each kind of caller, against a fresh fixture each
 * time, with the status the contract implies. A moderator "of this board" moderates bmet, where
 * every fixture lives; the one "of another board" moderates ce only.
 */
const ctx = useApp();

const roles = ['anonymous', 'member', 'suspended', 'modThis', 'modOther', 'admin'] as const;
type Role = (typeof roles)[number];
type U = Awaited<ReturnType<typeof registerUser>>;
const callers = {} as Record<Exclude<Role, 'anonymous'>, U>;
let owner: U;
let helper: U;
let spareBoard: string;
let originalId: string;

interface Fixture {
  threadId: string;
  postId: string;
  replyId: string;
  reportId: string;
  target: string;
}

async function fixture(): Promise<Fixture> {
  const { thread, post } = await createThread(ctx.app, owner.token, { kind: 'question' });
  const answer = await reply(ctx.app, helper.token, thread.id, `Check the door sensor ${unique('r')}`);
  const report = await call(ctx.app, 'POST', `/posts/${answer.id}/report`, { token: owner.token, body: { reason: 'other' } });
  const target = await registerUser(ctx.app);
  return { threadId: thread.id, postId: post.id, replyId: answer.id, reportId: report.data.report.id, target: target.user.username };
}

const until = () => new Date(Date.now() + 86_400_000).toISOString();
const asAdmin = (method: 'POST' | 'DELETE', url: string, body?: unknown) =>
  call(ctx.app, method, url, { token: callers.admin.token, body });

interface Case {
  route: string;
  url: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  prepare?: (f: Fixture) => Promise<unknown>;
  expect: Record<Role, number>;
}

const GET_ALL = { anonymous: 200, member: 200, suspended: 200, modThis: 200, modOther: 200, admin: 200 };
const SIGNED_IN = { anonymous: 401, member: 200, suspended: 200, modThis: 200, modOther: 200, admin: 200 };
const MODS = { anonymous: 401, member: 403, suspended: 403, modThis: 200, modOther: 200, admin: 200 };
const BOARD_MODS = { anonymous: 401, member: 403, suspended: 403, modThis: 200, modOther: 403, admin: 200 };
const WRITERS = { anonymous: 401, member: 200, suspended: 403, modThis: 200, modOther: 200, admin: 200 };
const CREATORS = { anonymous: 401, member: 201, suspended: 403, modThis: 201, modOther: 201, admin: 201 };
const ADMINS = { anonymous: 401, member: 403, suspended: 403, modThis: 403, modOther: 403, admin: 200 };

const cases: Record<string, Case> = {
  'GET /boards': { route: 'GET', url: () => '/boards', expect: GET_ALL },
  'GET /boards/:slug': { route: 'GET', url: () => '/boards/bmet', expect: GET_ALL },
  'GET /boards/:slug/threads': { route: 'GET', url: () => '/boards/bmet/threads', expect: GET_ALL },
  'GET /threads/:id': { route: 'GET', url: (f) => `/threads/${f.threadId}`, expect: GET_ALL },
  'GET /threads': { route: 'GET', url: () => '/threads?sort=unanswered', expect: GET_ALL },
  'GET /sitemap/threads': { route: 'GET', url: () => '/sitemap/threads', expect: GET_ALL },
  'GET /search': { route: 'GET', url: () => '/search?q=door%20sensor', expect: GET_ALL },
  'GET /search/counts': { route: 'GET', url: () => '/search/counts?q=door%20sensor', expect: GET_ALL },
  'GET /equipment': { route: 'GET', url: () => '/equipment', expect: GET_ALL },
  'GET /equipment/manufacturers/:manufacturer': {
    route: 'GET',
    url: () => '/equipment/manufacturers/philips?sort=unanswered',
    expect: GET_ALL
  },
  'GET /threads/similar': { route: 'GET', url: () => '/threads/similar?title=occlusion%20alarm', expect: GET_ALL },
  'GET /posts/:id/revisions': { route: 'GET', url: (f) => `/posts/${f.replyId}/revisions`, expect: GET_ALL },
  'GET /users/:username': { route: 'GET', url: (f) => `/users/${f.target}`, expect: GET_ALL },
  'GET /users/:username/posts': { route: 'GET', url: (f) => `/users/${f.target}/posts`, expect: GET_ALL },
  'GET /mod/reports?author=': { route: 'GET', url: (f) => `/mod/reports?status=all&author=${f.target}`, expect: MODS },
  'GET /me': { route: 'GET', url: () => '/me', expect: SIGNED_IN },
  'GET /notifications': { route: 'GET', url: () => '/notifications', expect: SIGNED_IN },
  'GET /me/watches': { route: 'GET', url: () => '/me/watches', expect: SIGNED_IN },
  'GET /mod/reports': { route: 'GET', url: () => '/mod/reports', expect: MODS },
  'GET /mod/log': { route: 'GET', url: () => '/mod/log', expect: MODS },
  'GET /users/:username/suspension': { route: 'GET', url: (f) => `/users/${f.target}/suspension`, expect: MODS },
  'GET /admin/boards': { route: 'GET', url: () => '/admin/boards', expect: ADMINS },
  'POST /boards/:slug/threads': {
    route: 'POST',
    url: () => '/boards/bmet/threads',
    body: () => ({ title: `Sigma Spectrum ${unique('t')} air in line`, body: 'Air-in-line alarm on every bag.' }),
    expect: CREATORS
  },
  'POST /threads/:id/posts': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/posts`,
    body: () => ({ body: `Swap the sensor ${unique('b')}` }),
    expect: CREATORS
  },
  'PATCH /posts/:id': {
    route: 'PATCH',
    url: (f) => `/posts/${f.postId}`,
    body: () => ({ body: 'Edited by someone' }),
    expect: { ...BOARD_MODS }
  },
  'DELETE /posts/:id': { route: 'DELETE', url: (f) => `/posts/${f.postId}`, expect: { ...BOARD_MODS, modThis: 204, admin: 204 } },
  'POST /posts/:id/vote': { route: 'POST', url: (f) => `/posts/${f.replyId}/vote`, body: () => ({ value: 1 }), expect: WRITERS },
  'POST /threads/:id/solution': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/solution`,
    body: (f) => ({ postId: f.replyId }),
    expect: BOARD_MODS
  },
  'POST /threads/:id/lock': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/lock`,
    body: () => ({ locked: true }),
    expect: BOARD_MODS
  },
  'POST /threads/:id/pin': { route: 'POST', url: (f) => `/threads/${f.threadId}/pin`, body: () => ({ pinned: true }), expect: BOARD_MODS },
  // Moving needs the destination too: the bmet moderator does not moderate ce.
  'POST /threads/:id/move': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/move`,
    body: () => ({ boardSlug: 'ce' }),
    expect: { ...BOARD_MODS, modThis: 403 }
  },
  // The original lives on another board: closing needs only this board's moderators.
  'POST /threads/:id/duplicate': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/duplicate`,
    body: () => ({ of: originalId }),
    expect: BOARD_MODS
  },
  'DELETE /threads/:id': { route: 'DELETE', url: (f) => `/threads/${f.threadId}`, expect: { ...BOARD_MODS, modThis: 204, admin: 204 } },
  'POST /threads/:id/restore': {
    route: 'POST',
    url: (f) => `/threads/${f.threadId}/restore`,
    prepare: (f) => asAdmin('DELETE', `/threads/${f.threadId}`),
    expect: BOARD_MODS
  },
  'POST /posts/:id/restore': {
    route: 'POST',
    url: (f) => `/posts/${f.replyId}/restore`,
    prepare: (f) => asAdmin('DELETE', `/posts/${f.replyId}`),
    expect: BOARD_MODS
  },
  'POST /posts/:id/report': { route: 'POST', url: (f) => `/posts/${f.replyId}/report`, body: () => ({ reason: 'spam' }), expect: CREATORS },
  // A report on a board one does not moderate is as unknown as a missing one.
  'POST /mod/reports/:id/resolve': {
    route: 'POST',
    url: (f) => `/mod/reports/${f.reportId}/resolve`,
    body: () => ({ resolution: 'dismiss' }),
    expect: { ...BOARD_MODS, modOther: 404 }
  },
  'POST /users/:username/suspend': {
    route: 'POST',
    url: (f) => `/users/${f.target}/suspend`,
    body: () => ({ until: until(), reason: 'test' }),
    expect: MODS
  },
  'DELETE /users/:username/suspend': {
    route: 'DELETE',
    url: (f) => `/users/${f.target}/suspend`,
    prepare: (f) => asAdmin('POST', `/users/${f.target}/suspend`, { until: until(), reason: 'test' }),
    // The admin's suspension is site-wide: board moderators lift only their boards' suspensions.
    expect: { ...MODS, modThis: 409, modOther: 409 }
  },
  'PUT /threads/:id/subscription': {
    route: 'PUT',
    url: (f) => `/threads/${f.threadId}/subscription`,
    body: () => ({ level: 'muted' }),
    expect: WRITERS
  },
  'PUT /boards/:slug/watch': { route: 'PUT', url: () => '/boards/bmet/watch', body: () => ({ watching: true }), expect: WRITERS },
  'POST /notifications/read': { route: 'POST', url: () => '/notifications/read', body: () => ({ all: true }), expect: SIGNED_IN },
  'POST /admin/boards': {
    route: 'POST',
    url: () => '/admin/boards',
    body: () => ({ slug: unique('board').toLowerCase(), name: 'A new board' }),
    expect: { ...ADMINS, admin: 201 }
  },
  'PATCH /admin/boards/:slug': {
    route: 'PATCH',
    url: () => `/admin/boards/${spareBoard}`,
    body: () => ({ description: 'Edited' }),
    expect: ADMINS
  },
  'PUT /admin/boards/:slug/moderators': {
    route: 'PUT',
    url: () => `/admin/boards/${spareBoard}/moderators`,
    body: () => ({ usernames: [] }),
    expect: ADMINS
  }
};

beforeAll(async () => {
  owner = await registerUser(ctx.app);
  helper = await registerUser(ctx.app);
  for (const role of roles) if (role !== 'anonymous') callers[role] = await registerUser(ctx.app);
  await setRole(ctx.app, callers.admin.user.id, 'admin');
  const assign = async (board: string, u: U) => {
    const res = await call(ctx.app, 'PUT', `/admin/boards/${board}/moderators`, {
      token: callers.admin.token,
      body: { usernames: [u.user.username] }
    });
    expect(res.statusCode).toBe(200);
  };
  await assign('bmet', callers.modThis);
  await assign('ce', callers.modOther);
  spareBoard = unique('spare').toLowerCase();
  originalId = (await createThread(ctx.app, owner.token, { board: 'ce', kind: 'question' })).thread.id;
  await asAdmin('POST', '/admin/boards', { slug: spareBoard, name: 'Spare board' });
  await asAdmin('POST', `/users/${callers.suspended.user.username}/suspend`, { until: until(), reason: 'walk' });
});

describe('the authorization walk', () => {
  it('answers every route as the contract implies for each kind of caller', async () => {
    const mismatches: string[] = [];
    for (const [name, c] of Object.entries(cases)) {
      for (const role of roles) {
        const f = await fixture();
        await c.prepare?.(f);
        const res = await call(ctx.app, c.route as 'GET', c.url(f), {
          ...(role === 'anonymous' ? {} : { token: callers[role].token }),
          ...(c.body === undefined ? {} : { body: c.body(f) })
        });
        if (res.statusCode !== c.expect[role])
          mismatches.push(`${name} as ${role}: expected ${c.expect[role]}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
        if (res.statusCode >= 400 && (typeof res.data?.error?.code !== 'string' || res.body.includes('    at '))) {
          mismatches.push(`${name} as ${role}: malformed error body ${res.body.slice(0, 160)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
