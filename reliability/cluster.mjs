// A PostgreSQL cluster of the run's own (pg_createcluster on another port), so restarting and
// crashing it never touches the shared server. Debian's postgresql-common tools, as root.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const version = readdirSync('/etc/postgresql').sort().at(-1);

function pg(command, args) {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

// Restarts run asynchronously: the load keeps writing (and failing) while the server is down.
const pgAsync = promisify(execFile);

export function createCluster(port) {
  const name = `bmetrel${process.pid}`;
  pg('pg_createcluster', [version, name, '-p', String(port), '--', '--auth-local=trust', '--auth-host=trust']);
  pg('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** A fast restart: the server ends every connection (57P01), as on a planned restart or upgrade. */
    restart: () => pgAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart', '-m', 'fast']),
    /** Stopped like a crash (no checkpoint), then started again after `downMs`: a failover's gap. */
    crash: async (downMs) => {
      await pgAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop', '-m', 'immediate']);
      await new Promise((r) => setTimeout(r, downMs));
      await pgAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
    },
    drop: () => {
      try {
        pg('pg_dropcluster', [version, name, '--stop']);
      } catch (err) {
        console.error(`could not drop cluster ${name}: ${err.message}`);
      }
    }
  };
}

/**
 * A streaming replica of `primary` (a cluster from createCluster) on `port`: a cluster made by
 * pg_basebackup -R, replaying `applyDelay` behind (recovery_min_apply_delay) so that a read sent
 * to it can be told from one sent to the primary.
 */
export function createReplica(primaryPort, port, applyDelay = '1s') {
  const name = `bmetrep${process.pid}`;
  pg('pg_createcluster', [version, name, '-p', String(port), '--', '--auth-local=trust', '--auth-host=trust']);
  const dataDir = `/var/lib/postgresql/${version}/${name}`;
  // Emptied, not removed: the directory is the postgres user's, its parent is not.
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  pg('runuser', [
    '-u',
    'postgres',
    '--',
    'pg_basebackup',
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    dataDir,
    '-R',
    '-X',
    'stream'
  ]);
  writeFileSync(`/etc/postgresql/${version}/${name}/conf.d/replica.conf`, `recovery_min_apply_delay = '${applyDelay}'\nhot_standby = on\n`);
  pg('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => pgAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'stop', '-m', 'immediate']),
    start: () => pgAsync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']),
    drop: () => {
      try {
        pg('pg_dropcluster', [version, name, '--stop']);
      } catch (err) {
        console.error(`could not drop cluster ${name}: ${err.message}`);
      }
    }
  };
}

/**
 * Debian's pgbouncer in transaction mode in front of the server on `serverPort`, listening on
 * `port`, run as the postgres user (it refuses root). Resolves once it accepts connections.
 */
export async function startPgBouncer(serverPort, port) {
  const dir = mkdtempSync(join(tmpdir(), 'bmet-pgbouncer-'));
  chmodSync(dir, 0o777);
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=127.0.0.1 port=${serverPort} user=postgres`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir = ''",
      'auth_type = any',
      'pool_mode = transaction',
      'max_client_conn = 500',
      'default_pool_size = 20',
      // node-postgres sends these as start-up parameters; set them on the database instead.
      'ignore_startup_parameters = statement_timeout,idle_in_transaction_session_timeout,extra_float_digits',
      ''
    ].join('\n')
  );
  const child = spawn('runuser', ['-u', 'postgres', '--', 'pgbouncer', ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-5000)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited: ${stderr}`);
    try {
      pg('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-q']);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
      }
      // runuser may not pass the signal on: whatever still runs with this configuration ends.
      try {
        pg('pkill', ['-f', ini]);
      } catch {
        // nothing left
      }
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
