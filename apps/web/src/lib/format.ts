const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60]
];
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'minute') return rtf.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A time zone name the runtime knows (an IANA name such as Europe/Berlin), else null. */
export function validTimeZone(name: string | undefined | null): string | null {
  if (typeof name !== 'string' || name.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(name)) return null;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return name;
  } catch {
    return null;
  }
}

/**
 * "3 Dec 2026, 15:52 CET": the absolute time in the reader's zone (UTC until the browser said
 * which). One formatter per zone, made once: formatting with options each time costs ~50x more.
 */
export function fullTime(iso: string, timeZone = 'UTC'): string {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short'
    });
    if (formatters.size > 50) formatters.clear();
    formatters.set(timeZone, format);
  }
  return format.format(new Date(iso));
}

/** The zone this browser is in; null on the server. */
let browserZone: string | undefined;
export function browserTimeZone(): string | null {
  if (typeof window === 'undefined') return null;
  // Asked once per page: every <time> of a thread asks, and each answer makes two formatters.
  browserZone ??= validTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone) ?? '';
  return browserZone === '' ? null : browserZone;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * A same-site path to return to after logging in, or "/" for anything else. Browsers drop tabs
 * and newlines inside URLs and read "\\" as "/", so "/\t/evil.example" or "/\\evil.example"
 * would leave the site: any control character or backslash is refused outright.
 */
export function safeNext(next: string | null | undefined): string {
  if (next === null || next === undefined) return '/';
  if (!next.startsWith('/') || next.startsWith('//')) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  const base = 'http://same.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  return url.pathname + url.search + url.hash;
}

/** "battery, #alarm, , battery" -> ["battery", "alarm"]: trimmed, no leading #, no blanks or repeats. */
export function parseTags(input: string): string[] {
  const tags = input
    .split(',')
    .map((t) => t.trim().replace(/^#+/, '').trim())
    .filter((t) => t !== '');
  return [...new Set(tags)];
}

export const professionLabel: Record<string, string> = {
  BMET: 'BMET',
  CE: 'CE',
  BME: 'BME',
  other: 'Member'
};
