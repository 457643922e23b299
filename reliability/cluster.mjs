// A PostgreSQL cluster of the run's own (pg_createcluster on another port), so restarting and
// crashing it never touches the shared server. Debian's postgresql-common tools, as root.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync } from 'node:fs';

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
