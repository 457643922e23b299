import type { SitemapThreads } from '@bmet/contracts';
import { api } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/** The sitemap index: one sitemap per 50,000 thread ids (the protocol's limit per file). */
export const GET: RequestHandler = async (event) => {
  const res = await api<SitemapThreads>(event, 'GET', '/sitemap/threads?page=100000000');
  if (res.status !== 200) return new Response('The forum is busy; try again shortly', { status: 503, headers: { 'retry-after': '5' } });
  const origin = event.url.origin;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
  for (let i = 0; i < res.data.pages; i++) lines.push(`  <sitemap><loc>${origin}/sitemaps/${i}.xml</loc></sitemap>`);
  lines.push('</sitemapindex>', '');
  return new Response(lines.join('\n'), {
    headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'public, max-age=3600' }
  });
};
