/**
 * What a member typed into the search box, split into the two halves of the index
 * (migration 0012): words, which PostgreSQL's websearch_to_tsquery stems and parses (quoted
 * phrases, `-word`), and codes (error, part and model numbers), which are folded here exactly
 * as forum_codes() folds them in the documents and matched as whole lexemes, never stemmed.
 *
 * The output is always safe: the words go to websearch_to_tsquery, which accepts any text, and
 * the codes tsquery is built from [a-z0-9] lexemes and our own operators only.
 */
export interface SearchQuery {
  /** For websearch_to_tsquery('english', ...); '' when the query has no words. */
  words: string;
  /** A tsquery over code lexemes ("'e203' & !'e2031'"); '' when the query has no codes. Both '' : nothing to search for. */
  codes: string;
  /** Folded codes that must match, for marking them in snippets. */
  markCodes: string[];
  /**
   * The same search loosened to what a GIN index answers without reading the rows: phrases as
   * their words, exclusions dropped (every match of `words`/`codes` matches these). Equal to
   * words and codes when the query has neither.
   */
  looseWords: string;
  looseCodes: string;
}

/** tsquery and websearch operators: none of them is needed inside a word. */
const OPERATORS = /[&|!():*<>\\'`{}[\]^~]/g;
const TOKEN = /(-?)"([^"]*)"?|(\S+)/g;
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}-]+|[^\p{L}\p{N}]+$/gu;

/** The fold forum_codes() applies: letters and digits only, lower case. */
export const foldCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

const isCode = (token: string) => /[0-9]/.test(token) && /^[A-Za-z0-9]+(?:[-./_][A-Za-z0-9]+)*$/.test(token);
const isPrefix = (token: string) => /^[A-Za-z]{1,4}$/.test(token);

export function parseSearchQuery(input: string): SearchQuery {
  const words: string[] = [];
  const must: string[] = [];
  const mustNot: string[] = [];
  const markCodes: string[] = [];
  const tokens: { negated: boolean; text: string; phrase: boolean }[] = [];
  for (const match of input.normalize('NFC').matchAll(TOKEN)) {
    if (match[2] !== undefined) {
      const phrase = match[2].replace(OPERATORS, ' ').replace(/\s+/g, ' ').trim();
      if (phrase !== '') tokens.push({ negated: match[1] === '-', text: phrase, phrase: true });
      continue;
    }
    let raw = match[3]!;
    const negated = raw.startsWith('-') && raw.length > 1;
    if (negated) raw = raw.slice(1);
    const text = raw.replace(OPERATORS, '').replace(EDGE_PUNCTUATION, '');
    if (text !== '' && text !== '-') tokens.push({ negated, text, phrase: false });
  }
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.phrase) {
      words.push(`${token.negated ? '-' : ''}"${token.text}"`);
      continue;
    }
    if (isCode(token.text)) {
      const code = foldCode(token.text);
      if (code.length > 40) continue;
      if (token.negated) mustNot.push(`!'${code}'`);
      else {
        must.push(`'${code}'`);
        markCodes.push(code);
      }
      continue;
    }
    // A model prefix written apart from its number: `mx 450` finds MX450 and MX-450 as well.
    const next = tokens[i + 1];
    if (
      !token.negated &&
      isPrefix(token.text) &&
      next !== undefined &&
      !next.phrase &&
      !next.negated &&
      /^[0-9]/.test(next.text) &&
      isCode(next.text)
    ) {
      const prefix = token.text.toLowerCase();
      const number = foldCode(next.text);
      if (prefix.length + number.length <= 40) {
        must.push(`('${prefix}${number}' | '${prefix}' & '${number}')`);
        markCodes.push(prefix + number, prefix, number);
        i++;
        continue;
      }
    }
    // websearch_to_tsquery reads a bare `or` as an operator; a search here is all of its terms
    // (an OR would also defeat the loose form and the statistics bound, see domain/search.ts).
    if (token.text.toLowerCase() === 'or') continue;
    words.push(`${token.negated ? '-' : ''}${token.text}`);
  }
  // Exclusions narrow a search and never make one: a query of exclusions only would match
  // nearly every post (and no index can find "not X"), so it searches for nothing.
  const positive = must.length > 0 || words.some((w) => !w.startsWith('-'));
  if (!positive) return { words: '', codes: '', markCodes: [], looseWords: '', looseCodes: '' };
  return {
    words: words.join(' '),
    codes: [...must, ...mustNot].join(' & '),
    markCodes: [...new Set(markCodes)],
    looseWords: words
      .filter((w) => !w.startsWith('-'))
      .map((w) => w.replace(/"/g, ''))
      .join(' '),
    looseCodes: must.join(' & ')
  };
}
