import type { RequestHandler } from './$types';

/** Crawlers read the threads, boards and equipment; forms, accounts and searches are not for them. */
export const GET: RequestHandler = ({ url }) =>
  new Response(
    [
      'User-agent: *',
      'Disallow: /search',
      'Disallow: /login',
      'Disallow: /register',
      'Disallow: /logout',
      'Disallow: /settings',
      'Disallow: /notifications',
      'Disallow: /mod',
      'Disallow: /admin',
      'Disallow: /new',
      'Disallow: /b/*/new',
      'Disallow: /*?*subtree=',
      'Disallow: /*?*cursor=',
      '',
      `Sitemap: ${url.origin}/sitemap.xml`,
      ''
    ].join('\n'),
    { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=3600' } }
  );
