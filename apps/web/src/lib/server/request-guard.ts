/**
 * Checks on what reaches the web app before any load or form action runs: hostile paths and
 * bodies get a 4xx here instead of a failure deeper down.
 */
export interface Problem {
  status: 400 | 404 | 413 | 415;
  message: string;
}

/** No route of the forum has a segment anywhere near this long (slugs, usernames and ids are short). */
const MAX_SEGMENT = 200;
const MAX_PATH = 1024;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function checkPath(pathname: string): Problem | null {
  if (pathname.length > MAX_PATH) return { status: 404, message: 'Not found' };
  for (const segment of pathname.split('/')) {
    if (segment.length > MAX_SEGMENT) return { status: 404, message: 'Not found' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { status: 400, message: 'That address is not valid' };
    }
    if (CONTROL.test(decoded)) return { status: 400, message: 'That address is not valid' };
  }
  return null;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/**
 * Form posts must be forms that parse: anything else is refused with 400 or 415 before an
 * action reads it. The body is read from a clone, so the action still gets it whole.
 */
export async function checkFormBody(request: Request): Promise<Problem | null> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!FORM_TYPES.includes(type))
    return { status: 415, message: 'Send the form as application/x-www-form-urlencoded or multipart/form-data' };
  try {
    await request.clone().formData();
    return null;
  } catch {
    return { status: 400, message: 'The form could not be read' };
  }
}

/**
 * The answer to a refused request: a small page of its own (it never reaches the app's
 * layout, which would call the API for a request that is already known to be bad).
 */
export function problemPage(problem: Problem): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${problem.status} · BMET Forum</title></head><body><main><h1>${problem.status}</h1><p>${problem.message}.</p><p><a href="/">Back to the forum</a></p></main></body></html>`;
  return new Response(html, {
    status: problem.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cache-control': 'no-store'
    }
  });
}
