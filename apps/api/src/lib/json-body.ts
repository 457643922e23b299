import secureJson from 'secure-json-parse';
import { HttpError } from './http-error.ts';

/** No request of the API nests deeper than a few levels; anything past this is refused unparsed. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether JSON text nests arrays and objects deeper than `max`: one linear scan, no recursion,
 * so a body of ten thousand `[` costs what its length costs and never the call stack.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/**
 * The API's JSON body parser: empty, too deep, malformed and prototype-polluting bodies are
 * 400 bad_json before anything else looks at them.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'bad_json', 'the body is empty; send a JSON object');
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'bad_json', `the body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw new HttpError(400, 'bad_json', 'the body is not valid JSON');
  }
}

/** The dotted path of the first string (or key) holding a NUL character, or null; iterative. */
export function findNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) return path;
      stack.push([child, path === '' ? key : `${path}.${key}`]);
    }
  }
  return null;
}
