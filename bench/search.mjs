// pnpm bench:search: a generated forum of BENCH_SEARCH_THREADS threads (default 100,000) of
// BENCH_SEARCH_REPLIES + 1 posts each (default 10: 1,000,000 posts) on PostgreSQL, seeded in bulk
// (SQL, through the real schema and its search trigger), then the latencies of the search API
// over HTTP for each query shape, with and without a filter, and of similar-question lookups;
// then the reply write path with the search trigger on and off.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench:search
//
// It creates (and drops first) the database bmet_search_bench on that server. Every loop is
// bounded in time; all load goes to 127.0.0.1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';
import { api, waitFor } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pg = createRequire(join(root, 'packages/db/package.json'))('pg');
const THREADS = Number(process.env.BENCH_SEARCH_THREADS ?? 100_000);
const REPLIES = Number(process.env.BENCH_SEARCH_REPLIES ?? 9);
const BATCH = 2_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SKIP_SEED = process.env.BENCH_SEARCH_REUSE === '1';

/**
 * The counters the app keeps in its write transactions, which the bulk seed bypasses: threads
 * and posts per board, threads per model and manufacturer (and solved), tags and their
 * membership. Search reads them to
 * choose its path, so the benchmark has them right.
 */
async function countAsTheApp(q) {
  await q(`update boards b set thread_count = c.n, post_count = c.p from (
    select board_id, count(*)::int n, sum(reply_count + 1)::int p from threads where deleted_at is null group by board_id) c
    where c.board_id = b.id`);
  await q(`update models m set thread_count = c.n, solved_count = c.s from (
    select model_id, count(*)::int n, (count(*) filter (where solution_post_id is not null))::int s
    from threads where deleted_at is null and model_id is not null group by model_id) c where c.model_id = m.id`);
  await q(`update manufacturers m set thread_count = c.n, solved_count = c.s from (
    select manufacturer_id, count(*)::int n, (count(*) filter (where solution_post_id is not null))::int s
    from threads where deleted_at is null and manufacturer_id is not null group by manufacturer_id) c where c.manufacturer_id = m.id`);
  // One rare tag, on the threads of the rare code: a filter that leaves few posts.
  await q(`update threads set tags = array_append(tags, 'recall')
    where equipment_error_code like 'E-1____' and not ('recall' = any(tags))`);
  await q(`insert into thread_tags (tag, thread_id, created_at)
    select tag, t.id, t.created_at from threads t, unnest(t.tags) as tag where t.deleted_at is null on conflict do nothing`);
  await q(`insert into tags (name, thread_count) select tag, count(*)::int from thread_tags group by tag
    on conflict (name) do update set thread_count = excluded.thread_count`);
}

const adminUrl = process.env.DATABASE_URL;
if (adminUrl === undefined) {
  console.error('bench:search measures PostgreSQL: set DATABASE_URL (a server where it may create bmet_search_bench)');
  process.exit(2);
}
const benchUrl = new URL(adminUrl);
benchUrl.pathname = '/bmet_search_bench';

if (!SKIP_SEED) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists bmet_search_bench with (force)');
  await admin.query('create database bmet_search_bench');
  await admin.end();
}

const port = 3950 + Math.floor(Math.random() * 40);
const base = `http://127.0.0.1:${port}`;
const buildDir = await build();
const server = spawn(process.execPath, [join(buildDir, 'server.js')], {
  cwd: buildDir,
  env: { ...process.env, DATABASE_URL: benchUrl.href, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', PORT: String(port) },
  stdio: ['ignore', 'inherit', 'inherit']
});
const db = new pg.Client({ connectionString: benchUrl.href });

const SYMPTOMS = [
  'downstream occlusion alarm',
  'upstream occlusion alarm',
  'air in line alarm',
  'door open error',
  'battery fault',
  'pump alarm during infusion',
  'pressure sensor failure',
  'self test failed',
  'display flickers',
  'no power after a drop',
  'SpO2 reading drops',
  'ECG lead off message',
  'NIBP cuff leak',
  'printer jam',
  'network disconnect',
  'calibration out of tolerance',
  'fan noise and overheating',
  'touchscreen not responding',
  'flow sensor error',
  'keypad stuck'
];
const ACTIONS = [
  'Replaced the door latch assembly',
  'Cleaned the air in line sensor with an alcohol swab',
  'Reseated the main board connector',
  'Updated the firmware',
  'Swapped the battery pack',
  'Recalibrated the pressure transducer',
  'Replaced the power supply',
  'Checked the tubing and the cassette',
  'Ran the service self test again',
  'Sent it back to the manufacturer'
];
// Filler as BMETs write it: "pump" and "alarm" in a large share of posts, as on a real forum.
const FILLER = [
  'Checked the service manual first.',
  'The alarm comes back after a few minutes on the pump.',
  'Happens on every pump on the ward.',
  'Biomed bench test passed before.',
  'PM was done last month, no alarm then.',
  'The unit is five years old.',
  'Nurses report the alarm at night mostly.',
  'Tried a new set and a new pole clamp on the pump.',
  'Logs attached below.',
  'Any ideas before I open the pump up?',
  'Same alarm on the spare pump.',
  'Alarm history exported from the pump.'
];

const q = (text, params) => db.query(text, params);
const bar = (done, total, started) => {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / ((Date.now() - started) / 1000);
  process.stdout.write(
    `\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} threads, ${Math.round(rate * (REPLIES + 1)).toLocaleString('en-US')} posts/s`
  );
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sequential requests for SECONDS: one searcher at a time, so latency is the query's own. */
async function measure(name, path) {
  const times = [];
  let results = 0;
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end && times.length < 2000) {
    const started = performance.now();
    const res = await fetch(base + path);
    const body = await res.json();
    times.push(performance.now() - started);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    results = (body.results ?? body.threads).length;
  }
  times.sort((a, b) => a - b);
  const row = { name, n: times.length, results, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
  console.log(
    `  ${name.padEnd(44)} p50 ${row.p50.toFixed(1)} ms  p95 ${row.p95.toFixed(1)} ms  p99 ${row.p99.toFixed(1)} ms  (${row.n} runs, ${results} results)`
  );
  return row;
}

try {
  await waitFor(`${base}/readyz`, 120_000);
  await db.connect();
  const stamp = Date.now().toString(36);
  const asker = await api(base, 'POST', '/auth/register', {
    username: `search_a_${stamp}`,
    email: `a_${stamp}@bench.test`,
    password: 'benchmark password 1',
    profession: 'BMET'
  });
  const models = [
    ['BD', 'Alaris 8015', 'Infusion pump'],
    ['Baxter', 'Sigma Spectrum', 'Infusion pump'],
    ['B. Braun', 'Infusomat Space', 'Infusion pump'],
    ['Philips', 'IntelliVue MX450', 'Patient monitor'],
    ['Philips', 'IntelliVue MP70', 'Patient monitor'],
    ['GE HealthCare', 'Carescape B650', 'Patient monitor'],
    ['Zoll', 'R Series', 'Defibrillator'],
    ['Stryker', 'LIFEPAK 15', 'Defibrillator'],
    ['Dräger', 'Evita V500', 'Ventilator'],
    ['Medtronic', 'Puritan Bennett 980', 'Ventilator'],
    ['Welch Allyn', 'Connex Spot', 'Patient monitor'],
    ['Mindray', 'BeneView T5', 'Patient monitor']
  ];
  if (!SKIP_SEED) {
    console.log(
      `seeding ${THREADS.toLocaleString('en-US')} threads of ${REPLIES + 1} posts (${(THREADS * (REPLIES + 1)).toLocaleString('en-US')} posts)`
    );
    // One thread per model through the API, so manufacturers and models exist as the app makes them.
    for (const [manufacturer, model, category] of models) {
      await api(
        base,
        'POST',
        '/boards/bmet/threads',
        {
          title: `${model} first thread`,
          body: 'Seeded by pnpm bench:search.',
          kind: 'question',
          equipment: { manufacturer, model, category, errorCode: null }
        },
        asker.token
      );
    }
    const users = (
      await q(
        `insert into users (username, display_name, email, password_hash, profession)
         select 'seed' || g, 'Seed user ' || g, 'seed' || g || '@bench.test', 'x', (array['BMET','CE','BME'])[1 + g % 3]
         from generate_series(1, 500) g returning id`
      )
    ).rows.map((r) => Number(r.id));
    const boards = (await q(`select id from boards order by id`)).rows.map((r) => Number(r.id));
    const modelRows = (
      await q(`select m.id, m.manufacturer_id, m.name, f.name as maker from models m join manufacturers f on f.id = m.manufacturer_id`)
    ).rows;
    const modelIds = modelRows.map((m) => Number(m.id));
    const makerIds = modelRows.map((m) => Number(m.manufacturer_id));
    const modelNames = modelRows.map((m) => m.name);
    const makers = modelRows.map((m) => m.maker);
    const started = Date.now();
    for (let from = 0; from < THREADS; from += BATCH) {
      const to = Math.min(THREADS, from + BATCH);
      await q('begin');
      // Threads: a model, a symptom, an error code (E-100..E-999, a rare 5-digit one now and then)
      // and a part number on some; bodies from the same vocabulary, so common words are common.
      await q(
        `create temp table if not exists batch (n int, id bigint, m int, s int, board int, author int, solved boolean, code text, created timestamptz) on commit delete rows`
      );
      await q(
        `insert into batch (n, m, s, board, author, solved, code, created)
         select g, 1 + floor(random() * cardinality($1::bigint[])), 1 + floor(random() * cardinality($2::text[])),
                1 + floor(random() * $5::int), 1 + floor(random() * $6::int), random() < 0.3,
                case when g % 97 = 0 then 'E-' || (10000 + g % 90000) else 'E-' || (100 + (g * 31) % 900) end,
                date_trunc('milliseconds', now()) - ((${THREADS} - g) * interval '5 minutes')
         from generate_series($3::int, $4::int) g`,
        [modelIds, SYMPTOMS, from, to - 1, boards.length, users.length]
      );
      await q(
        `with made as (
           insert into threads (board_id, author_id, title, kind, created_at, last_post_at, reply_count, post_seq,
                                equipment_manufacturer, equipment_model, equipment_error_code, manufacturer_id, model_id, tags)
           select ($3::bigint[])[b.board], ($2::bigint[])[b.author],
                  ($7::text[])[b.m] || ' ' || ($6::text[])[b.m] || ' ' || ($1::text[])[b.s] || ' ' || b.code,
                  case when b.n % 5 = 0 then 'discussion' else 'question' end, b.created, b.created + interval '2 hours', ${REPLIES}, ${REPLIES + 1},
                  ($7::text[])[b.m], ($6::text[])[b.m], b.code, ($5::bigint[])[b.m], ($4::bigint[])[b.m],
                  case when b.n % 4 = 0 then array['alarm'] when b.n % 4 = 1 then array['battery', 'pm'] else '{}' end
           from batch b order by b.n
           returning id, created_at
         )
         update batch b set id = made.id from made where made.created_at = b.created`,
        [SYMPTOMS, users, boards, modelIds, makerIds, modelNames, makers]
      );
      await q(
        `insert into posts (thread_id, parent_id, author_id, path, seq, depth, body_markdown, body_html, created_at)
         select b.id, null, ($4::bigint[])[1 + (b.n * 13 + k) % cardinality($4::bigint[])],
                lpad(k::text, 7, '0'), k, case when k = 0 then 0 else 1 end, t.body, '<p>' || t.body || '</p>',
                b.created + k * interval '10 minutes'
         from batch b cross join generate_series(0, ${REPLIES}) k
         cross join lateral (select case when k = 0
           then ($1::text[])[b.s] || ' on the ' || ($6::text[])[b.m] || ' ' || ($5::text[])[b.m] || '. Error ' || b.code || ' shown. ' || ($3::text[])[1 + (b.n + k) % cardinality($3::text[])]
           else ($2::text[])[1 + (b.n * 3 + k) % cardinality($2::text[])] || '. ' || ($3::text[])[1 + (b.n * 7 + k) % cardinality($3::text[])] ||
                case when (b.n + k) % 11 = 0 then ' Part ' || (100 + b.n % 900) || '-' || (10 + k) || '-' || (100 + (b.n * k) % 900) || ' ordered.' else '' end
           end as body) t`,
        [SYMPTOMS, ACTIONS, FILLER, users, modelNames, makers]
      );
      // Replies hang under the opening post: their paths are the OP's segment plus their own.
      await q(
        `update posts p set parent_id = op.id, path = op.path || p.path from batch b join posts op on op.thread_id = b.id and op.seq = 0
         where p.thread_id = b.id and p.seq > 0`
      );
      // Three questions in ten are solved by their first reply.
      await q(
        `update threads t set solution_post_id = p.id from batch b join posts p on p.thread_id = b.id and p.seq = 1
         where t.id = b.id and b.solved and t.kind = 'question'`
      );
      await q('commit');
      // As autovacuum would: the triggers' plans need to know the tables are no longer empty.
      if ((from / BATCH) % 5 === 0) await q('analyze posts, threads, post_search');
      bar(to, THREADS, started);
    }
    process.stdout.write('\n');
    console.log(`  seeded in ${((Date.now() - started) / 1000).toFixed(0)} s; counting and analyzing`);
    await countAsTheApp(q);
    await q('analyze');
  }
  const counts = (await q(`select (select count(*) from posts) as posts, (select count(*) from post_search) as docs`)).rows[0];
  console.log(`  ${Number(counts.posts).toLocaleString('en-US')} posts, ${Number(counts.docs).toLocaleString('en-US')} search documents`);
  const rare =
    (await q(`select equipment_error_code as c from threads where equipment_error_code like 'E-1____' limit 1`)).rows[0]?.c ?? 'E-10097';
  const share = (
    await q(
      `select count(*) filter (where search @@ websearch_to_tsquery('english', 'pump alarm'))::float / count(*) as s from post_search`
    )
  ).rows[0].s;
  console.log(`  "pump alarm" matches ${(share * 100).toFixed(0)} % of all posts; the rare code is ${rare}`);

  if (SKIP_SEED) await countAsTheApp(q);
  const rows = [];
  const shapes = [
    ['a rare code', rare],
    ['a model', 'Alaris 8015'],
    ['two common words', 'pump alarm'],
    ['a phrase', '"air in line"']
  ];
  for (const [name, text] of shapes) {
    rows.push(await measure(`${name}: ${text}`, `/api/v1/search?limit=20&q=${encodeURIComponent(text)}`));
    rows.push(
      await measure(`${name} + board=bmet&solved=true`, `/api/v1/search?limit=20&board=bmet&solved=true&q=${encodeURIComponent(text)}`)
    );
  }
  // Common words under a common tag (a quarter of the threads: the walk) and under a rare one
  // (the rare code's threads: the filter read first).
  const tagged = (await q(`select name, thread_count from tags where thread_count > 0 order by thread_count desc, name`)).rows;
  for (const tag of new Set([tagged[0], tagged[tagged.length - 1]])) {
    if (tag === undefined) continue;
    const url = `/api/v1/search?limit=20&tag=${encodeURIComponent(tag.name)}&q=pump%20alarm`;
    rows.push(await measure(`two common words + tag=${tag.name} (${tag.thread_count} threads)`, url));
  }
  rows.push(
    await measure('similar: title', `/api/v1/threads/similar?title=${encodeURIComponent('Alaris pump keeps giving air in line alarm')}`)
  );
  rows.push(
    await measure(
      'similar: title + model + code',
      `/api/v1/threads/similar?title=${encodeURIComponent('occlusion alarm')}&model=Alaris%208015&errorCode=${encodeURIComponent(rare)}`
    )
  );

  // The write path: replies with the search trigger, then without it, same thread, same bodies.
  const { thread } = await api(
    base,
    'POST',
    '/boards/bmet/threads',
    { title: 'Write path probe', body: 'Probe.', kind: 'discussion' },
    asker.token
  );
  async function writes(label) {
    const times = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end && times.length < 3000) {
      const started = performance.now();
      await api(
        base,
        'POST',
        `/threads/${thread.id}/posts`,
        { body: `${label}, reply ${times.length}: checked the pump alarm log, E-203 again.` },
        asker.token
      );
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const row = { name: label, n: times.length, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
    console.log(`  ${label.padEnd(44)} p50 ${row.p50.toFixed(1)} ms  p95 ${row.p95.toFixed(1)} ms  (${row.n} writes)`);
    return row;
  }
  const withIndex = await writes('reply written, search document kept');
  await q('alter table posts disable trigger posts_search');
  const without = await writes('reply written, no search trigger');
  await q('alter table posts enable trigger posts_search');
  console.log(`  write path cost of search: ${(((withIndex.p50 - without.p50) / without.p50) * 100).toFixed(1)} % at the median`);
  console.log(JSON.stringify({ rows, withIndex, without }, null, 1));
} finally {
  await db.end().catch(() => {});
  server.kill('SIGTERM');
}
