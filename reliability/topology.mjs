// The read-scaling topologies of issue 13, each built for real and torn down after:
//   replica:   a primary of the run's own, a streaming replica made from it with pg_basebackup
//              (replaying a second behind, so a read can be told apart), and the server with
//              DATABASE_REPLICA_URL: members always see their own writes, anonymous readers see
//              every write at once, other readers' lag-tolerant reads come from the replica, and
//              the replica going away costs nothing but the offload.
//   pgbouncer: Debian's pgbouncer in transaction mode in front of that primary, two instances
//              with DATABASE_URL through it and DATABASE_LISTEN_URL direct: they migrate, write,
//              read, and a reply posted on one reaches a live socket on the other.
import { createRequire } from 'node:module';
import { createCluster, createReplica, startPgBouncer } from './cluster.mjs';
import { api, assert, sleep, startServer, stopServer } from './lib.mjs';

const WebSocket = createRequire(import.meta.url)('ws');

async function member(origin, name) {
  const res = await api(origin, 'POST', '/auth/register', {
    username: name,
    email: `${name}@topology.example`,
    password: 'occlusion alarm at 3am',
    profession: 'BMET'
  });
  assert(res.status === 201, `register ${name}: ${res.status} ${JSON.stringify(res.data)}`);
  return { token: res.data.token, id: res.data.user.id };
}

const postIds = (page) => (page.data?.posts ?? []).map((p) => p.id);

async function replicaScenario(port, tag) {
  const primary = createCluster(port());
  let replica = null;
  const result = {};
  try {
    replica = createReplica(Number(new URL(primary.url).port), port(), '1s');
    const server = await startServer({ port: port(), env: { DATABASE_URL: primary.url, DATABASE_REPLICA_URL: replica.url } });
    try {
      const writer = await member(server.origin, `topw${tag}`);
      const reader = await member(server.origin, `topr${tag}`);
      const created = await api(
        server.origin,
        'POST',
        '/boards/bmet/threads',
        { title: `Replica run ${tag}`, body: 'Start.' },
        writer.token
      );
      assert(created.status === 201, `thread: ${created.status}`);
      const threadId = created.data.thread.id;
      const path = `/threads/${threadId}?limit=200`;
      await sleep(2500);

      // The reply count the board's list shows a member: a read that tolerates a little lag.
      const listed = async (token) =>
        (await api(server.origin, 'GET', '/boards/bmet/threads?limit=50', undefined, token)).data?.threads?.find((t) => t.id === threadId)
          ?.replyCount ?? -1;

      // 1. The writer reads their own reply at once, every time; so does an anonymous reader, and
      // so does another member on the thread's page (what every reader shares is loaded, after a
      // write, where an anonymous read goes: the primary until the replica has the write).
      let ownSeen = 0;
      let anonymousSeen = 0;
      let otherSawAtOnce = 0;
      let otherListedAtOnce = 0;
      const rounds = 15;
      for (let i = 0; i < rounds; i++) {
        const reply = await api(server.origin, 'POST', `/threads/${threadId}/posts`, { body: `reply ${i}` }, writer.token);
        assert(reply.status === 201, `reply: ${reply.status}`);
        const id = reply.data.post.id;
        if (postIds(await api(server.origin, 'GET', path, undefined, writer.token)).includes(id)) ownSeen += 1;
        if (postIds(await api(server.origin, 'GET', path)).includes(id)) anonymousSeen += 1;
        if (postIds(await api(server.origin, 'GET', path, undefined, reader.token)).includes(id)) otherSawAtOnce += 1;
        if ((await listed(reader.token)) === i + 1) otherListedAtOnce += 1;
      }
      assert(ownSeen === rounds, `the writer saw their own reply ${ownSeen} of ${rounds} times`);
      assert(anonymousSeen === rounds, `an anonymous reader saw the new reply ${anonymousSeen} of ${rounds} times`);
      assert(otherSawAtOnce === rounds, `another member saw the new reply on the thread page ${otherSawAtOnce} of ${rounds} times`);
      // Another member's list tolerates the lag: it came from the replica, a second behind.
      assert(otherListedAtOnce < rounds, 'every list read of the other member came from the primary: the replica served nothing');
      result.otherMemberListedAtOnce = `${otherListedAtOnce} of ${rounds}`;
      // A moment later the replica has it, and the other member reads it there.
      await sleep(2500);
      const last = await listed(reader.token);
      assert(last === rounds, `after the lag the other member's list counts ${last} of ${rounds} replies`);

      // 2. The replica goes away: reads go to the primary (within a poll), nothing fails after.
      await replica.stop();
      await sleep(1000);
      const statuses = {};
      for (let i = 0; i < 20; i++) {
        const res = await api(server.origin, 'GET', path, undefined, reader.token);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
      assert(statuses[200] === 20, `with the replica down, reads answered ${JSON.stringify(statuses)}`);
      const fresh = await api(server.origin, 'POST', `/threads/${threadId}/posts`, { body: 'while the replica is down' }, writer.token);
      assert(fresh.status === 201, `a write with the replica down: ${fresh.status}`);
      assert(
        postIds(await api(server.origin, 'GET', path, undefined, reader.token)).includes(fresh.data.post.id),
        'with the replica down, a read missed a committed reply'
      );
      result.replicaDown = statuses;
      // 3. Back: it catches up and takes reads again.
      await replica.start();
      let back = false;
      for (let i = 0; i < 60 && !back; i++) {
        await sleep(500);
        const reply = await api(server.origin, 'POST', `/threads/${threadId}/posts`, { body: `after ${i}` }, writer.token);
        await sleep(50);
        const own = (await api(server.origin, 'GET', path, undefined, writer.token)).data?.thread?.replyCount ?? -1;
        back = reply.status === 201 && (await listed(reader.token)) < own;
      }
      assert(back, 'the replica, started again, never served a read again');
      result.replicaBack = true;
      assert(server.alive(), 'the server exited');
    } finally {
      await stopServer(server);
    }
  } finally {
    replica?.drop();
    primary.drop();
  }
  return result;
}

async function pgbouncerScenario(port, tag) {
  const primary = createCluster(port());
  const bouncer = await startPgBouncer(Number(new URL(primary.url).port), port());
  const result = {};
  try {
    const env = { DATABASE_URL: bouncer.url, DATABASE_LISTEN_URL: primary.url };
    const one = await startServer({ port: port(), env });
    const two = await startServer({ port: port(), env });
    try {
      const writer = await member(one.origin, `topb${tag}`);
      const created = await api(
        one.origin,
        'POST',
        '/boards/bmet/threads',
        { title: `PgBouncer run ${tag}`, body: 'Start.' },
        writer.token
      );
      assert(created.status === 201, `thread through pgbouncer: ${created.status} ${JSON.stringify(created.data)}`);
      const threadId = created.data.thread.id;
      // A live socket on the second instance, subscribed to the thread.
      const socket = new WebSocket(`${two.origin.replace('http', 'ws')}/api/v1/live`);
      const frames = [];
      socket.on('message', (data) => frames.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'subscribe', threadId }));
      await sleep(500);
      const writes = 30;
      const ids = [];
      for (let i = 0; i < writes; i++) {
        const reply = await api(one.origin, 'POST', `/threads/${threadId}/posts`, { body: `through pgbouncer ${i}` }, writer.token);
        assert(reply.status === 201, `reply through pgbouncer: ${reply.status} ${JSON.stringify(reply.data)}`);
        ids.push(reply.data.post.id);
      }
      const deadline = Date.now() + 10_000;
      const heard = () => frames.filter((f) => f.type === 'post.created').map((f) => f.post.id);
      while (heard().length < writes && Date.now() < deadline) await sleep(100);
      socket.close();
      assert(
        ids.every((id) => heard().includes(id)),
        `the other instance's socket heard ${heard().length} of ${writes} replies`
      );
      const page = await api(two.origin, 'GET', `/threads/${threadId}?limit=200`);
      assert(page.status === 200 && page.data.posts.length === writes + 1, `the other instance read ${page.data?.posts?.length} posts`);
      result.liveAcrossInstances = `${heard().length} of ${writes}`;
      assert(one.alive() && two.alive(), 'an instance exited');
    } finally {
      await stopServer(one);
      await stopServer(two);
    }
  } finally {
    await bouncer.stop();
    primary.drop();
  }
  return result;
}

export async function checkTopologies(port) {
  const tag = Date.now().toString(36);
  return { replica: await replicaScenario(port, tag), pgbouncer: await pgbouncerScenario(port, tag) };
}
