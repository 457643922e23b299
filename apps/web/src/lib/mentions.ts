import type { UserSuggestion } from '@bmet/contracts';

/** What may not stand right before a mention's `@` (as the renderer decides, packages/markdown). */
const BLOCKED_BEFORE = /[\p{L}\p{N}\p{M}_.+\-=/\\&%#$@^`]/u;
const TYPED = /@([A-Za-z0-9_][A-Za-z0-9_.-]{0,31})$/;

/**
 * The @mention being typed at the caret: where its `@` is and what follows it, or null when the
 * caret is not at the end of one (an e-mail address, inline code, a fenced code block).
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const typed = TYPED.exec(before);
  if (typed === null) return null;
  const start = caret - typed[0].length;
  if (start > 0 && BLOCKED_BEFORE.test(before[start - 1]!)) return null;
  // A name running on after the caret is being edited in the middle: no suggestions then.
  if (/^[A-Za-z0-9_]/.test(text.slice(caret, caret + 1))) return null;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  if ((line.match(/`/g)?.length ?? 0) % 2 === 1) return null;
  const fences = before.split('\n').filter((l) => /^\s{0,3}(```|~~~)/.test(l)).length;
  if (fences % 2 === 1) return null;
  return { start, query: typed[1]! };
}

/** The text with the mention at `start..caret` completed to `@username `, and where the caret goes. */
export function completeMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const insert = `@${username}${after.startsWith(' ') ? '' : ' '}`;
  return { text: text.slice(0, start) + insert + after, caret: start + insert.length + (after.startsWith(' ') ? 1 : 0) };
}

const cache = new Map<string, UserSuggestion[]>();

/** Members for a mention (the thread's people first); answers are kept for the page's life. */
export async function fetchMentions(query: string, threadId: string | undefined, signal: AbortSignal): Promise<UserSuggestion[]> {
  const key = `${threadId ?? ''}:${query.toLowerCase()}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const params = new URLSearchParams({ q: query });
  if (threadId !== undefined) params.set('thread', threadId);
  const res = await fetch(`/api/v1/users?${params}`, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`mention suggestions answered ${res.status}`);
  const { users } = (await res.json()) as { users: UserSuggestion[] };
  if (cache.size > 200) cache.clear();
  cache.set(key, users);
  return users;
}
