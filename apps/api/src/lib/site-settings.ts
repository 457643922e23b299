import type { Conn } from '@bmet/db/client';
import { siteSettings } from '@bmet/db/schema';
import { sql } from 'drizzle-orm';

/** Settings an admin changes while the forum runs. */
export interface SiteSettings {
  /** Moderators and admins act as members until they have two-factor sign-in. */
  requireTwoFactorForModerators: boolean;
}

const DEFAULTS: SiteSettings = { requireTwoFactorForModerators: false };
const KEYS = Object.keys(DEFAULTS) as (keyof SiteSettings)[];

/**
 * Read on every request (the moderators' two-factor rule), so kept for a few seconds per
 * instance: a change reaches this instance at once and the others within `ttlMs`.
 */
export class SiteSettingsCache {
  private value: SiteSettings | null = null;
  private readAt = 0;
  private reading: Promise<SiteSettings> | null = null;

  constructor(private readonly ttlMs = 10_000) {}

  async get(db: Conn): Promise<SiteSettings> {
    if (this.value !== null && Date.now() - this.readAt < this.ttlMs) return this.value;
    this.reading ??= readSettings(db)
      .then((value) => {
        this.value = value;
        this.readAt = Date.now();
        return value;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  async set(db: Conn, change: Partial<SiteSettings>): Promise<SiteSettings> {
    for (const key of KEYS) {
      if (change[key] === undefined) continue;
      await db
        .insert(siteSettings)
        .values({ key, value: change[key] })
        .onConflictDoUpdate({ target: siteSettings.key, set: { value: change[key], updatedAt: sql`now()` } });
    }
    // Read through the caller's transaction, never a shared read in flight (on PGlite that read
    // would wait for this very transaction).
    this.value = await readSettings(db);
    this.readAt = Date.now();
    return this.value;
  }
}

async function readSettings(db: Conn): Promise<SiteSettings> {
  const rows = await db.select().from(siteSettings);
  const out = { ...DEFAULTS };
  for (const key of KEYS) {
    const row = rows.find((r) => r.key === key);
    if (row !== undefined && typeof row.value === typeof DEFAULTS[key]) (out as Record<string, unknown>)[key] = row.value;
  }
  return out;
}
