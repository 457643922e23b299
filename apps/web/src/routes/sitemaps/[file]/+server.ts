import type { Board, SitemapThreads } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

const notFound = () => new Response('No such sitemap', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
const busy = () => new Response('The forum is busy; try again shortly', { status: 503, headers: { 'retry-after': '5' } });

/** One sitemap: the threads of one block of ids (the first also lists the home page and boards). */
export const GET: RequestHandler = async (event) => {
  const match = /^(\d{1,9})\.xml$/.exec(event.params.file);
  if (match === null) return notFound();
  const page = Number(match[1]);
  const [res, boards] = await Promise.all([
    api<SitemapThreads>(event, 'GET', `/sitemap/threads?page=${page}`),
    page === 0 ? api<{ boards: Board[] }>(event, 'GET', '/boards') : null
  ]);
  if (res.status !== 200 || (boards !== null && boards.status !== 200)) return busy();
  if (page >= res.data.pages) return notFound();
  const origin = event.url.origin;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
  if (boards !== null) {
    lines.push(`  <url><loc>${origin}/</loc></url>`);
    for (const b of boards.data.boards) {
      const last = b.lastActivityAt === null ? '' : `<lastmod>${b.lastActivityAt}</lastmod>`;
      lines.push(`  <url><loc>${origin}/b/${encodeURIComponent(b.slug)}</loc>${last}</url>`);
    }
  }
  for (const t of res.data.threads) lines.push(`  <url><loc>${origin}/t/${t.id}</loc><lastmod>${t.lastPostAt}</lastmod></url>`);
  lines.push('</urlset>', '');
  return new Response(lines.join('\n'), {
    headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'public, max-age=3600' }
  });
};
