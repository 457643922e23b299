import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The admin tools are the boards page for now. */
export const GET: RequestHandler = () => {
  redirect(307, '/admin/boards');
};
