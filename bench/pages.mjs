// pnpm bench:pages: the web app as a phone sees it. Lighthouse (mobile preset: a mid-range
// phone, slow 4G, 4x CPU slowdown) on the home page and a 200-post thread, signed out and
// signed in, with its performance and accessibility scores; and the elements each thread page
// renders (a member's page must stay within 1.5x of the signed-out one: no per-post forms).
//
//   pnpm bench:pages                      # PGlite in a temporary DATA_DIR
//   DATABASE_URL=postgres://... pnpm bench:pages
//   BENCH_LIGHTHOUSE_RUNS=3 pnpm bench:pages   # runs per page (the median is reported)
//
// Uses Debian's Chromium (/usr/bin/chromium, or CHROME_PATH). Every loop is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { build } from '../scripts/build.mjs';
import { api, waitFor } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { chromium } = createRequire(join(root, 'apps/web/package.json'))('playwright-core');
const RUNS = Math.min(5, Math.max(1, Number(process.env.BENCH_LIGHTHOUSE_RUNS ?? 3)));
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const port = 3980 + Math.floor(Math.random() * 9);
const base = `http://127.0.0.1:${port}`;
const buildDir = await build();
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-bench-pages-'));
const server = spawn(process.execPath, [join(buildDir, 'server.js')], {
  cwd: buildDir,
  env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', PORT: String(port), NODE_ENV: 'production' },
  stdio: ['ignore', 'inherit', 'inherit']
});

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  await waitFor(`${base}/readyz`, 120_000);
  const stamp = Date.now().toString(36);
  const register = (name, profession) =>
    api(base, 'POST', '/auth/register', { username: name, email: `${name}@example.org`, password: 'occlusion alarm at 3am', profession });
  const asker = await register(`asker${stamp}`, 'BMET');
  const helper = await register(`helper${stamp}`, 'CE');
  const post = (path, body, token) => api(base, 'POST', path, body, token);

  // A home page with some life in it, and one 200-reply troubleshooting thread.
  for (let i = 0; i < 12; i++) {
    await post(
      '/boards/bmet/threads',
      {
        kind: i % 2 ? 'discussion' : 'question',
        title: `Defibrillator analyzer check ${i}: energy reads low at 200 J`,
        body: 'Analyzer reads 168 J.'
      },
      asker.token
    );
  }
  const { thread } = await post(
    '/boards/bmet/threads',
    {
      kind: 'question',
      title: 'Alaris 8015 downstream occlusion alarm after tubing change',
      body: 'Every start gives **downstream occlusion**. New set, clamp open, tried two channels.',
      equipment: { manufacturer: 'BD', model: 'Alaris 8015', errorCode: '255-10-820' }
    },
    asker.token
  );
  let parent;
  for (let i = 0; i < 200; i++) {
    const res = await post(
      `/threads/${thread.id}/posts`,
      {
        body: `Reply ${i}: check the **door sensor** and the pressure transducer, then run the occlusion test again.\n\n- reseat the connector\n- clean the sensor window`,
        ...(i % 3 === 1 && parent ? { parentId: parent } : {})
      },
      i % 2 === 0 ? helper.token : asker.token
    );
    parent = res.post.id;
  }

  // Elements on the thread page, signed out and as the asker (Accept on every reply: the heaviest member view).
  const browser = await chromium.launch({ executablePath: CHROME, args: FLAGS });
  const count = async (token) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    if (token) await context.addCookies([{ name: 'session', value: token, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/t/${thread.id}`);
    await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
    const n = await page.evaluate(() => document.querySelectorAll('*').length);
    await context.close();
    return n;
  };
  const elementsOut = await count(null);
  const elementsIn = await count(asker.token);
  await browser.close();

  const chrome = await chromeLauncher.launch({ chromePath: CHROME, chromeFlags: FLAGS });
  const rows = [];
  try {
    for (const [name, path] of [
      ['home page', '/'],
      ['thread page (200 posts)', `/t/${thread.id}`]
    ]) {
      for (const [who, token] of [
        ['signed out', null],
        ['signed in', asker.token]
      ]) {
        const runs = [];
        // A run Lighthouse itself could not record (NO_NAVSTART, NO_FCP) is run again, twice at most.
        for (let r = 0, retries = 0; r < RUNS; r++) {
          const result = await lighthouse(
            `${base}${path}`,
            {
              port: chrome.port,
              output: 'json',
              logLevel: 'error',
              onlyCategories: ['performance', 'accessibility'],
              ...(token ? { extraHeaders: { Cookie: `session=${token}` } } : {})
            },
            undefined
          );
          const lhr = result.lhr;
          if (lhr.runtimeError !== undefined && retries < 2 * RUNS) {
            console.error(`  ${name}, ${who}: Lighthouse could not record the run (${lhr.runtimeError.code}); again`);
            retries++;
            r--;
            continue;
          }
          runs.push({
            performance: Math.round(lhr.categories.performance.score * 100),
            accessibility: Math.round(lhr.categories.accessibility.score * 100),
            tbt: lhr.audits['total-blocking-time'].numericValue,
            lcp: lhr.audits['largest-contentful-paint'].numericValue,
            dom: lhr.audits['dom-size']?.numericValue ?? null,
            failed: Object.values(lhr.audits)
              .filter((a) => lhr.categories.accessibility.auditRefs.some((ref) => ref.id === a.id) && a.score === 0)
              .map((a) => a.id)
          });
        }
        const pick = (key) => median(runs.map((r) => r[key]));
        rows.push({
          page: name,
          who,
          performance: pick('performance'),
          accessibility: pick('accessibility'),
          tbt: Math.round(pick('tbt')),
          lcp: Math.round(pick('lcp')),
          dom: pick('dom'),
          failed: [...new Set(runs.flatMap((r) => r.failed))]
        });
        console.error(`  ${name}, ${who}: ${JSON.stringify(rows.at(-1))}`);
      }
    }
  } finally {
    await chrome.kill();
  }

  console.log(`\nLighthouse ${RUNS} run(s) per page, median, mobile preset, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}\n`);
  console.log('| page | who | performance | accessibility | total blocking time | LCP | DOM elements (Lighthouse) |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.page} | ${r.who} | ${r.performance} | ${r.accessibility} | ${r.tbt} ms | ${r.lcp} ms | ${r.dom ?? '-'} |`);
  }
  for (const r of rows) if (r.failed.length > 0) console.log(`\n${r.page}, ${r.who}: failed accessibility audits: ${r.failed.join(', ')}`);
  console.log(
    `\nThread page elements after hydration (390x844): signed out ${elementsOut}, signed in as the asker ${elementsIn} (${(elementsIn / elementsOut).toFixed(2)}x)`
  );
} finally {
  server.kill('SIGTERM');
}
