import { JSDOM } from 'jsdom';
import { expect } from 'vitest';
import { ALLOWED_ATTRIBUTES, ALLOWED_TAGS } from './index.ts';

const inspector = new JSDOM('<!DOCTYPE html><body></body>').window;

/** Attributes the renderer adds itself, on top of ALLOWED_ATTRIBUTES. */
const ADDED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['rel'],
  img: ['loading', 'referrerpolicy']
};

const FORBIDDEN_TAG_TEXT =
  /<\s*\/?\s*(?:script|style|iframe|object|embed|form|svg|math|base|meta|link|input|button|textarea|noscript|template|frame|frameset|applet)\b/i;
const COMPACT = /[\u0000-\u0020\u007F-\u00A0\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F\u3000\uFEFF]/g;
const BAD_URL = /(?:java|vb|live)script:|data:|file:/i;

/** Parse the output and return the body fragment for DOM-level assertions. */
export function parse(html: string): HTMLElement {
  const div = inspector.document.createElement('div');
  div.innerHTML = html;
  return div;
}

/**
 * Structural safety invariants that must hold for ANY output:
 * only allow-listed elements and attributes, no on* handlers, no script/data URLs.
 */
export function expectSafe(html: string): void {
  expect(html).not.toMatch(FORBIDDEN_TAG_TEXT);
  const root = parse(html);
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.nodeName.toLowerCase();
    expect(ALLOWED_TAGS, `tag <${tag}> in ${html}`).toContain(tag);
    const allowed = [...(ALLOWED_ATTRIBUTES[tag] ?? []), ...(ADDED_ATTRIBUTES[tag] ?? [])];
    for (const attr of Array.from(el.attributes)) {
      expect(attr.name.startsWith('on'), `handler ${attr.name} in ${html}`).toBe(false);
      expect(allowed, `attribute ${attr.name} on <${tag}> in ${html}`).toContain(attr.name);
      expect(attr.value.replace(COMPACT, ''), `${attr.name}=${attr.value}`).not.toMatch(BAD_URL);
      if (attr.name === 'class') expect(attr.value).toMatch(/^language-[\w+#.-]+$/);
    }
    if (tag === 'img') {
      expect(el.getAttribute('src') ?? '').toMatch(/^https:\/\//);
      expect(el.getAttribute('loading')).toBe('lazy');
      expect(el.getAttribute('referrerpolicy')).toBe('no-referrer');
    }
    if (tag === 'a') expect(el.getAttribute('rel')).toBe('nofollow noopener ugc');
  }
}
