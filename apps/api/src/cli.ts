import { openDatabase } from '@bmet/db/client';
import { migrate } from '@bmet/db/migrate';
import { users } from '@bmet/db/schema';
import { eq, sql } from 'drizzle-orm';
import { loadConfig } from './config.ts';

const ROLES = ['member', 'moderator', 'admin'] as const;
type Role = (typeof ROLES)[number];

const usage = `usage: pnpm cli set-role <username> <member|moderator|admin>

Uses the same configuration as the server (DATABASE_URL, or DATA_DIR for the embedded database).`;

async function setRole(username: string, role: Role): Promise<number> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database, config.migrationsDir);
    const rows = await database.db
      .update(users)
      .set({ role })
      .where(eq(sql`lower(${users.username})`, username.toLowerCase()))
      .returning({ username: users.username, role: users.role });
    const row = rows[0];
    if (row === undefined) {
      console.error(`no user named "${username}"`);
      return 1;
    }
    console.log(`${row.username} is now ${row.role}`);
    return 0;
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, username, role] = argv;
  if (command === 'set-role' && username !== undefined && ROLES.includes(role as Role)) {
    return setRole(username, role as Role);
  }
  console.error(usage);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
);
