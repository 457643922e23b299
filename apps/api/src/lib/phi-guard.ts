import type { PhiFindingOnField } from '@bmet/contracts';
import type { Conn } from '@bmet/db/client';
import { phiReviews, reports } from '@bmet/db/schema';
import { describePhi, findPhi } from '@bmet/phi';
import { HttpError } from './http-error.ts';

export interface PhiRecord {
  kinds: string[];
  findings: PhiFindingOnField[];
}

/**
 * Runs the patient-data guard over a write's text fields. Suspected identifiers refuse the write
 * with 422 phi_suspected (naming each kind and where) unless the author confirmed there are
 * none; then the write goes ahead and the returned record is stored for moderator review.
 */
export function checkPhi(fields: Record<'title' | 'body', string | null>, confirmed: boolean): PhiRecord | null {
  const findings: PhiFindingOnField[] = [];
  const messages: Record<string, string> = {};
  for (const field of ['title', 'body'] as const) {
    const text = fields[field];
    if (text === null) continue;
    const found = findPhi(text);
    if (found.length === 0) continue;
    messages[field] = describePhi(found);
    findings.push(...found.map((f) => ({ ...f, field })));
  }
  if (findings.length === 0) return null;
  if (!confirmed) {
    throw new HttpError(
      422,
      'phi_suspected',
      'this looks like it contains patient data; remove it, or resend with confirmNoPhi: true if it does not',
      messages,
      undefined,
      { phi: findings }
    );
  }
  return { kinds: [...new Set(findings.map((f) => f.kind))], findings };
}

export async function recordPhiReview(tx: Conn, postId: number, authorId: number, record: PhiRecord | null): Promise<void> {
  if (record === null) return;
  await tx.insert(phiReviews).values({
    postId,
    authorId,
    kinds: record.kinds,
    findings: JSON.stringify(record.findings.map(({ kind, field, start, end, line }) => ({ kind, field, start, end, line })))
  });
  // Into the moderators' queue; a post already waiting there is not queued twice.
  await tx
    .insert(reports)
    .values({ postId, reporterId: null, reason: 'phi', note: `author confirmed no patient data; suspected: ${record.kinds.join(', ')}` })
    .onConflictDoNothing();
}
