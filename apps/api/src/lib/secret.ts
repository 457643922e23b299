import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Conn } from '@bmet/db/client';
import { siteSettings } from '@bmet/db/schema';
import { eq } from 'drizzle-orm';

/**
 * The forum's secret key (AES-256-GCM), which keeps two-factor keys unreadable in a copy of the
 * database. From SECRET_KEY when set (the way to run in production: the key then lives apart from
 * the data); otherwise generated once and kept in `site_settings`, so a fresh install works and
 * every instance that shares the database agrees on it.
 */
async function loadSecretKey(db: Conn, configured: string | undefined): Promise<SecretBox> {
  if (configured !== undefined) return new SecretBox(createHash('sha256').update(configured).digest());
  await db
    .insert(siteSettings)
    .values({ key: 'secret_key', value: randomBytes(32).toString('base64') })
    .onConflictDoNothing();
  const [row] = await db.select({ value: siteSettings.value }).from(siteSettings).where(eq(siteSettings.key, 'secret_key'));
  if (typeof row?.value !== 'string') throw new Error('site_settings.secret_key is missing or malformed');
  return new SecretBox(Buffer.from(row.value, 'base64'));
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  }

  /** nonce (12 bytes) || ciphertext || tag (16 bytes). */
  seal(plain: Uint8Array): Uint8Array {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
  }

  /** The plain bytes, or null when the box was not sealed with this key (or was tampered with). */
  open(sealed: Uint8Array): Uint8Array | null {
    if (sealed.length < 12 + 16) return null;
    const bytes = Buffer.from(sealed);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]));
    } catch {
      return null;
    }
  }
}

/** The secret key, read once when first needed (the database may not answer at start-up). */
export class SecretKeyring {
  private box: Promise<SecretBox> | null = null;

  constructor(
    private readonly db: Conn,
    private readonly configured: string | undefined
  ) {}

  get(): Promise<SecretBox> {
    this.box ??= loadSecretKey(this.db, this.configured).catch((err: unknown) => {
      this.box = null;
      throw err;
    });
    return this.box;
  }
}
