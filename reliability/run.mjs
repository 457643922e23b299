// The slow reliability suite (.ci/run runs it after pnpm test; `node reliability/run.mjs` by hand):
//   1. PostgreSQL restarted and crashed under 20 writers and a reader;
//   2. write acknowledgement under 200 writers (publishing off the write path);
//   3. kill -9 under load, on PGlite and on PostgreSQL;
//   4. two instances started at once from one checkout, with a build to do;
//   5. the container's runtime layout: production dependencies only, a non-root user, its HEALTHCHECK;
//   6. the read-scaling topologies: a streaming replica (pg_basebackup) and PgBouncer in front.
// Every loop is bounded in time and every server is on 127.0.0.1. The figures are printed as
// JSON at the end (docs/reliability.md keeps the latest).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster } from './cluster.mjs';
import { account, api, assert, median, runLoad, setUpLoad, sleep, startServer, stopServer, untilReady } from './lib.mjs';
import { checkImageLayout } from './image.mjs';
import { checkTwoStarts } from './two-starts.mjs';
import { checkTopologies } from './topology.mjs';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const results = {};
let nextPort = 4300 + Math.floor(Math.random() * 500);
const port = () => nextPort++;
const tag = () => Date.now().toString(36) + Math.floor(Math.random() * 1000);

/** Writers and `threads` threads for them (replies to one thread take its row lock in turn). */
async function loadedThread(origin, writers, threads = 1) {
  const t = tag();
  const load = await setUpLoad(origin, { writers, tag: t });
  const threadIds = [];
  for (let i = 0; i < threads; i++) {
    const created = await api(
      origin,
      'POST',
      '/boards/general/threads',
      { title: `Reliability run ${t} ${i}`, body: 'Load target.' },
      load.admin.token
    );
    assert(created.status === 201, `creating a thread: ${created.status}`);
    threadIds.push(created.data.thread.id);
  }
  return { ...load, tag: t, threadId: threadIds[0], threadIds };
}

async function restarts(cluster) {
  const server = await startServer({ port: port(), env: { DATABASE_URL: cluster.url } });
  try {
    const setup = await loadedThread(server.origin, 20);
    const load = runLoad(server.origin, setup);
    const rounds = [];
    for (const kind of ['restart', 'restart', 'crash', 'crash']) {
      await sleep(3000);
      const ackedBefore = load.tally.acked.size;
      const started = Date.now();
      if (kind === 'restart') await cluster.restart();
      else await cluster.crash(2000);
      const back = Date.now() - started;
      const ready = await untilReady(server, 10_000);
      // Writes resume: new acknowledgements within 10 s of being ready again.
      const resumeStart = Date.now();
      while (load.tally.acked.size <= ackedBefore && Date.now() - resumeStart < 10_000) await sleep(50);
      const resumed = load.tally.acked.size > ackedBefore ? Date.now() - resumeStart : null;
      rounds.push({ kind, databaseDownMs: back, readyAfterMs: ready, writesResumedAfterMs: resumed, alive: server.alive() });
      assert(server.alive(), `the server exited after a ${kind}: ${server.stderr().slice(-1500)}`);
      assert(resumed !== null, `writes did not resume within 10 s after a ${kind}`);
    }
    await sleep(2000);
    const tally = await load.stop();
    assert(tally.bad === undefined, `a write answered ${tally.bad}`);
    const books = await account(server.origin, { ...setup, acked: tally.acked });
    assert(books.missing === 0, `${books.missing} acknowledged posts are missing`);
    assert(books.duplicates === 0, `${books.duplicates} posts are stored twice`);
    assert(books.replyCountExact && books.userCountsExact, 'the kept counters differ from the rows');
    return { rounds, statuses: tally.statuses, transportErrors: tally.errors, reads: tally.reads, ...books };
  } finally {
    await stopServer(server);
  }
}

async function ackLatency(cluster) {
  const server = await startServer({ port: port(), env: { DATABASE_URL: cluster.url } });
  try {
    const setup = await loadedThread(server.origin, 200, 10);
    const load = runLoad(server.origin, setup);
    await sleep(10_000);
    const tally = await load.stop();
    const sorted = [...tally.latencies].sort((a, b) => a - b);
    return {
      writers: 200,
      seconds: 10,
      acknowledged: tally.acked.size,
      medianMs: median(sorted),
      p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? null,
      statuses: tally.statuses
    };
  } finally {
    await stopServer(server);
  }
}

async function killNine(env, label) {
  const p = port();
  const first = await startServer({ port: p, env });
  let tally;
  let setup;
  try {
    // As many writers as the pool has connections twenty times over: a busy moment.
    setup = await loadedThread(first.origin, 200, 10);
    const load = runLoad(first.origin, setup);
    await sleep(8000);
    first.child.kill('SIGKILL');
    await first.exited;
    tally = await load.stop();
  } finally {
    await stopServer(first);
  }
  const second = await startServer({ port: p, env });
  try {
    const books = await account(second.origin, { ...setup, acked: tally.acked });
    assert(books.missing === 0, `${label}: ${books.missing} acknowledged posts are missing after kill -9`);
    assert(books.duplicates === 0, `${label}: ${books.duplicates} posts stored twice`);
    assert(books.replyCountExact && books.userCountsExact, `${label}: the kept counters differ from the rows after kill -9`);
    return {
      ...books,
      committedUnacknowledgedShare: books.stored === 0 ? 0 : Number((books.committedUnacknowledged / books.stored).toFixed(4)),
      statuses: tally.statuses
    };
  } finally {
    await stopServer(second);
  }
}

const started = Date.now();
const cluster = want('restart') || want('latency') || want('kill9') ? createCluster(port()) : null;
try {
  if (cluster !== null && want('restart')) results.postgresRestarts = await restarts(cluster);
  if (cluster !== null && want('latency')) results.ackLatency200Writers = await ackLatency(cluster);
  if (want('kill9')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bmet-rel-'));
    try {
      results.kill9PGlite = await killNine({ DATA_DIR: dataDir }, 'PGlite');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (cluster !== null) results.kill9PostgreSQL = await killNine({ DATABASE_URL: cluster.url }, 'PostgreSQL');
  }
} finally {
  cluster?.drop();
}
if (want('two-starts')) results.twoStarts = await checkTwoStarts(port(), port());
if (want('image')) results.image = await checkImageLayout(port());
if (want('topology')) results.topology = await checkTopologies(port);
results.seconds = Math.round((Date.now() - started) / 1000);
console.log(JSON.stringify(results, null, 2));
