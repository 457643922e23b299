// pnpm bench:uploads: how long the forum takes to take a photo or a PDF, end to end over HTTP
// (multipart in, sharp re-encode and thumbnail, two OCR passes, the patient-data guard, stored),
// and what a bare route answers in meanwhile (the work is off the event loop).
//
//   pnpm bench:uploads                      # PGlite in a temporary DATA_DIR
//   DATABASE_URL=postgres://... pnpm bench:uploads
//
// Samples: a 12-megapixel phone photo of a monitor (4000x3000 JPEG with EXIF and GPS), the same
// screen as a 1280x800 screenshot, and a one-page PDF service report. Every loop is bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../scripts/build.mjs';
import { api, waitFor } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sharp = createRequire(join(root, 'apps/api/package.json'))('sharp');
const fixture = (name) => readFileSync(join(root, 'apps/api/test/fixtures', name));
const RUNS = Number(process.env.BENCH_UPLOAD_RUNS ?? 6);

const port = 3990 + Math.floor(Math.random() * 9);
const base = `http://127.0.0.1:${port}`;
const buildDir = await build();
const dataDir = mkdtempSync(join(tmpdir(), 'bmet-bench-uploads-'));
const server = spawn(process.execPath, [join(buildDir, 'server.js')], {
  cwd: buildDir,
  env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMITS: 'off', PORT: String(port) },
  stdio: ['ignore', 'inherit', 'inherit']
});

try {
  await waitFor(`${base}/readyz`, 120_000);
  const { token } = await api(base, 'POST', '/auth/register', {
    username: `bench${Date.now().toString(36)}`,
    email: `bench${Date.now()}@example.org`,
    password: 'occlusion alarm at 3am',
    profession: 'BMET'
  });

  // A phone photo of the screen: 12 MP, slightly soft, with sensor noise (so it weighs what a
  // phone's JPEG weighs, 3-4 MB, and decodes as slowly), with GPS in its EXIF.
  const noise = Buffer.alloc(4000 * 3000 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = 128 + Math.round((Math.random() - 0.5) * 40);
  const photo = await sharp(fixture('monitor-phi.png'))
    .resize(4000, 3000, { fit: 'fill' })
    .blur(1.1)
    .composite([{ input: noise, raw: { width: 4000, height: 3000, channels: 3 }, blend: 'overlay' }])
    .modulate({ brightness: 0.95 })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: 'Apple', Model: 'iPhone 15' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '40/1 44/1 5487/100' } })
    .withMetadata({ orientation: 1 })
    .toBuffer();
  const samples = [
    { name: '12 MP phone photo of a monitor (4000x3000 JPEG)', data: photo, filename: 'IMG_0412.JPG', type: 'image/jpeg' },
    { name: 'screenshot 1280x800 PNG', data: fixture('monitor-clean.png'), filename: 'screen.png', type: 'image/png' },
    { name: 'PDF service report, 1 page', data: fixture('report-clean.pdf'), filename: 'report.pdf', type: 'application/pdf' }
  ];

  const send = async (sample) => {
    const form = new FormData();
    form.append('confirmNoPhi', 'true');
    form.append('file', new Blob([sample.data], { type: sample.type }), sample.filename);
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    const ms = performance.now() - started;
    const body = await res.json();
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms, body };
  };

  // The first upload starts the OCR worker (the model loads once): measured on its own.
  const first = await send(samples[1]);
  const results = [{ name: 'first upload after start (OCR worker starts)', times: [first.ms], bytes: samples[1].data.length }];

  for (const sample of samples) {
    const times = [];
    // A bare route polled while uploads run: its latency says whether the event loop is free.
    let polling = true;
    const bare = [];
    const poll = (async () => {
      while (polling) {
        const t = performance.now();
        await fetch(`${base}/healthz`);
        bare.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < RUNS && Date.now() < deadline; i++) times.push((await send(sample)).ms);
    polling = false;
    await poll;
    bare.sort((a, b) => a - b);
    results.push({
      name: sample.name,
      times,
      bytes: sample.data.length,
      bareP99: bare[Math.floor(bare.length * 0.99)] ?? 0,
      bareMax: bare.at(-1) ?? 0
    });
  }

  const fmt = (n) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));
  console.log(`\nuploads (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}), ${RUNS} runs each, ms:`);
  console.log('| file | size | median | max | /healthz p99 meanwhile | /healthz max |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const sorted = [...r.times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `| ${r.name} | ${(r.bytes / 1024 / 1024).toFixed(2)} MB | ${fmt(median)} | ${fmt(sorted.at(-1))} | ${r.bareP99 === undefined ? '' : fmt(r.bareP99)} | ${r.bareMax === undefined ? '' : fmt(r.bareMax)} |`
    );
  }
} finally {
  server.kill('SIGTERM');
}
