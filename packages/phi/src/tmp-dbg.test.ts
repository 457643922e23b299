import { it } from 'vitest';
import { findPhi } from './index.ts';
it('dbg', () => {
  for (const t of (process.env.T ?? '').split('|')) console.log(t, JSON.stringify(findPhi(t).map((f) => [f.kind, f.excerpt])));
});
