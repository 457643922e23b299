/**
 * An IANA time zone as the runtime names it ("america/chicago" -> "America/Chicago"), or null
 * for anything else. The digest's hour is worked out by PostgreSQL, whose zone database knows
 * these names too.
 */
export function canonicalTimeZone(zone: string): string | null {
  const trimmed = zone.trim();
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(trimmed)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}
