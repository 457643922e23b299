/**
 * The detector measured on the labelled corpus in ../corpus (see the header of
 * positive.txt for the format). Prints recall and the share of clean posts
 * accepted, for the tuning part and the held-out part, and lists the misses;
 * docs/phi.md keeps the latest figures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPhi } from './index.ts';

interface Case {
  text: string;
  /** [start, end) of each [[marked]] span in `text` (markers removed). */
  spans: [number, number][];
  heldOut: boolean;
}

function readCorpus(name: string): Case[] {
  const raw = readFileSync(new URL(`../corpus/${name}`, import.meta.url), 'utf8');
  const cases: Case[] = [];
  let heldOut = false;
  let lines: string[] = [];
  const flush = (): void => {
    const body = lines.join('\n').trim();
    lines = [];
    if (body === '') return;
    let text = '';
    const spans: [number, number][] = [];
    let rest = body;
    for (let open = rest.indexOf('[['); open !== -1; open = rest.indexOf('[[')) {
      const close = rest.indexOf(']]', open);
      if (close === -1) throw new Error(`unclosed [[ in ${name}: ${body}`);
      text += rest.slice(0, open);
      const start = text.length;
      text += rest.slice(open + 2, close);
      spans.push([start, text.length]);
      rest = rest.slice(close + 2);
    }
    text += rest;
    cases.push({ text, spans, heldOut });
  };
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith(';;')) continue;
    if (line === '---') {
      flush();
      continue;
    }
    if (line === '@@held-out') {
      flush();
      heldOut = true;
      continue;
    }
    lines.push(line);
  }
  flush();
  return cases;
}

const positive = readCorpus('positive.txt');
const negative = readCorpus('negative.txt');

function caught(c: Case): boolean {
  return findPhi(c.text).some((f) => c.spans.some(([s, e]) => f.start < e && f.end > s));
}

function pct(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(1)}%`;
}

interface Figures {
  recall: number;
  accepted: number;
  missed: Case[];
  refused: Case[];
}

function measure(heldOut: boolean | null): Figures {
  const pos = positive.filter((c) => heldOut === null || c.heldOut === heldOut);
  const neg = negative.filter((c) => heldOut === null || c.heldOut === heldOut);
  const missed = pos.filter((c) => !caught(c));
  const refused = neg.filter((c) => findPhi(c.text).length > 0);
  const figures = {
    recall: (pos.length - missed.length) / pos.length,
    accepted: (neg.length - refused.length) / neg.length,
    missed,
    refused
  };
  const name = heldOut === null ? 'all' : heldOut ? 'held-out' : 'tuning';
  const lines = [
    `PHI corpus (${name}): recall ${pct(pos.length - missed.length, pos.length)} (${pos.length - missed.length}/${pos.length}),` +
      ` clean accepted ${pct(neg.length - refused.length, neg.length)} (${neg.length - refused.length}/${neg.length})`
  ];
  for (const c of missed) lines.push(`  missed:  ${JSON.stringify(c.text.slice(0, 120))}`);
  for (const c of refused) {
    const f = findPhi(c.text)[0];
    lines.push(`  refused: ${JSON.stringify(c.text.slice(0, 120))} -> ${f?.kind} ${JSON.stringify(f?.excerpt)}`);
  }
  console.log(lines.join('\n'));
  return figures;
}

describe('PHI corpus', () => {
  it('is big enough and well formed', () => {
    expect(positive.length).toBeGreaterThanOrEqual(200);
    expect(negative.length).toBeGreaterThanOrEqual(200);
    for (const c of positive) expect(c.spans.length, c.text).toBeGreaterThan(0);
    for (const c of negative) expect(c.spans, c.text).toEqual([]);
    expect(positive.some((c) => c.heldOut)).toBe(true);
    expect(negative.some((c) => c.heldOut)).toBe(true);
  });

  it('tuning part: recall >= 98%, clean accepted >= 97%', () => {
    const f = measure(false);
    expect(f.recall).toBeGreaterThanOrEqual(0.98);
    expect(f.accepted).toBeGreaterThanOrEqual(0.97);
  });

  // The held-out part is blind set 8, never tuned on (docs/phi.md). First measured at 84.7% recall
  // and 94.7% accepted; rules written for blind set 9 lifted it to 90.0% / 98.0%. Still short of
  // the 95% goal for unseen posts. These floors keep a change from making it worse; raise them
  // when the detector improves, and never tune on the set itself.
  it('held-out part (blind set 8): no worse than today (recall >= 89%, clean accepted >= 97%)', () => {
    const f = measure(true);
    expect(f.recall).toBeGreaterThanOrEqual(0.89);
    expect(f.accepted).toBeGreaterThanOrEqual(0.97);
  });

  it('whole corpus: printed, with the misses listed', () => {
    const f = measure(null);
    expect(f.recall).toBeGreaterThanOrEqual(0.95);
    expect(f.accepted).toBeGreaterThanOrEqual(0.98);
  });
});
