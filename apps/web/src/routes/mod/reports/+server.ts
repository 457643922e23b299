import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The report queue lives at /mod; this address is kept for links that name it. */
export const GET: RequestHandler = ({ url }) => {
  redirect(307, `/mod${url.search}`);
};
