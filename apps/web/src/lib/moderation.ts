/** Pure helpers behind the moderator tools, the report form and the read-only banners. */
import type { ModScope } from '@bmet/contracts';
import { fullTime } from './format.ts';

/** Whether the signed-in user's scope covers a board (false for members and when unknown). */
export function moderates(scope: ModScope | null | undefined, boardSlug: string): boolean {
  if (scope === null || scope === undefined) return false;
  return scope.all || scope.boards.includes(boardSlug);
}

/** Whether the user moderates anything at all: the header's Moderation link. */
export function moderatesAny(scope: ModScope | null | undefined): boolean {
  return scope !== null && scope !== undefined && (scope.all || scope.boards.length > 0);
}

interface BoardOption {
  slug: string;
  name: string;
  archived?: boolean;
}

/**
 * The boards a thread may be moved to by this moderator: not its own, not archived (the API
 * refuses both), and only boards they moderate.
 */
export function moveTargets<T extends BoardOption>(boards: readonly T[], scope: ModScope | null | undefined, current: string): T[] {
  return boards.filter((b) => b.slug !== current && b.archived !== true && moderates(scope, b.slug));
}

/** The report form's choices, in the API's terms. */
export const reportReasonLabels = [
  { value: 'spam', label: 'Spam' },
  { value: 'phi', label: 'Patient data (PHI)' },
  { value: 'unsafe', label: 'Unsafe advice' },
  { value: 'off_topic', label: 'Off-topic' },
  { value: 'other', label: 'Other' }
] as const;
export type ReportReasonValue = (typeof reportReasonLabels)[number]['value'];

export function isReportReason(value: unknown): value is ReportReasonValue {
  return reportReasonLabels.some((r) => r.value === value);
}

export const REASON_MAX = 500;
export const NOTE_MAX = 1000;

/**
 * A moderator's optional reason from a form: trimmed, `{}` when empty (the API then logs none),
 * or an error message when too long.
 */
export function reasonBody(raw: FormDataEntryValue | null): { reason?: string } | { error: string } {
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return {};
  if (text.length > REASON_MAX) return { error: `The reason must be at most ${REASON_MAX} characters.` };
  return { reason: text };
}

/** "Your account is suspended until 14 Mar 2025, 09:30 UTC: Repeated advertising." */
export function suspensionMessage(s: { until: string; reason: string }): string {
  const reason = s.reason.trim();
  return `Your account is suspended until ${fullTime(s.until)}${reason === '' ? '' : `: ${reason.replace(/[.!?]$/, '')}`}.`;
}

/** "You are suspended from this board until 14 Mar 2025, 09:30 UTC: Repeated advertising." */
export function boardSuspensionMessage(s: { until: string; reason: string }): string {
  const reason = s.reason.trim();
  return `You are suspended from this board until ${fullTime(s.until)}${reason === '' ? '' : `: ${reason.replace(/[.!?]$/, '')}`}.`;
}

/** The viewer's suspension from one board, if any (site-wide ones are the layout's banner). */
export function boardSuspensionOn(
  list: readonly { boardSlug: string; until: string; reason: string }[] | null | undefined,
  boardSlug: string
): { until: string; reason: string } | null {
  return list?.find((s) => s.boardSlug === boardSlug) ?? null;
}

/**
 * Where a thread page starts: at its opening post, or mid-thread (a later page, or a page that
 * starts at a linked or unread post), which then offers a way back to the start.
 */
export function startsMidThread(posts: readonly { depth: number }[], paged: boolean): boolean {
  if (paged) return true;
  const first = posts[0];
  return first !== undefined && first.depth > 0;
}

/** The first post marked unread in reading order, where the "New since your last visit" line goes. */
export function firstUnreadId(posts: readonly { id: string; unread?: boolean }[]): string | null {
  return posts.find((p) => p.unread === true)?.id ?? null;
}
