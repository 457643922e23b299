/// <reference lib="dom" />
/**
 * Browser-safe entry: markdown -> sanitized HTML.
 *
 * Used by the composer preview (with the real `window`) and by the API server
 * (`./server.ts`, which supplies a server-side DOM window). Nothing in here may
 * import server-only packages or Node built-ins, or read the environment.
 */
import createDOMPurify, { type UponSanitizeAttributeHookEvent, type WindowLike } from 'dompurify';
import { Marked, type Token, type TokenizerAndRendererExtension, type Tokens } from 'marked';

export type { WindowLike };

export interface Renderer {
  /** Render untrusted markdown (raw HTML allowed) to sanitized HTML. */
  render(markdown: string): string;
}

/**
 * Elements that may appear in the output. Everything else is removed; its
 * text content is kept unless it is script-like (script, style, iframe,
 * svg, math, ... are dropped together with their content).
 *
 * h1/h2 are deliberately absent: markdown headings are demoted by two levels
 * (`#` -> h3, `##` -> h4, ... capped at h6) so a post cannot outshout the page
 * title; raw `<h1>`/`<h2>` HTML loses its tag but keeps its text.
 */
export const ALLOWED_TAGS: readonly string[] = Object.freeze([
  'p',
  'br',
  'hr',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  'del',
  's',
  'code',
  'pre',
  'kbd',
  'samp',
  'sub',
  'sup',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'a',
  'img',
  'details',
  'summary'
]);

/**
 * Attributes allowed per element (anything not listed is removed).
 * Values are additionally validated (see `uponSanitizeAttribute` below).
 * `rel` on <a> and `loading`/`referrerpolicy` on <img> are set by the
 * renderer itself, never taken from input. `class` on <a> may only be
 * `mention`, and only on a link that looks exactly like one the mention
 * extension produces (see `isGenuineMention`); otherwise it is removed.
 */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  a: Object.freeze(['href', 'title', 'class']),
  img: Object.freeze(['src', 'alt', 'title', 'width', 'height']),
  ol: Object.freeze(['start']),
  th: Object.freeze(['align']),
  td: Object.freeze(['align']),
  code: Object.freeze(['class']),
  details: Object.freeze(['open'])
});

/** URL schemes allowed in `<a href>`; relative and fragment URLs are also allowed. */
export const ALLOWED_LINK_SCHEMES: readonly string[] = Object.freeze(['http', 'https', 'mailto']);
/** URL schemes allowed in `<img src>`; relative URLs are NOT allowed for images. */
export const ALLOWED_IMAGE_SCHEMES: readonly string[] = Object.freeze(['https']);

export const LINK_REL = 'nofollow noopener ugc';

/** The only class allowed on <code>: a single `language-*` token. */
export const CODE_CLASS_PATTERN = /^language-[A-Za-z0-9_+#.-]{1,40}$/;
/** The only class allowed on <a>, set by the `@username` mention extension. */
export const MENTION_CLASS = 'mention';

/**
 * The forum's own uploads (`/api/v1/uploads/<key>`, see API.md Uploads): the only relative URLs
 * an image may have. In a post an uploaded image shows its thumbnail and links to the full
 * picture; a link to an uploaded document is drawn as a download chip.
 */
export const UPLOAD_PATH = /^\/api\/v1\/uploads\/([A-Za-z0-9_-]{24})(\/thumb)?$/;
export const UPLOAD_IMAGE_CLASS = 'upload-image';
export const UPLOAD_FILE_CLASS = 'upload-file';
/** A valid username (after stripping trailing dots). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$/;

// ---------------------------------------------------------------------------
// @username mentions
// ---------------------------------------------------------------------------

/**
 * A mention `@` may not follow a letter, digit or an email/URL-ish character:
 * `jane@example.org`, `foo@bar`, `x/@bob`, `a.@bob` and `@@bob` are not mentions.
 */
const MENTION_BLOCKED_BEFORE = /[\p{L}\p{N}\p{M}_.+\-=/\\&%#$@^`]/u;
/** `@` followed by the longest run of username characters (linear, no backtracking). */
const MENTION_RUN = /^@([A-Za-z0-9_][A-Za-z0-9_.-]*)/;
/** A name running straight into one of these is not a mention (`@jane@example.org`). */
const MENTION_BLOCKED_AFTER = /^[@\p{L}\p{N}\p{M}]/u;
const NAME_START = /^[A-Za-z0-9_]$/;
/** How many non-mention `@`s the start function looks past before giving up. */
const MENTION_START_SCAN_LIMIT = 32;

interface MentionToken extends Tokens.Generic {
  type: 'mention';
  raw: string;
  username: string;
}

function mentionAllowedAfter(previous: string | undefined): boolean {
  return previous === undefined || !MENTION_BLOCKED_BEFORE.test(previous);
}

/** Parses a mention at the very start of `src`; null when there is none. */
function matchMention(src: string): { raw: string; username: string } | null {
  const run = MENTION_RUN.exec(src)?.[1];
  if (run === undefined) return null;
  let username = run;
  while (username.endsWith('.')) username = username.slice(0, -1);
  if (!USERNAME_PATTERN.test(username)) return null;
  // Trailing dots are sentence punctuation and stay text; what comes after
  // the full run must not continue a name or an address.
  if (MENTION_BLOCKED_AFTER.test(src.slice(1 + run.length, 3 + run.length))) return null;
  return { raw: '@' + username, username };
}

function lastCharOf(tokens: readonly Token[]): string | undefined {
  const last = tokens[tokens.length - 1];
  return last === undefined || last.raw === '' ? undefined : last.raw[last.raw.length - 1];
}

const mentionExtension: TokenizerAndRendererExtension = {
  name: 'mention',
  level: 'inline',
  // Where inline text must stop so the tokenizer gets a chance: an `@` that
  // is not glued to a preceding word. `src` starts one character after the
  // current position, so index 0 has an unknown predecessor; the tokenizer
  // re-checks it. Emails keep working: their `@` is never returned here, so
  // marked's own text rule still stops before the local part for autolinking.
  start(src) {
    let at = src.indexOf('@');
    for (let seen = 0; at !== -1 && seen < MENTION_START_SCAN_LIMIT; seen++) {
      const plausible = NAME_START.test(src.charAt(at + 1));
      if (plausible && (at === 0 || mentionAllowedAfter(src[at - 1]))) return at;
      at = src.indexOf('@', at + 1);
    }
    return undefined;
  },
  tokenizer(src, tokens): MentionToken | undefined {
    if (src.charCodeAt(0) !== 64 /* @ */) return undefined;
    // Never inside a link (markdown link text or a raw <a>) or raw <pre>/<code>/<kbd>.
    if (this.lexer.state.inLink || this.lexer.state.inRawBlock) return undefined;
    if (!mentionAllowedAfter(lastCharOf(tokens))) return undefined;
    const match = matchMention(src);
    if (match === null) return undefined;
    return { type: 'mention', raw: match.raw, username: match.username };
  },
  renderer(token) {
    // The username is limited to [A-Za-z0-9_.-], so it needs no escaping.
    const username = String(token['username']);
    return `<a href="/u/${username}" class="${MENTION_CLASS}">@${username}</a>`;
  }
};

const MARKED_OPTIONS = { gfm: true, breaks: true, async: false } as const;

/** Lexer-only instance for `extractMentions` (never used for rendering). */
const mentionLexer = new Marked({ ...MARKED_OPTIONS, extensions: [mentionExtension] });

/**
 * Usernames that `render` would turn into mention links, lower-cased and
 * de-duplicated in order of first appearance (for notifications).
 */
export function extractMentions(markdown: string): string[] {
  if (typeof markdown !== 'string' || !markdown.includes('@')) return [];
  const found = new Set<string>();
  const tokens = mentionLexer.lexer(markdown);
  mentionLexer.walkTokens(tokens, (token) => {
    if (token.type === 'mention') found.add(String((token as MentionToken).username).toLowerCase());
  });
  return [...found];
}

const MENTION_HREF = /^\/u\/([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})$/;

/**
 * True when an <a class="mention"> is exactly what the extension renders:
 * href `/u/<name>` and a single text child `@<name>`. Raw HTML cannot dress
 * an arbitrary link up as a mention.
 */
function isGenuineMention(node: Element): boolean {
  const name = MENTION_HREF.exec(node.getAttribute('href') ?? '')?.[1];
  if (name === undefined || name.endsWith('.')) return false;
  const only = node.firstChild;
  return node.childNodes.length === 1 && only !== null && only.nodeType === 3 && only.nodeValue === '@' + name;
}

const ALL_ATTRIBUTE_NAMES = [...new Set(Object.values(ALLOWED_ATTRIBUTES).flat())];

/**
 * Characters stripped before looking for a scheme. Browsers drop tab/LF/CR
 * anywhere and C0 controls/space at the ends; we are more conservative and
 * drop every control/space-like character anywhere, so `java\tscript:`,
 * `\u0001javascript:` or `java\u00A0script:` are all seen as `javascript:`.
 */
const URL_IGNORED_CHARS = /[\u0000-\u0020\u007F-\u00A0\u00AD\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u206F\u3000\uFEFF]/g;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/** `//host`, `\\host`, `/\host`, `\/host` - all protocol-relative in browsers. */
const PROTOCOL_RELATIVE = /^[\\/]{2}/;

/**
 * Returns the URL to keep (possibly rewritten) or null when it must be dropped.
 * Protocol-relative URLs are rewritten to explicit `https:`.
 */
export function checkUrl(raw: string, allowedSchemes: readonly string[], allowRelative: boolean): string | null {
  const compact = raw.replace(URL_IGNORED_CHARS, '');
  if (compact === '') return allowRelative ? raw.trim() : null;
  if (PROTOCOL_RELATIVE.test(compact)) {
    if (!allowedSchemes.includes('https')) return null;
    return 'https://' + compact.slice(2);
  }
  const scheme = SCHEME.exec(compact)?.[1];
  if (scheme === undefined) {
    // No scheme: a relative path, query or fragment.
    return allowRelative ? raw.trim() : null;
  }
  if (!allowedSchemes.includes(scheme.toLowerCase())) return null;
  return raw.trim();
}

const NON_NEGATIVE_INT = /^\d{1,9}$/;
const DIMENSION = /^\d{1,5}$/;
const ALIGN = /^(?:left|right|center)$/i;

function tagOf(node: Node): string {
  const name: unknown = node.nodeName;
  return typeof name === 'string' ? name.toLowerCase() : '';
}

function sanitizeAttribute(tag: string, data: UponSanitizeAttributeHookEvent): void {
  const name = data.attrName;
  if (!ALLOWED_ATTRIBUTES[tag]?.includes(name)) {
    data.keepAttr = false;
    return;
  }
  const value = data.attrValue;
  let keep: string | null = value;
  switch (name) {
    case 'href':
      keep = checkUrl(value, ALLOWED_LINK_SCHEMES, true);
      break;
    case 'src':
      keep = UPLOAD_PATH.test(value) ? value : checkUrl(value, ALLOWED_IMAGE_SCHEMES, false);
      break;
    case 'class':
      if (tag === 'a') keep = value === MENTION_CLASS || value === UPLOAD_IMAGE_CLASS || value === UPLOAD_FILE_CLASS ? value : null;
      else keep = CODE_CLASS_PATTERN.test(value) ? value : null;
      break;
    case 'start':
      keep = NON_NEGATIVE_INT.test(value) ? value : null;
      break;
    case 'width':
    case 'height':
      keep = DIMENSION.test(value) ? value : null;
      break;
    case 'align':
      keep = ALIGN.test(value) ? value.toLowerCase() : null;
      break;
    default:
      break;
  }
  if (keep === null) data.keepAttr = false;
  else data.attrValue = keep;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Build a renderer bound to one window. Creates exactly one DOMPurify
 * instance (with its hooks) and one private `Marked` instance; reuse the
 * returned object for every render.
 */
export function createRenderer(window: WindowLike): Renderer {
  const purify = createDOMPurify(window);
  if (!purify.isSupported) {
    throw new Error('@bmet/markdown: DOMPurify is not supported by the given window');
  }
  purify.setConfig({
    // 'body' is the root DOMPurify walks from (it is never serialized). Without
    // it the root counts as disallowed and DOMPurify deep-clones the whole
    // document out of it, which is correct but several times slower.
    ALLOWED_TAGS: [...ALLOWED_TAGS, 'body'],
    ALLOWED_ATTR: ALL_ATTRIBUTE_NAMES,
    ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ADD_DATA_URI_TAGS: [],
    KEEP_CONTENT: true,
    SAFE_FOR_TEMPLATES: false,
    WHOLE_DOCUMENT: false,
    RETURN_DOM: false,
    RETURN_DOM_FRAGMENT: false,
    RETURN_TRUSTED_TYPE: false
  });

  purify.addHook('uponSanitizeAttribute', (node, data) => {
    sanitizeAttribute(tagOf(node), data);
  });

  purify.addHook('afterSanitizeAttributes', (node) => {
    const tag = tagOf(node);
    if (tag === 'a') {
      const cls = node.getAttribute('class');
      const upload = UPLOAD_PATH.test(node.getAttribute('href') ?? '');
      const genuine =
        cls === MENTION_CLASS ? isGenuineMention(node) : cls === UPLOAD_IMAGE_CLASS || cls === UPLOAD_FILE_CLASS ? upload : false;
      if (cls !== null && !genuine) node.removeAttribute('class');
      node.setAttribute('rel', LINK_REL);
    } else if (tag === 'img') {
      const src = node.getAttribute('src');
      if (src === null || (!UPLOAD_PATH.test(src) && checkUrl(src, ALLOWED_IMAGE_SCHEMES, false) === null)) {
        node.remove();
        return;
      }
      node.setAttribute('loading', 'lazy');
      node.setAttribute('referrerpolicy', 'no-referrer');
    }
  });

  const marked = new Marked({
    ...MARKED_OPTIONS,
    extensions: [mentionExtension],
    renderer: {
      heading({ tokens, depth }) {
        const level = Math.min(depth + 2, 6);
        return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
      },
      // An uploaded picture: its thumbnail, linking to the full image.
      image({ href, title, text }) {
        const match = UPLOAD_PATH.exec(href);
        if (match === null) return false;
        const full = `/api/v1/uploads/${match[1]}`;
        const titled = title ? ` title="${escapeAttr(title)}"` : '';
        return `<a href="${full}" class="${UPLOAD_IMAGE_CLASS}"><img src="${full}/thumb" alt="${escapeAttr(text)}"${titled}></a>`;
      },
      // A link to an uploaded document: a download chip.
      link({ href, title, tokens }) {
        if (!UPLOAD_PATH.test(href)) return false;
        const titled = title ? ` title="${escapeAttr(title)}"` : '';
        return `<a href="${href}" class="${UPLOAD_FILE_CLASS}"${titled}>${this.parser.parseInline(tokens)}</a>`;
      },
      // Form controls are not allowed in posts; show task-list state as text.
      checkbox({ checked }) {
        return checked ? '\u2611 ' : '\u2610 ';
      }
    }
  });

  return {
    render(markdown: string): string {
      if (typeof markdown !== 'string' || markdown.trim() === '') return '';
      const html = marked.parse(markdown, { async: false });
      return purify.sanitize(html).trim();
    }
  };
}
