// pnpm --filter @bmet/markdown bench: how long renderMarkdown takes on long posts (render runs on write).
import { realisticPost } from '../src/fixtures.ts';
import { renderMarkdown } from '../src/server.ts';

function measure(name: string, md: string, runs = 15): void {
  for (let i = 0; i < 3; i++) renderMarkdown(md);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    renderMarkdown(md);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`| ${name} | ${md.length} | ${p(0.5)} | ${p(0.9)} |`);
}

const dense =
  '## Section\n\nSome text with **bold**, `code`, a [link](https://x.example) and <b>html</b>.\n\n' +
  '| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconst x = 1 < 2;\n```\n\n- item\n- item\n\n';
console.log('| input | chars | p50 ms | p90 ms |\n|---|---:|---:|---:|');
measure('typical reply', realisticPost(600));
measure('long troubleshooting post', realisticPost(5_000));
measure('realistic post at the 50,000 limit', realisticPost(50_000));
measure('markup-dense post at the 50,000 limit', dense.repeat(Math.ceil(50_000 / dense.length)).slice(0, 50_000));
