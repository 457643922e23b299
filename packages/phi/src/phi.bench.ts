/**
 * `pnpm bench:phi`: what the detector costs per post (docs/phi.md keeps the figures).
 * A typical post (a few lines of troubleshooting with a pasted alarm log), a post with patient
 * data, the whole labelled corpus one post at a time, and a 50 KB device log.
 */
import { readFileSync } from 'node:fs';
import { bench, describe } from 'vitest';
import { findPhi } from './index.ts';

const typical = [
  'Alaris 8015 PC unit, channel B keeps throwing 255-10-820 (occlusion downstream) on the 4W pumps.',
  'Swapped the module, reseated the door, ran the occlusion test on the Fluke IDA-5: 17.9 psi, in spec.',
  '```',
  '2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=17.9psi CH-B RATE=125mL/h',
  '2024-03-02 16:07:46 Err 0x1F module B comm timeout FW 3.2.1.45',
  '```',
  'Baxter tech support (1-888-229-0001) says it is a known issue with the latch; anyone seen this on SN US52812345?'
].join('\n');
const withPhi = typical + '\nPatient Rosa Delgado in rm 412 was on it, MRN 00482913.';
const corpus = ['positive.txt', 'negative.txt'].flatMap((f) =>
  readFileSync(new URL(`../corpus/${f}`, import.meta.url), 'utf8')
    .split(/\n---\n/)
    .map((c) => c.replace(/\[\[|\]\]/g, ''))
);
let log = '';
for (let i = 0; log.length < 50_000; i++)
  log += `2024-03-02 16:07:${String(i % 60).padStart(2, '0')} ALARM 255-00-046 P_DOWN=17.9psi CH-A SN: US52812345 Room 412 Bed B\n`;

describe('findPhi', () => {
  bench(`typical post (${typical.length} chars)`, () => {
    findPhi(typical);
  });
  bench('typical post with patient data', () => {
    findPhi(withPhi);
  });
  bench(`whole corpus, ${corpus.length} posts one by one`, () => {
    for (const c of corpus) findPhi(c);
  });
  bench('50 KB device log', () => {
    findPhi(log);
  });
});
