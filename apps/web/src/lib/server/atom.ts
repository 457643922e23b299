import type { RequestEvent } from '@sveltejs/kit';
import type { Thread } from '@bmet/contracts';

/** One entry of a feed: a thread, or a search result (then with the matching text). */
export interface FeedEntry {
  thread: Thread;
  /** Plain text shown as the entry's summary. */
  summary: string;
  /** When the entry last changed (the thread's last activity, or the matching post). */
  updated: string;
}

const escapeXml = (s: string) =>
  s
    // XML 1.0 cannot carry most control characters at all, escaped or not.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function threadSummary(t: Thread): string {
  const parts = [t.kind === 'question' ? (t.solved ? 'Solved question' : 'Question') : 'Discussion'];
  const e = t.equipment;
  if (e !== null) parts.push([e.manufacturer, e.model, e.errorCode].filter((x) => x !== null && x !== '').join(' '));
  parts.push(`${t.replyCount} ${t.replyCount === 1 ? 'reply' : 'replies'}`);
  if (t.tags.length > 0) parts.push(t.tags.map((tag) => `#${tag}`).join(' '));
  return parts.filter((p) => p !== '').join(' · ');
}

/**
 * An Atom feed (RFC 4287) of threads, newest first: the feed's id, title, updated, author,
 * self and alternate links; each entry's id, title, updated, published, author, link and summary.
 */
export function atomFeed(
  event: RequestEvent,
  feed: { title: string; subtitle?: string; alternatePath: string },
  entries: FeedEntry[]
): Response {
  const origin = event.url.origin;
  const self = origin + event.url.pathname + event.url.search;
  const sorted = [...entries].sort((a, b) => Date.parse(b.updated) - Date.parse(a.updated));
  const updated = sorted[0]?.updated ?? new Date(0).toISOString();
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(self)}</id>`,
    `  <title>${escapeXml(feed.title)}</title>`,
    ...(feed.subtitle === undefined ? [] : [`  <subtitle>${escapeXml(feed.subtitle)}</subtitle>`]),
    `  <updated>${updated}</updated>`,
    `  <author><name>BMET Forum</name><uri>${escapeXml(origin)}/</uri></author>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(origin + feed.alternatePath)}"/>`,
    '  <generator>BMET Forum</generator>'
  ];
  for (const e of sorted) {
    const url = `${origin}/t/${e.thread.id}`;
    lines.push(
      '  <entry>',
      `    <id>${escapeXml(url)}</id>`,
      `    <title>${escapeXml(e.thread.title)}</title>`,
      `    <updated>${e.updated}</updated>`,
      `    <published>${e.thread.createdAt}</published>`,
      `    <author><name>${escapeXml(e.thread.author.displayName)}</name><uri>${escapeXml(`${origin}/u/${encodeURIComponent(e.thread.author.username)}`)}</uri></author>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
      ...e.thread.tags.map((tag) => `    <category term="${escapeXml(tag)}"/>`),
      `    <summary>${escapeXml(e.summary)}</summary>`,
      '  </entry>'
    );
  }
  lines.push('</feed>', '');
  return new Response(lines.join('\n'), {
    headers: {
      'content-type': 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff'
    }
  });
}

/** What a feed route answers when the API did not: the status, never a half feed. */
export function feedFailure(status: number): Response {
  const code = status === 404 ? 404 : status === 400 ? 400 : 503;
  const text = code === 404 ? 'No such feed' : code === 400 ? 'That feed link is not valid' : 'The forum is busy; try again shortly';
  return new Response(text, {
    status: code,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...(code === 503 ? { 'retry-after': '5' } : {}) }
  });
}
