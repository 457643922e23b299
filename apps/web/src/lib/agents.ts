/**
 * "Firefox on Linux", "Chrome on Android", "Safari on iPhone": a session's browser in words,
 * from the user agent it signed in with. Unknown ones say so; the raw text is kept for a title.
 */
export function describeAgent(ua: string | null): string {
  if (ua === null || ua.trim() === '') return 'An unknown browser';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : /curl|wget|python|node|okhttp/i.test(ua)
              ? 'A script or app'
              : 'A browser';
  const system = /iPhone/.test(ua)
    ? 'iPhone'
    : /iPad/.test(ua)
      ? 'iPad'
      : /Android/.test(ua)
        ? 'Android'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Mac OS X|Macintosh/.test(ua)
            ? 'macOS'
            : /CrOS/.test(ua)
              ? 'ChromeOS'
              : /Linux/.test(ua)
                ? 'Linux'
                : null;
  return system === null ? browser : `${browser} on ${system}`;
}
