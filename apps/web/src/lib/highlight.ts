export type Segment = { text: string; mark: boolean };

/**
 * Splits `text` into plain and marked pieces for the given [start, end) ranges (character
 * offsets, as the API reports them). Ranges may overlap or fall outside the text; both are
 * tolerated, so a stale finding never throws.
 */
export function markRanges(text: string, ranges: { start: number; end: number }[]): Segment[] {
  const spans = ranges
    .map((r) => ({ start: Math.max(0, Math.min(r.start, text.length)), end: Math.max(0, Math.min(r.end, text.length)) }))
    .filter((r) => r.end > r.start)
    .sort((x, y) => x.start - y.start);
  const merged: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  const out: Segment[] = [];
  let at = 0;
  for (const s of merged) {
    if (s.start > at) out.push({ text: text.slice(at, s.start), mark: false });
    out.push({ text: text.slice(s.start, s.end), mark: true });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), mark: false });
  return out;
}
