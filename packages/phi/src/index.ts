/**
 * Patient-data (PHI) detector for forum posts.
 *
 * BMETs paste monitor screens, device logs and service reports; this flags text
 * that likely contains protected health information so the composer can warn
 * and the API can ask for confirmation. It is a heuristic: it prefers labelled
 * identifiers ("MRN: ...", "DOB ...", "Patient: ...") over guessing from bare
 * numbers, because equipment text is full of serials, codes, dates and versions.
 *
 * Pure code (no Node APIs, no environment): it also runs in the browser.
 * Every regular expression uses bounded quantifiers and unambiguous
 * repetition, so the cost stays linear in the input length.
 */

import { EVERYDAY_ENGLISH, FIRST_NAMES, SURNAMES } from './lexicon.ts';
import { ENGLISH, EQUIPMENT, MAKERS } from './words.ts';

export type PhiKind = 'mrn' | 'dob' | 'ssn' | 'phone' | 'email' | 'patient_name' | 'room_bed_name' | 'address';

export interface PhiFinding {
  kind: PhiKind;
  /** Human label for the kind (PHI_LABELS[kind]). */
  label: string;
  /** UTF-16 offset of the first character of the finding (label included when labelled). */
  start: number;
  /** UTF-16 offset just past the finding. */
  end: number;
  /** 1-based line of `start`. */
  line: number;
  /** The matched text, trimmed, at most 60 characters. */
  excerpt: string;
}

export const PHI_LABELS: Record<PhiKind, string> = Object.freeze({
  mrn: 'medical record number',
  dob: 'date of birth',
  ssn: 'social security number',
  phone: 'phone number',
  email: 'email address',
  patient_name: 'patient name',
  room_bed_name: 'room/bed with a name',
  address: 'home address'
});

const EXCERPT_MAX = 60;

interface Span {
  kind: PhiKind;
  start: number;
  end: number;
}

type Detector = (text: string) => Span[];

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/**
 * The text on the same line as `index`, at most `before` characters before it
 * and `after` characters from it. Bounded so that scanning stays linear even
 * on one huge line.
 */
function lineWindow(text: string, index: number, before: number, after = 0): string {
  let head = text.slice(Math.max(0, index - before), index);
  const nl = head.lastIndexOf('\n');
  if (nl !== -1) head = head.slice(nl + 1);
  let tail = text.slice(index, index + after);
  const nl2 = tail.indexOf('\n');
  if (nl2 !== -1) tail = tail.slice(0, nl2);
  return head + tail;
}

/** Where the line holding `from` ends (its newline, or the end of the text). */
function lineEndAt(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

function countDigits(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Runs a sticky regex at `pos`; null when it does not match exactly there. */
function execAt(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/**
 * Equipment identifiers that often look like phone numbers or SSNs. A number
 * directly after one of these labels (same line, within a few characters) is
 * not treated as personal data.
 */
const EQUIPMENT_LABEL_BEFORE =
  /(?<![A-Za-z])(?:s\/n|sn|ser(?:ial)?|p\/n|pn|part|lot|batch|ref|cat(?:alog)?|model|asset|tag|wo|work[ \t]?order|order|po|rma|case|ticket|invoice|err(?:or)?|code|alarm|event|fw|sw|firmware|software|ver(?:sion)?|rev(?:ision)?|build|udi|gtin|ip|mac|host|device|dev|unit|sys(?:tem)?|module|board|chassis|license|key)\.?(?:[ \t]{0,2}(?:no\.?|num(?:ber)?|#|id))?[ \t]{0,3}[:#=]?[ \t]{0,3}$/i;

function afterEquipmentLabel(text: string, start: number): boolean {
  return EQUIPMENT_LABEL_BEFORE.test(lineWindow(text, start, 40));
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

function wordSet(...lists: string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const list of lists) for (const w of list.split(' ')) if (w !== '') set.add(w);
  return set;
}

/** Built on first use, so that importing the package costs nothing until a post is checked. */
interface WordSets {
  stop: ReadonlySet<string>;
  english: ReadonlySet<string>;
  everyday: ReadonlySet<string>;
  firstNames: ReadonlySet<string>;
  surnames: ReadonlySet<string>;
  makers: ReadonlySet<string>;
}
let lexicon: WordSets | null = null;
function words(): WordSets {
  lexicon ??= {
    stop: wordSet(EQUIPMENT, MAKERS),
    english: wordSet(ENGLISH),
    everyday: wordSet(EVERYDAY_ENGLISH),
    firstNames: wordSet(FIRST_NAMES),
    surnames: wordSet(SURNAMES),
    makers: wordSet(MAKERS)
  };
  return lexicon;
}

/** Lower case, without a possessive `'s` or trailing dots: the form the word lists hold. */
function baseOf(word: string): string {
  return word
    .toLowerCase()
    .replace(/['’]s$/, '')
    .replace(/[.'’]+$/, '');
}

function isStopWord(word: string): boolean {
  return words().stop.has(baseOf(word));
}
/** Same suffixes, in the same order, as scripts/make-lexicon.mjs used to store the stems. */
const SUFFIXES: readonly (readonly [string, string])[] = [
  ['ies', 'y'],
  ['es', ''],
  ['s', ''],
  ['ied', 'y'],
  ['ed', ''],
  ['ed', 'e'],
  ['ing', ''],
  ['ing', 'e'],
  ['ly', ''],
  ['er', ''],
  ['est', '']
];

function isEverydayEnglish(base: string, inflectionsToo = true): boolean {
  const everyday = words().everyday;
  if (everyday.has(base)) return true;
  if (!inflectionsToo) return false;
  for (const [suffix, replacement] of SUFFIXES) {
    if (!base.endsWith(suffix) || base.length - suffix.length < 3) continue;
    const stem = base.slice(0, -suffix.length) + replacement;
    if (everyday.has(stem)) return true;
    const undoubled = stem.replace(/(.)\1$/, '$1');
    if (undoubled !== stem && everyday.has(undoubled)) return true;
  }
  return false;
}

/** The hand-picked list only: a capitalised everyday word can still be a name ("Hung Le", "Grace"). */
function isEnglishWord(word: string): boolean {
  return words().english.has(baseOf(word));
}

/** Lower-case jargon that no word list holds still reads as English by its ending ("desatted", "ambulation"). */
const ENGLISH_ENDING = /(?:tion|sion|ment|ness|able|ible|ous|ive|ize|ise|ated|ized|ised|ing|ed|ly)$/;

/** A lower-case word that may be part of a name: not a word of any list, not English by its ending unless a known name. */
function lowerNameWord(word: string): boolean {
  if (isStopWord(word) || isEnglishWord(word)) return false;
  const base = baseOf(word);
  // A listed word is English; an inflection of one ("alarms", "desatted") too, unless the
  // lexicon knows it as a name ("morales" is not moral + es).
  if (isEverydayEnglish(base, false)) return false;
  if (inLexicon(word)) return true;
  if (isEverydayEnglish(base)) return false;
  return base.length >= 2 && !(base.length >= 5 && ENGLISH_ENDING.test(base));
}

/**
 * A name in lower case is believed when the lexicon knows one of its words, or when it has two
 * words that no list knows ("adebayo okonkwo"); a single unknown lower-case word is not enough.
 */
function lowerCaseNameOk(name: NameMatch): boolean {
  const lower = name.words.filter((w) => shapeOf(w) === 'lower' && !PARTICLES.has(w.toLowerCase()));
  if (lower.length === 0) return true;
  if (name.lexiconHits > 0) return true;
  return lower.length >= 2 && lower.some((w) => baseOf(w).length >= 4);
}
/** In the first-name or surname lexicon (a hyphenated name counts when one of its parts is). */
function inLexicon(word: string): boolean {
  const base = baseOf(word);
  const { firstNames, surnames } = words();
  const known = (w: string): boolean => firstNames.has(w) || surnames.has(w);
  if (known(base)) return true;
  if (!base.includes('-')) return false;
  return base.split('-').some((part) => part.length > 2 && known(part));
}

/** Words that never follow a particle inside a name ("Hung Le in 612"). */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  'the and for with was were are has had not but you she her his him its our out who how why all any can did get got'.split(' ')
);

/** Lower-case parts of names: Maria de la Cruz, Jan van der Berg, Mohammed al Farsi. */
const PARTICLES: ReadonlySet<string> = new Set(
  'van von der den de del della la le da di du dos das al el bin ibn ní ni ó o mac st ter ten y e'.split(' ')
);

const TITLE = /^(?:Mr|Mrs|Ms|Miss|Mx|Dr|MR|MRS|MS|MISS|DR)\.?$/;
const TITLE_ANY_CASE = /^(?:mr|mrs|ms|miss|mx|dr)\.?$/i;

type Shape = 'cap' | 'upper' | 'lower' | 'initial' | 'other';

const SHAPE_INITIAL = /^\p{Lu}\.?$/u;
const SHAPE_UPPER = /^\p{Lu}[\p{Lu}\p{M}'’-]*\p{Lu}(?:['’]S)?$/u;
/** Capitalised, with O'Connor, Rodriguez-Lopez, Soo-jin, McAllister, MacLeod, DeShawn; not IntelliVue. */
const SHAPE_CAP = /^(?:Mc|Mac|O['’]|D['’]|De|Di|Da|La|Le|Van)?\p{Lu}[\p{Ll}\p{M}]+(?:['’-]\p{L}[\p{Ll}\p{M}]*)*(?:['’]s)?$/u;
const SHAPE_LOWER = /^\p{Ll}[\p{Ll}\p{M}]*(?:['’-]\p{Ll}[\p{Ll}\p{M}]*)*(?:['’]s)?$/u;

function shapeOf(word: string): Shape {
  if (SHAPE_INITIAL.test(word)) return 'initial';
  if (SHAPE_CAP.test(word)) return 'cap';
  if (SHAPE_UPPER.test(word)) return 'upper';
  if (SHAPE_LOWER.test(word)) return 'lower';
  return 'other';
}

interface Token {
  word: string;
  start: number;
  end: number;
}

/** One word of a name: letters with inner apostrophes or hyphens, and an initial's dot. */
const TOKEN = /\p{L}[\p{L}\p{M}]{0,39}(?:['’-]\p{L}[\p{L}\p{M}]{0,39}){0,3}(?:['’]s)?\.?/uy;
const TOKEN_GAP = /[ \t]{1,3}/y;

/** Up to `max` words from `pos`, separated by spaces or tabs only (a name never spans lines or punctuation). */
function tokensAt(text: string, pos: number, max: number): Token[] {
  const out: Token[] = [];
  let at = pos;
  while (out.length < max) {
    const m = execAt(TOKEN, text, at);
    if (m === null) break;
    let word = m[0];
    // A trailing dot belongs to an initial or a title, not to the last word of a sentence.
    if (word.endsWith('.') && !SHAPE_INITIAL.test(word) && !TITLE_ANY_CASE.test(word)) word = word.slice(0, -1);
    const end = at + word.length;
    if (/[\p{L}\p{N}]/u.test(text.charAt(end))) break; // glued to digits: MX450, 12F
    out.push({ word, start: at, end });
    if (word.length < m[0].length) break; // sentence ended
    const gap = execAt(TOKEN_GAP, text, end);
    if (gap === null) break;
    at = end + gap[0].length;
  }
  return out;
}

/** Lower-case words in a name: never, only names the lexicon knows, or any word that is not English. */
type LowerMode = 'no' | 'lexicon' | 'word';

interface NameMatch {
  start: number;
  /** Just past the name (a possessive 's excluded). */
  end: number;
  /** The words of the name, title excluded. */
  words: string[];
  titled: boolean;
  /** LAST, FIRST or LAST^FIRST. */
  form: 'words' | 'comma' | 'caret';
  /** The last word carried a possessive ('s). */
  possessive: boolean;
  lexiconHits: number;
}

function endWithoutPossessive(token: Token): { end: number; possessive: boolean } {
  const possessive = /['’]s$/.test(token.word) && token.word.length > 3;
  return { end: possessive ? token.end - 2 : token.end, possessive };
}

/** HL7 / DICOM person name: `SMITH^JOHN^Q`. */
const NAME_CARET = /(\p{L}[\p{L}\p{M}'’-]{0,29})\^(\p{L}[\p{L}\p{M}'’-]{0,29})(?:\^[\p{L}\p{M}'’.-]{0,30}){0,4}/uy;
/** `DOE, JANE`, `Doe, Jane Q.`, `O'BRIEN, PATRICK J`. */
const NAME_COMMA =
  /(\p{Lu}[\p{L}\p{M}'’-]{1,29}),[ \t]{0,2}(\p{Lu}[\p{L}\p{M}'’-]{1,29})(?![\p{L}\p{N}])(?:[ \t](\p{Lu})\.?(?![\p{L}\p{N}]))?/uy;

function caretAt(text: string, pos: number): NameMatch | null {
  const m = execAt(NAME_CARET, text, pos);
  if (m === null || /[\p{L}\p{N}]/u.test(text.charAt(pos + m[0].length))) return null;
  const raw = m[0].replace(/[\^ .]+$/, '');
  const parts = raw.split('^').filter((p) => p !== '');
  if (parts.length < 2) return null;
  // HL7 coded values are CODE^Text ("CONT^Continuous", "F^Female"); names keep one case.
  const [a = '', b = ''] = parts;
  if (shapeOf(a) === 'upper' && shapeOf(b) === 'cap') return null;
  return {
    start: pos,
    end: pos + raw.length,
    words: parts,
    titled: false,
    form: 'caret',
    possessive: false,
    lexiconHits: parts.filter(inLexicon).length
  };
}

function commaAt(text: string, pos: number, lower: boolean): NameMatch | null {
  const m = execAt(NAME_COMMA, text, pos);
  if (m === null || m[1] === undefined || m[2] === undefined) {
    if (!lower) return null;
    // `tran, minh` after an explicit label.
    const l = /(\p{L}[\p{L}\p{M}'’-]{1,29}),[ \t]{0,2}(\p{L}[\p{L}\p{M}'’-]{1,29})(?![\p{L}\p{N}])/uy;
    const lm = execAt(l, text, pos);
    if (lm === null || lm[1] === undefined || lm[2] === undefined) return null;
    if (isStopWord(lm[1]) || isStopWord(lm[2]) || isEnglishWord(lm[1]) || isEnglishWord(lm[2])) return null;
    return { start: pos, end: pos + lm[0].length, words: [lm[1], lm[2]], titled: false, form: 'comma', possessive: false, lexiconHits: 0 };
  }
  const [last, first] = [m[1], m[2]];
  if (isStopWord(last) || isStopWord(first)) return null;
  const shapes = [shapeOf(last), shapeOf(first)];
  if (!shapes.every((s) => s === 'cap' || s === 'upper')) return null;
  return {
    start: pos,
    end: pos + m[0].length,
    words: [last, first],
    titled: false,
    form: 'comma',
    possessive: false,
    lexiconHits: [last, first].filter(inLexicon).length
  };
}

/**
 * A person name starting exactly at `pos`: the caret or comma form, or one to four words
 * (capitalised or all capitals; lower-case ones only as `lower` allows), optionally after a
 * title. Words from the stop lists end it; `english` says whether a common English word may
 * start it.
 */
function parseName(text: string, pos: number, lower: LowerMode = 'no', english = true): NameMatch | null {
  const caret = caretAt(text, pos);
  if (caret !== null && !caret.words.some(isStopWord)) return caret;
  const comma = commaAt(text, pos, lower === 'word');
  if (comma !== null) return comma;
  const tokens = tokensAt(text, pos, 7);
  if (tokens.length === 0) return null;
  let i = 0;
  let titled = false;
  const first = tokens[0];
  if (first !== undefined && (TITLE.test(first.word) || (lower !== 'no' && TITLE_ANY_CASE.test(first.word)))) {
    titled = true;
    i = 1;
  }
  const kept: Token[] = [];
  let caseOfName: Shape | null = null;
  for (; i < tokens.length && kept.length < 4; i++) {
    const token = tokens[i];
    if (token === undefined) break;
    const word = token.word;
    const shape = shapeOf(word);
    const next = tokens[i + 1];
    if (kept.length > 0 && PARTICLES.has(word.toLowerCase()) && next !== undefined && shapeOf(next.word) !== 'other') {
      kept.push(token);
      continue;
    }
    if (isStopWord(word)) break;
    if (kept.length === 0 && !english && isEnglishWord(word)) break;
    if (shape === 'initial') {
      // A middle initial, or a one-letter part after a title (Mrs. Ó Súilleabháin).
      const following = next === undefined ? 'other' : shapeOf(next.word);
      if (kept.length === 0 && !titled && following !== 'cap' && following !== 'upper') break;
      kept.push(token);
      continue;
    }
    if (shape === 'cap' || shape === 'upper') {
      // Names keep their case: "Soo-jin Park HR 88" ends before HR; "SMITH JOHN Adult" before Adult.
      if (caseOfName !== null && shape !== caseOfName) break;
      caseOfName = shape;
      kept.push(token);
      if (/['’]s$/.test(word)) break;
      continue;
    }
    if (shape === 'lower' && lower !== 'no' && caseOfName !== 'upper') {
      const particle = kept.length >= 2 ? (kept[kept.length - 1]?.word ?? '') : '';
      const afterParticle = PARTICLES.has(particle) && word.length >= 3 && !FUNCTION_WORDS.has(word) && !isStopWord(word);
      if (!afterParticle && !lowerNameWord(word)) break;
      // 'lexicon': the first lower-case word must be a known name; the rest only not English ("jose luis peña").
      if (lower === 'lexicon' && !kept.some((t) => shapeOf(t.word) === 'lower') && !inLexicon(word)) break;
      caseOfName = 'lower';
      kept.push(token);
      if (/['’]s$/.test(word)) break;
      continue;
    }
    break;
  }
  // Particles and initials at the end are not part of the name.
  while (kept.length > 0) {
    const last = kept[kept.length - 1];
    if (last === undefined || !(PARTICLES.has(last.word.toLowerCase()) || (shapeOf(last.word) === 'initial' && kept.length > 1))) break;
    kept.pop();
  }
  const lastToken = kept[kept.length - 1];
  if (lastToken === undefined) return null;
  const wordsOfName = kept.map((t) => t.word);
  const real = wordsOfName.filter((w) => !PARTICLES.has(w.toLowerCase()));
  const firstWord = real[0] ?? wordsOfName[0] ?? '';
  // A lone short all-caps word is an abbreviation (ECG, ICU, HR), not a name.
  if (real.length === 1 && !titled && shapeOf(firstWord) === 'upper' && baseOf(firstWord).length <= 3) return null;
  if (real.length === 1 && !titled && shapeOf(firstWord) === 'initial') return null;
  const { end, possessive } = endWithoutPossessive(lastToken);
  return {
    start: pos,
    end,
    words: wordsOfName,
    titled,
    form: 'words',
    possessive,
    lexiconHits: real.filter(inLexicon).length
  };
}

function isStrong(name: NameMatch): boolean {
  return name.titled || name.form !== 'words';
}

/** A lone capitalised word followed by a lowercase word reads as a sentence ("Alarm silenced"), not a name. */
function followedByLowercaseWord(text: string, end: number): boolean {
  return /^[ \t]{1,3}\p{Ll}/u.test(text.slice(end, end + 4));
}

// ---------------------------------------------------------------------------
// Detectors
// ---------------------------------------------------------------------------

/** MRN-style labels. `PID` only in upper case (lower-case `pid` is a process id in device logs). */
const MRN_LABEL =
  /(?<![A-Za-z0-9])(?:mrn|mr[ \t]?#|patient[ \t]+records?[ \t]*(?:#|no\.?|num(?:ber)?)?|(?:patient|pt)[ \t]+acct|fin|visit(?:[ \t]*(?:#|no\.?|num(?:ber)?|id))?|acc(?:ession)?(?:[ \t]*(?:#|no\.?|num(?:ber)?))?|csn|har|med\.?[ \t]?rec(?:ord)?\.?[ \t]?(?:no|num|number|#)\.?|medical[ \t]+record[ \t]*(?:number|num|no\.?|#)|patient[ \t_]?(?:id|identifier|number|no\.?|#)|pt[ \t_]?(?:id|#|no\.?)|pat\.?-?[ \t]?id|dossier|expediente|historia[ \t]cl[ií]nica|chart[ \t]*(?:#|no\.?|num(?:ber)?)|med\.?[ \t]?rec(?:ord)?|(?:medicare|medicaid|insurance|member|policy|subscriber|bcbs|aetna|cigna|humana|uhc|tricare)[ \t]*(?:#|no\.?|num(?:ber)?|id)|pid|acct\.?[ \t]*(?:#|no\.?|num(?:ber)?)?|account[ \t]*(?:#|no\.?|num(?:ber)?)|encounter(?:[ \t]*(?:#|no\.?|num(?:ber)?|id))?|enc(?:\.?[ \t]*(?:#|no\.?|num(?:ber)?|id))?|mbi|(?:wrist|arm)band(?:[ \t]{1,2}(?:as|reads?|says|shows|showed|had))?(?=[ \t:#=]{1,4}[A-Za-z]{0,2}\d{5,})|patient(?=[ \t]{1,3}\d{6,12}(?![\d.:/-])))(?![A-Za-z])/gi;
/** Separator after the label; `*`, `_` and `|` allow markdown (`**MRN:** 123`, `| MRN | 123 |`). */
const MRN_VALUE =
  /(?:[ \t]{1,2}(?:was|is|of|shows|showed|reads|read|says)(?![A-Za-z]))?[ \t:#=.*_|-]{0,8}([A-Za-z0-9][A-Za-z0-9-]{3,16}[A-Za-z0-9])(?![A-Za-z0-9]|-[A-Za-z0-9])/y;

const VENDOR_ACCOUNT =
  /(?<![A-Za-z])(?:portal|vendor|supplier|customer|login|log[ \t]?in|password|order|ordering|shipping|purchasing|contract|distributor|parts)(?![A-Za-z])/i;

const TEST_PATIENT =
  /(?<![A-Za-z])(?:(?:test|dummy|demo|qa|fake|sim|simulator)[ \t]{1,2}(?:pt|patient|record|account|mrn|study|msg|message)|simulator|simulated|interface[ \t]test|zz+test|test,[ \t]{0,2}[A-Z]|qa[ \t^]{1,2}phantom|phantom)(?![a-z])|(?<![A-Za-z])(?:QA|SIM|TEST)\d{3,}/i;
/** "...in a test message, which means they're testing with real data": not a test record after all. */
const REAL_DATA = /(?<![A-Za-z])(?:real|actual|live|production|prod)[ \t]{1,2}(?:data|patients?|pts?|mrns?|records?|phi)(?![A-Za-z])/i;
const MENTIONS_PATIENT_ONLY = /(?<![A-Za-z])(?:patient|pt)(?![A-Za-z])/i;

const detectMrn: Detector = (text) => {
  const out: Span[] = [];
  MRN_LABEL.lastIndex = 0;
  for (let m = MRN_LABEL.exec(text); m !== null; m = MRN_LABEL.exec(text)) {
    const label = m[0];
    if (label.toLowerCase() === 'pid' && label !== 'PID') continue;
    if (label.toLowerCase() === 'fin' && label !== 'FIN') continue;
    if (/^(?:csn|har|mbi)$/i.test(label) && label !== label.toUpperCase()) continue;
    // A vendor's account ("Stryker parts portal acct 100442871") is not a patient's.
    const around = lineWindow(text, m.index, 80, 80);
    if (/^(?:acct|account)/i.test(label) && VENDOR_ACCOUNT.test(around) && !MENTIONS_PATIENT_ONLY.test(around)) continue;
    const value = execAt(MRN_VALUE, text, m.index + label.length);
    if (value === null || value[1] === undefined) continue;
    // Our test patient on the central ("TEST, BIOMED  MRN 999999", "Zztest, Biomed", "QA0001").
    const testWindow = text.slice(Math.max(0, m.index - 120), m.index + label.length + value[0].length + 120);
    if (TEST_PATIENT.test(testWindow) && !REAL_DATA.test(testWindow)) continue;
    if (countDigits(value[1]) < 4) continue;
    // Bare `encounter` / `patient acct` / `FIN`: the value must look like an identifier, not a count.
    if (
      /^(?:encounter|enc|(?:patient|pt)[ \t]+acct|fin|visit|acc|accession|csn|har|mbi|med\.?[ \t]?rec(?:ord)?)$/i.test(label) &&
      !/^[ \t]{0,2}[:#=]/.test(text.slice(m.index + label.length)) &&
      countDigits(value[1]) < 5
    )
      continue;
    const end = m.index + label.length + value[0].length;
    out.push({ kind: 'mrn', start: m.index, end });
    MRN_LABEL.lastIndex = end;
  }
  return out;
};

/** "these 3 MRNs are still associated: 7720145, 7720998, 7731062" */
const MRN_LIST =
  /(?<![A-Za-z])(?:mrns|patient[ \t]ids|pt[ \t]ids|fins|encounters|account[ \t]numbers)(?![A-Za-z])[^\n:]{0,60}:[ \t]{0,3}/gi;
const MRN_LIST_ITEM = /([A-Za-z]{0,2}\d{5,12})(?![\p{L}\p{N}])(?:[ \t]{0,2}(?:,|;|and|&)[ \t]{0,3})?/uy;

const detectMrnList: Detector = (text) => {
  const out: Span[] = [];
  MRN_LIST.lastIndex = 0;
  for (let m = MRN_LIST.exec(text); m !== null; m = MRN_LIST.exec(text)) {
    let pos = m.index + m[0].length;
    for (let i = 0; i < 100; i++) {
      const item = execAt(MRN_LIST_ITEM, text, pos);
      if (item === null || item[1] === undefined) break;
      out.push({ kind: 'mrn', start: pos, end: pos + item[1].length });
      pos += item[0].length;
    }
    MRN_LIST.lastIndex = Math.max(pos, MRN_LIST.lastIndex);
  }
  return out;
};

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DOB_LABEL =
  /(?<![A-Za-z])(?:d\.?o\.?b\.?|geb\.?|date[ \t]+of[ \t]+birth|birth[ \t_]?date|patient'?s?[ \t_]?birth[ \t_]?date|born(?:[ \t]+on)?)(?![A-Za-z])/gi;
const DOB_SEPARATOR =
  /[*_]{0,2}[ \t]{0,3}(?:\((?![ \t]?\d)[^)\n]{0,12}\)[ \t]{0,3})?\(?[:=#|-]?[*_]{0,2}[ \t]{0,3}(?:(?:was|is|typed|entered|listed|set|showing|shows|reads|read|as|to|of|at)[ \t]{1,2}){0,3}/y;
const DATE = new RegExp(
  '(?:' +
    '(\\d{1,2})[/.-](\\d{1,2})[/.-](\\d{4}|\\d{2})' +
    '|(\\d{4})[/.-](\\d{1,2})[/.-](\\d{1,2})' +
    '|((?:19|20)\\d{2})(\\d{2})(\\d{2})' +
    `|\\d{1,2}(?:st|nd|rd|th)?[ \\t-]${MONTH}[ \\t,-]{1,2}\\d{4}` +
    `|${MONTH}[ \\t]\\d{1,2}(?:st|nd|rd|th)?,?[ \\t]\\d{4}` +
    ')(?![0-9])',
  'iy'
);

function validMonthDay(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function plausibleDate(m: RegExpExecArray): boolean {
  const n = (i: number): number => Number(m[i]);
  // 04/12/1957 may be month-first or day-first.
  if (m[1] !== undefined) return validMonthDay(n(1), n(2)) || validMonthDay(n(2), n(1));
  if (m[4] !== undefined) return validMonthDay(n(5), n(6));
  if (m[7] !== undefined) return validMonthDay(n(8), n(9));
  return true;
}

const detectDob: Detector = (text) => {
  const out: Span[] = [];
  DOB_LABEL.lastIndex = 0;
  for (let m = DOB_LABEL.exec(text); m !== null; m = DOB_LABEL.exec(text)) {
    const afterLabel = m.index + m[0].length;
    const sep = execAt(DOB_SEPARATOR, text, afterLabel);
    const datePos = afterLabel + (sep?.[0].length ?? 0);
    const date = execAt(DATE, text, datePos);
    if (date === null || !plausibleDate(date)) continue;
    // A device's placeholder ("defaults DOB to 01/01/1900") is nobody's birthday.
    if (/(?:^|\D)1900(?:\D|$)/.test(date[0]) || /^1900/.test(date[0])) continue;
    const end = datePos + date[0].length;
    out.push({ kind: 'dob', start: m.index, end });
    DOB_LABEL.lastIndex = end;
  }
  return out;
};

function validSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const SSN_LABELLED =
  /(?<![A-Za-z])(?:ssn|ss[ \t]?#|soc(?:ial)?\.?[ \t]+sec(?:urity)?\.?(?:[ \t]*(?:number|num|no\.?|#))?|social(?:[ \t]*(?:number|num|no\.?|#))?)(?![A-Za-z])[ \t:#=.,-]{0,5}(\d{3})([ .-]?)(\d{2})\2(\d{4})(?![0-9])/gi;
/** Unlabelled: dashes only (`123 45 6789` without a label is too often a row of readings). */
const SSN_BARE = /(?<![A-Za-z0-9./:_-])(\d{3})-(\d{2})-(\d{4})(?![A-Za-z0-9_]|[-./]\d)/g;

/** Nine bare digits are an SSN when the text around them says so ("PID-19 \"523889104\" ... a social"). */
const SSN_NINE = /(?<![A-Za-z0-9./:_-])(\d{3})(\d{2})(\d{4})(?![A-Za-z0-9_]|[-./]\d)/g;
const SSN_CONTEXT = /(?<![A-Za-z])(?:ssns?|socials?(?![ \t]{1,2}(?:media|work|worker|services))|soc[ \t]?sec|PID[-.]19)(?![A-Za-z])/i;

const detectSsn: Detector = (text) => {
  const out: Span[] = [];
  SSN_NINE.lastIndex = 0;
  for (let m = SSN_NINE.exec(text); m !== null; m = SSN_NINE.exec(text)) {
    if (!validSsn(m[1] ?? '', m[2] ?? '', m[3] ?? '') || afterEquipmentLabel(text, m.index)) continue;
    const around = text.slice(Math.max(0, m.index - 80), m.index + m[0].length + 80);
    if (SSN_CONTEXT.test(around)) out.push({ kind: 'ssn', start: m.index, end: m.index + m[0].length });
  }
  SSN_LABELLED.lastIndex = 0;
  for (let m = SSN_LABELLED.exec(text); m !== null; m = SSN_LABELLED.exec(text)) {
    if (validSsn(m[1] ?? '', m[3] ?? '', m[4] ?? '')) out.push({ kind: 'ssn', start: m.index, end: m.index + m[0].length });
  }
  SSN_BARE.lastIndex = 0;
  for (let m = SSN_BARE.exec(text); m !== null; m = SSN_BARE.exec(text)) {
    if (!validSsn(m[1] ?? '', m[2] ?? '', m[3] ?? '')) continue;
    if (afterEquipmentLabel(text, m.index)) continue;
    out.push({ kind: 'ssn', start: m.index, end: m.index + m[0].length });
  }
  return out;
};

/**
 * North American numbers. Separators between groups must agree; the space-only
 * form (`555 123 4567`) needs a `+1`, a bracketed area code or a phone label.
 */
const PHONE_NANP =
  /(?<![A-Za-z0-9_./:+-])(\+?1[ \t.-]?)?(?:\((\d{3})\)[ \t]?|([2-9]\d{2})([ \t.-]))(\d{3})([ \t.-])(\d{4})(?![A-Za-z0-9_]|[-./:]\d)/g;
/** `+44 20 7946 0958`: a leading +, a country code and separated digit groups (8-15 digits). */
const PHONE_INTL = /(?<![A-Za-z0-9_+])\+[1-9]\d{0,2}(?:[ \t]?\(0\))?(?:[ \t.-]\d{1,8}){1,5}(?![A-Za-z0-9_]|[.-]\d)/g;
const PHONE_LABEL_BEFORE =
  /(?<![A-Za-z])(?:tel|telephone|phone|ph|cell|mobile|mob|pager|fax|call|text|contact)\.?(?:[ \t]{0,2}(?:no\.?|num(?:ber)?|#))?[ \t]{0,3}[:#=]?[ \t]{0,3}$/i;

/** Ten digits with no separators (`5552180934`) only right after a word for a phone or a call. */
const PHONE_BARE = /(?<![A-Za-z0-9_./:+-])1?([2-9]\d{2})[2-9]\d{6}(?![A-Za-z0-9_]|[-./:]\d)/g;
const PHONE_WORD_BEFORE =
  /(?<![A-Za-z])(?:tel|telephone|phone|ph|cell|mobile|mob|pager|fax|call|called|text|texted|contact|reach|vm|voicemail|number|n[uú]mero|t[ée]l[ée]fono|portable)(?![A-Za-z])[^\n\d]{0,24}$/i;

/** A trunk-prefixed national number (UK, Australia, Mexico...): `07700 900461`, `0412 345 678`, `55 5123 4098`. */
const PHONE_NATIONAL =
  /(?<![A-Za-z0-9_./:+-])(?:0\d{2,4}[ \t-]\d{3,6}(?:[ \t-]\d{3,4})?|\d{2}[ \t]\d{4}[ \t]\d{4})(?![A-Za-z0-9_]|[-./:]\d)/g;

const TOLL_FREE: ReadonlySet<string> = new Set(['800', '888', '877', '866', '855', '844', '833']);
const SUPPORT_CONTEXT =
  /(?<![A-Za-z])(?:support|service|tech|technical|customer|hotline|helpline|help[ \t]?desk|vendor|manufacturer|mfr|oem|rep|option|opt|press|ext|depot|rma|recall|m-f|24\/7|24x7|call[ \t]+center)(?![A-Za-z])/i;
const PERSONAL_CONTEXT =
  /(?<![A-Za-z])(?:her|his|him|she|he|family|daughter|son|wife|husband|mom|mother|dad|father|niece|nephew|sister|brother|kin|pt['’]s|patient['’]s|home|cell[ \t]?(?:phone|#|no|number|:)|caregiver|guardian)(?![A-Za-z])/i;

/** A manufacturer or product line is named somewhere in `around` (Stryker, Dräger, Welch-Allyn). */
function mentionsMaker(around: string): boolean {
  const makers = words().makers;
  return around.split(/[^\p{L}-]+/u).some((token) => token !== '' && makers.has(token.toLowerCase()));
}

/**
 * A manufacturer's published support line passes: a toll-free number with a support word or a
 * manufacturer's name on its line and no word for a patient or their family.
 */
function publishedSupportNumber(text: string, start: number, end: number, area: string): boolean {
  if (!TOLL_FREE.has(area)) return false;
  const around = lineWindow(text, start, 80) + ' ' + lineWindow(text, end, 0, 60);
  if (PERSONAL_CONTEXT.test(around)) return false;
  if (SUPPORT_CONTEXT.test(around)) return true;
  return mentionsMaker(around);
}

/** "Biomed shop phone is 555-210-4400 ext 2", "page the on-call at ...": the hospital's own lines. */
const DEPARTMENT_CONTEXT =
  /(?<![A-Za-z])(?:shop|biomed|dept|department|desk|front[ \t]desk|office|ext|x\d{2,5}|pager|page|on-?call|main[ \t]?(?:line|number|#|:)|switchboard|operator|nursing[ \t]station|unit[ \t]phone|clinical[ \t]engineering|after[ \t]hours|hiring|apply|applications?|recruit(?:ing|er|ment)?|careers?|hr|resume|job|position|opening|customer|contract|sales|account[ \t]manager|poste|emploi|empleo|vacante|trabajo|contactez|territory|field[ \t]service)(?![A-Za-z])/i;

function departmentNumber(text: string, start: number, end: number): boolean {
  const around = lineWindow(text, start, 60) + ' ' + lineWindow(text, end, 0, 30);
  const vendor = mentionsMaker(text.slice(Math.max(0, start - 200), end + 60));
  return (DEPARTMENT_CONTEXT.test(around) || vendor) && !PERSONAL_CONTEXT.test(around) && !/(?<![A-Za-z])(?:pt|patient)/i.test(around);
}

const detectPhone: Detector = (text) => {
  const out: Span[] = [];
  PHONE_NANP.lastIndex = 0;
  for (let m = PHONE_NANP.exec(text); m !== null; m = PHONE_NANP.exec(text)) {
    const [, prefix, bracketArea, , sep1, , sep2 = ''] = m;
    if (bracketArea !== undefined && !/^[2-9]/.test(bracketArea)) continue;
    const spaced = sep2.trim() === '';
    // Both separators must agree: 555-123-4567, 555.123.4567, 555 123 4567 (not 555-123.4567).
    if (sep1 !== undefined && (sep1.trim() === '' ? !spaced : sep1 !== sep2)) continue;
    // The all-space form needs a +1, a bracketed area code or a phone label in front.
    if (spaced && sep1 !== undefined && prefix === undefined) {
      if (!PHONE_LABEL_BEFORE.test(lineWindow(text, m.index, 30))) continue;
    }
    if (afterEquipmentLabel(text, m.index)) continue;
    if (publishedSupportNumber(text, m.index, m.index + m[0].length, bracketArea ?? m[3] ?? '')) continue;
    if (departmentNumber(text, m.index, m.index + m[0].length)) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  }
  PHONE_BARE.lastIndex = 0;
  for (let m = PHONE_BARE.exec(text); m !== null; m = PHONE_BARE.exec(text)) {
    if (!PHONE_WORD_BEFORE.test(lineWindow(text, m.index, 40)) || afterEquipmentLabel(text, m.index)) continue;
    if (publishedSupportNumber(text, m.index, m.index + m[0].length, m[1] ?? '')) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  }
  PHONE_NATIONAL.lastIndex = 0;
  for (let m = PHONE_NATIONAL.exec(text); m !== null; m = PHONE_NATIONAL.exec(text)) {
    if (!PHONE_WORD_BEFORE.test(lineWindow(text, m.index, 40)) || departmentNumber(text, m.index, m.index + m[0].length)) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  }
  PHONE_INTL.lastIndex = 0;
  for (let m = PHONE_INTL.exec(text); m !== null; m = PHONE_INTL.exec(text)) {
    const digits = countDigits(m[0]);
    if (digits < 8 || digits > 15) continue;
    if (m[0].startsWith('+1') && /^\+1(?![0-9])/.test(m[0])) continue; // NANP, handled above
    if (afterEquipmentLabel(text, m.index)) continue;
    out.push({ kind: 'phone', start: m.index, end: m.index + m[0].length });
  }
  return out;
};

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;
/** `logo@2x.png`, `dump@0x1F.bin`: file names, not addresses. */
const FILE_EXTENSION =
  /^(?:png|jpe?g|gif|svg|webp|bmp|tiff?|ico|log|txt|csv|xml|json|zip|gz|tar|bin|hex|img|iso|pdf|docx?|xlsx?|dcm|dat|cfg|ini)$/i;

const ROLE_MAILBOX: ReadonlySet<string> = new Set(
  (
    'support service services desk helpdesk help info sales noreply no-reply donotreply techsupport tech biomed rma ' +
    'orders order customerservice customer care contact admin it returns repair repairs depot quality complaints ' +
    'recall recalls safety billing accounts invoices purchasing procurement ops operations team quotes quote ' +
    'tickets ticket parts rfq ap ar estimates shipping receiving workorders biomed-tickets servicedesk'
  ).split(' ')
);

/** "email me the logs at k.holloway@...", "my work email is ...": the author's own address. */
const AUTHORS_OWN_EMAIL =
  /(?<![A-Za-z])(?:(?:e-?mail|mail|send|reach|contact|ping|message|write|cc)[ \t]{1,2}(?:it[ \t]{1,2}|them[ \t]{1,2})?(?:to[ \t]{1,2})?me|my[ \t]{1,2}(?:work[ \t]{1,2})?e-?mail(?:[ \t]{1,2}address)?)(?![A-Za-z])/i;

/** Free mail and consumer ISPs: where patients and families have their addresses. */
const PERSONAL_MAIL: ReadonlySet<string> = new Set(
  (
    'gmail googlemail yahoo ymail rocketmail hotmail outlook live msn icloud me mac aol comcast verizon att sbcglobal ' +
    'bellsouth charter cox earthlink protonmail proton pm gmx yandex zoho optonline frontier windstream centurylink ' +
    'juno netzero mail email inbox fastmail tutanota hey q spectrum roadrunner rr'
  ).split(' ')
);
/** A patient or their family on the line: then any address is theirs ("pt email tadeusz.g@example.net"). */
const PATIENT_OR_FAMILY =
  /(?<![A-Za-z])(?:pt|pts|pt['’]s|patient|patients|patient['’]s|family|her|his|mom|mother|dad|father|daughter|son|wife|husband|caregiver|guardian|niece|nephew|sister|brother|home|personal)(?![A-Za-z])/i;

const detectEmail: Detector = (text) => {
  const out: Span[] = [];
  EMAIL.lastIndex = 0;
  for (let m = EMAIL.exec(text); m !== null; m = EMAIL.exec(text)) {
    let value = m[0];
    // Trailing sentence punctuation / dashes are not part of the domain.
    value = value.replace(/[.-]+$/, '');
    const tld = value.slice(value.lastIndexOf('.') + 1);
    if (!/^[A-Za-z]{2,24}$/.test(tld) || FILE_EXTENSION.test(tld)) continue;
    if (!value.slice(value.indexOf('@') + 1).includes('.')) continue;
    // support@, service.desk@, rma@: a department's address, not a person's.
    if (
      value
        .slice(0, value.indexOf('@'))
        .toLowerCase()
        .split(/[._+-]/)
        .some((part) => ROLE_MAILBOX.has(part))
    )
      continue;
    if (AUTHORS_OWN_EMAIL.test(lineWindow(text, m.index, 80))) continue;
    // Staff and vendors write from their organisation's domain; patients from a personal provider.
    const domainParts = value
      .slice(value.indexOf('@') + 1)
      .toLowerCase()
      .split('.');
    // The name the domain was registered under: gmail in gmail.com, yahoo in yahoo.co.uk.
    const secondLevel = domainParts.length >= 3 && /^(?:co|com|net|org|ac)$/.test(domainParts.at(-2) ?? '') ? -3 : -2;
    const personal = PERSONAL_MAIL.has(domainParts.at(secondLevel) ?? '');
    const around = lineWindow(text, m.index, 80) + ' ' + lineWindow(text, m.index + value.length, 0, 60);
    if (!personal && !PATIENT_OR_FAMILY.test(around)) continue;
    out.push({ kind: 'email', start: m.index, end: m.index + value.length });
  }
  return out;
};

/**
 * Name labels. `Patient:` / `Pt:` need a `:` or `=`; `Patient name`, `pt name is`, `the name
 * is` may be followed by whitespace only; bare `Name:` takes a two-word or LAST, FIRST name,
 * a single word only on a line that also mentions the patient; bare `NAME` without a colon
 * only the LAST, FIRST or caret forms of a monitor banner.
 */
const NAME_LABEL =
  /(?<![A-Za-z])(?:((?:patient|pt)['’]?s?[ \t_]?name(?:[ \t]+(?:on|in)[ \t]+the[ \t]+[A-Za-z]{2,12})?(?:[ \t]+(?:is|was|reads|read|said|says|showed|shows))?|name[ \t]+(?:is|was))|(patient|pt)|((?:first|last|given|family|sur|middle)[ \t_]?name|name))(?![A-Za-z])([*_]{0,2}[ \t]{0,3}[:=][*_]{0,2}[ \t]{0,3}["“]?|[ \t]{1,3}["“]?)/gi;
const MENTIONS_PATIENT = /(?<![A-Za-z])(?:patient|pt|bed|room|rm|mrn|dob)(?![A-Za-z])/i;

const detectPatientName: Detector = (text) => {
  const out: Span[] = [];
  NAME_LABEL.lastIndex = 0;
  for (let m = NAME_LABEL.exec(text); m !== null; m = NAME_LABEL.exec(text)) {
    const [whole, patientName, , bareName, sep = ''] = m;
    const hasColon = /[:=]/.test(sep);
    if (patientName === undefined && bareName === undefined && !hasColon) {
      // "Patient monitor", "pt. circuit": not a label (the patient-word rule looks at these).
      NAME_LABEL.lastIndex = m.index + 1;
      continue;
    }
    if (bareName !== undefined) {
      // "Device Name:", "User name:": another word right before the label.
      const before = lineWindow(text, m.index, 20);
      if (/[A-Za-z][ \t]{0,2}$/.test(before) && !/(?:patient|pt|the|his|her)[ \t]{0,2}$/i.test(before)) continue;
    }
    const namePos = m.index + whole.length;
    // Lower-case names ("pt name: tran, minh") after a colon; without one, only names the lexicon knows.
    let name = parseName(text, namePos, patientName !== undefined && hasColon ? 'word' : 'lexicon');
    if (name === null) continue;
    if (bareName !== undefined) {
      // "NAME SHARMA, ANJALI", "w/ name priya raghunathan": without a colon, LAST, FIRST or two words the lexicon knows.
      if (!hasColon && name.form === 'words') {
        const loose = parseName(text, namePos, 'word');
        if (loose === null || loose.words.length < 2 || loose.lexiconHits === 0) continue;
        name = loose;
      }
      const real = name.words.length;
      if (real < 2 && !isStrong(name) && !MENTIONS_PATIENT.test(lineWindow(text, m.index, 200, 200))) continue;
    }
    // "pt: Stable overnight" reads as a sentence; after an explicit name label ("Patient name Maria de la Cruz") it is a name.
    const explicitName = patientName !== undefined || bareName !== undefined;
    if (!explicitName && !isStrong(name) && name.words.length === 1 && followedByLowercaseWord(text, name.end)) continue;
    out.push({ kind: 'patient_name', start: m.index, end: name.end });
    NAME_LABEL.lastIndex = name.end;
  }
  return out;
};

/**
 * A name after a word for the patient without a colon: "Patient Rosa Delgado was on the pump",
 * "pt nguyen thi lan in 3B", "dialysis pt Halina Wróbel", "family of Gloria Santiago". Lower-case
 * words count only when the lexicon knows them and they are not common English.
 */
const PATIENT_CONTEXT =
  /(?<![\p{L}\p{N}])(?:(patient|pt|pnt|ptnt)['’]?s?[ \t]{1,2}(?:husband|wife|son|daughter|mom|mother|dad|father|brother|sister|niece|nephew|caregiver|partner|fiance|fiancee|grandson|granddaughter)|(?:her|his|their|my)[ \t]{1,2}(?:father|mother|husband|wife|son|daughter|dad|mom|grandmother|grandfather|grandma|grandpa)|(?:mom|dad|mum)(?=[ \t]{1,2}\p{Lu})|(baby[ \t]{1,2}(?:girl|boy)|bb[ \t]{1,2}(?:girl|boy)|infant|newborn)|patient|pt|ptnt|inmate|detainee|prisoner|family[ \t]+of|(baby))(?![\p{L}'’])\.?[ \t]{1,3}(?:(?:is|was)[ \t]{1,2}(?:named[ \t]{1,2})?|named[ \t]{1,2})?/giu;

const detectPatientContext: Detector = (text) => {
  const out: Span[] = [];
  PATIENT_CONTEXT.lastIndex = 0;
  for (let m = PATIENT_CONTEXT.exec(text); m !== null; m = PATIENT_CONTEXT.exec(text)) {
    if (/^pt/i.test(m[0]) && /\d[ \t]?$/.test(lineWindow(text, m.index, 3))) continue; // "12 pt font"
    const namePos = m.index + m[0].length;
    // "baby Thompson twin B": after a bare "baby", only a capitalised surname ("baby monitor" is not one).
    const bareBaby = m[3] !== undefined;
    const name = parseName(text, namePos, bareBaby ? 'no' : 'word', false);
    if (name === null) continue;
    if (bareBaby && (name.words.some(isEnglishWord) || isEverydayEnglish(baseOf(name.words[0] ?? '')))) continue;
    // "baby girl castillo-reyes": a newborn's one surname is enough; elsewhere lower case needs more.
    if (m[2] === undefined && !lowerCaseNameOk(name)) continue;
    // "PATIENT DISCONNECT", "NO PATIENT DETECTED": capitals after the word are an alarm message,
    // unless they are LAST, FIRST or a name the lexicon knows.
    if (!isStrong(name) && name.words.every((w) => shapeOf(w) === 'upper') && name.lexiconHits === 0) continue;
    out.push({ kind: 'patient_name', start: m.index, end: name.end });
    PATIENT_CONTEXT.lastIndex = Math.max(name.end, namePos);
  }
  return out;
};

/** "Ms. Chen from supply chain", "Mrs. Gonzalez, the charge nurse": staff and vendors, not patients. */
const STAFF_AFTER =
  /^(?:[ \t]{1,2}(?:from(?![ \t]{1,2}\d)|at(?![ \t]{1,2}\d)|with|in[ \t]+(?:purchasing|supply|biomed|it|pharmacy|materials|admin|engineering|facilities))|,?[ \t]{1,2}(?:the[ \t]+|our[ \t]+)?(?:charge[ \t]+nurse|nurse|rn|lpn|cna|manager|director|rep|tech|engineer|supervisor|educator|pharmacist|doctor|dr|md|np|pa|rt|therapist|resident|fellow|attending|surgeon|anesthesiologist|crna|coordinator|buyer))(?![\p{L}])/iu;

/** "our interim director Mr. Alvarez", "the Stryker rep Ms. Lee": a role right before the title. */
const ROLE_BEFORE_TITLE =
  /(?<![\p{L}])(?:director|manager|supervisor|rep|engineer|tech|technician|coordinator|administrator|vp|ceo|cfo|cno|cmo|president|chair|chief|buyer|instructor|educator|our|my[ \t]{1,2}(?:boss|manager|supervisor))[ \t]{1,2}$/iu;

/** Mr/Mrs/Ms/Miss/Mx and a surname: a person, in any context ("Mrs. Okonkwo's feeding pump"). */
const HONORIFIC = /(?<![\p{L}\p{N}])(mrs|mr|ms|miss|mx|mme|mlle|sra|srta|herr|frau)(\.?)[ \t]{1,2}/giu;

const detectHonorific: Detector = (text) => {
  const out: Span[] = [];
  HONORIFIC.lastIndex = 0;
  for (let m = HONORIFIC.exec(text); m !== null; m = HONORIFIC.exec(text)) {
    const title = m[1] ?? '';
    const lowerTitle = title === title.toLowerCase();
    const upperTitle = title === title.toUpperCase();
    if (lowerTitle && title === 'miss') continue; // the verb
    // "500 ms delay", "2 mr" (units)
    if (lowerTitle && (title === 'ms' || title === 'mr') && /\d[ \t]?$/.test(lineWindow(text, m.index, 3))) continue;
    const namePos = m.index + m[0].length;
    let name = parseName(text, namePos, 'word', true);
    if (name === null) {
      // "ms park in 711": a surname that is also a word, when a room follows.
      const token = tokensAt(text, namePos, 1)[0];
      if (token === undefined || isStopWord(token.word) || shapeOf(token.word) === 'other') continue;
      if (!PLACE_AFTER.test(text.slice(token.end, token.end + 30)) && !/^['’]s/.test(text.slice(token.end - 2, token.end))) continue;
      name = { start: namePos, end: token.end, words: [token.word], titled: false, form: 'words', possessive: false, lexiconHits: 0 };
    }
    if (name.titled) continue;
    // "MS Teams", "MR #": an all-caps title wants an all-caps surname.
    if (upperTitle && !lowerTitle && !name.words.every((w) => shapeOf(w) === 'upper')) continue;
    // "Ms. Chen from supply chain", "Mr. Ortiz at Stryker": staff and vendors, not patients.
    if (STAFF_AFTER.test(text.slice(name.end, name.end + 40))) continue;
    if (ROLE_BEFORE_TITLE.test(lineWindow(text, m.index, 40))) continue;
    out.push({ kind: 'patient_name', start: m.index, end: name.end });
    HONORIFIC.lastIndex = Math.max(name.end, namePos);
  }
  return out;
};

/** `Room 412`, `Rm 12`, `Bed B`, `Room 412, Bed B`, `Bay 3`, `chair 6`: a designation must contain a digit or be one letter. */
const DESIGNATION = '(?:[A-Za-z]?\\d{1,5}[A-Za-z]?(?:-\\d{1,3}[A-Za-z]?)?|(?<=[ \\t#])[A-Za-z])(?![A-Za-z0-9])';
const ROOM_BED = new RegExp(
  `(?<![A-Za-z])(?:room|rm|bed|bd|bay|chair|stretcher|cubicle|cube|crib|dialysis|pack|pod|isolette|iso|bassinet|(?:pt|patient|guy|lady|man|woman|gentleman|gent|kid|boy|girl|mom|dad|resident|inmate)[ \\t]{1,2}in(?:[ \\t]{1,2}(?:room|rm|bed|bay|L&D|LDR|ICU|CCU|MICU|SICU|NICU|PICU|PACU|ED|iso))?)\\.?[ \\t]{0,2}#?[ \\t]{0,2}${DESIGNATION}` +
    `(?:[ \\t]{0,2}[,/]?[ \\t]{0,2}(?:bed|bd|bay)\\.?[ \\t]{0,2}#?[ \\t]{0,2}${DESIGNATION})?`,
  'gi'
);
const ROOM_BED_SEPARATOR = /[ \t]{0,3}(?:[-–—:/|,=][ \t]{0,3}|\([ \t]{0,2})?/y;

const detectRoomBedName: Detector = (text) => {
  const out: Span[] = [];
  ROOM_BED.lastIndex = 0;
  for (let m = ROOM_BED.exec(text); m !== null; m = ROOM_BED.exec(text)) {
    const afterRoom = m.index + m[0].length;
    const sep = execAt(ROOM_BED_SEPARATOR, text, afterRoom);
    const sepText = sep?.[0] ?? '';
    const namePos = afterRoom + sepText.length;
    if (namePos === afterRoom) continue; // "Room 12Jane": glued, not a name
    const hasSeparator = sepText.trim() !== '';
    const capsInitial = /^(\p{Lu}[\p{Lu}'’-]{1,29})[ \t]\p{Lu}\.?(?![\p{L}\p{N}])/u.exec(text.slice(namePos, namePos + 40));
    if (
      capsInitial !== null &&
      !isStopWord(capsInitial[1] ?? '') &&
      !isEnglishWord(capsInitial[1] ?? '') &&
      !isEverydayEnglish(baseOf(capsInitial[1] ?? ''), false)
    ) {
      out.push({ kind: 'room_bed_name', start: m.index, end: namePos + capsInitial[0].length });
      ROOM_BED.lastIndex = namePos + capsInitial[0].length;
      continue;
    }
    let name = parseName(text, namePos, 'no', hasSeparator);
    let distinctive = false;
    if (name === null) {
      // "stretcher 12 dorothy mae jenkins": lower case only as two or more names the lexicon knows.
      const lower = parseName(text, namePos, 'word', false);
      if (lower === null || lower.words.some((w) => shapeOf(w) !== 'lower')) continue;
      // One lower-case word only in a shape no English word has: o'brien, d'angelo.
      const irish = lower.words.length === 1 && /^(?:o|d)['’]\p{Ll}{3,}$/u.test(lower.words[0] ?? '');
      if (!irish && (lower.words.length < 2 || !lowerCaseNameOk(lower))) continue;
      name = lower;
      distinctive = irish;
    }
    if (!isStrong(name) && !distinctive) {
      const single = name.words.length === 1;
      if (hasSeparator) {
        if (single && followedByLowercaseWord(text, name.end)) continue;
      } else if (single) {
        // "Bed 4 Johnson": one word without a separator only when it is a known name, not a word.
        if (name.lexiconHits === 0 || isEnglishWord(name.words[0] ?? '') || followedByLowercaseWord(text, name.end)) continue;
      }
    }
    const end = sepText.includes('(') && text[name.end] === ')' ? name.end + 1 : name.end;
    out.push({ kind: 'room_bed_name', start: m.index, end });
    ROOM_BED.lastIndex = end;
  }
  return out;
};

/**
 * A device that is on someone: "the pump on jose ramirez in 412", "vent is on Kwame Asante",
 * "tele box 1142 on ramon ortega-vidal". Two words or more, capitalised or lower case.
 */
const DEVICE_ON = new RegExp(
  '(?<![\\p{L}])(?:pump|pumps|vent|ventilator|monitor|bed|tele|box|pca|bipap|cpap|probe|cuff|sensor|scd|warmer|' +
    'blanket|mattress|alaris|channel|module|iv|defib|pacer|iabp|impella|ecmo|crrt|machine|chair|scale|lift|' +
    'concentrator|transmitter|pack|feeding[ \\t]pump|bair[ \\t]hugger|spectrum|sigma)' +
    '(?:[ \\t]{1,2}#?(?:[\\p{N}][\\p{L}\\p{N}-]{0,8}|[A-D](?![\\p{L}\\p{N}])))?(?:[ \\t]{1,2}in[ \\t]{1,2}(?:the[ \\t]{1,2})?(?:rm|room|bed|bay)?[ \\t]{0,2}#?\\d{1,4}[A-Za-z]?)?' +
    '(?:[ \\t]{1,2}[^\\n]{0,40}?(?:running|infusing))?' +
    "[ \\t]{1,2}(?:(?:is|was|thats|that's|still)[ \\t]{1,2}){0,2}(?:on|for|(?:assigned|associated|paired|connected|hooked[ \\t]up)[ \\t]{1,2}(?:to|with))[ \\t]{1,2}(?:pt[ \\t]{1,2}|patient[ \\t]{1,2})?",
  'giu'
);

const detectDeviceOn: Detector = (text) => {
  const out: Span[] = [];
  DEVICE_ON.lastIndex = 0;
  for (let m = DEVICE_ON.exec(text); m !== null; m = DEVICE_ON.exec(text)) {
    const namePos = m.index + m[0].length;
    const first = text.charAt(namePos);
    const name = /\p{Lu}/u.test(first) ? parseName(text, namePos, 'no', false) : parseName(text, namePos, 'word', false);
    if (name === null) continue;
    const real = name.words.filter((w) => !PARTICLES.has(w.toLowerCase()));
    // One capitalised word: a known name, or any non-English word with a room after it ("pump B on Ruiz in 7").
    const single =
      real.length === 1 &&
      shapeOf(real[0] ?? '') === 'cap' &&
      !isEnglishWord(real[0] ?? '') &&
      !isEverydayEnglish(baseOf(real[0] ?? '')) &&
      (inLexicon(real[0] ?? '') || PLACE_AFTER.test(text.slice(name.end, name.end + 40)));
    if (!isStrong(name) && !single && (real.length < 2 || !lowerCaseNameOk(name))) continue;
    out.push({ kind: 'patient_name', start: namePos, end: name.end });
    DEVICE_ON.lastIndex = Math.max(name.end, namePos);
  }
  return out;
};

/** What a possessive name owns when it is a patient: "Nkechi Eze's pump", "Li Na's monitor". */
const DEVICE_WORDS: ReadonlySet<string> = new Set(
  (
    'pump pumps bed monitor vent ventilator pca bipap cpap alaris channel line lines iv probe cuff scale mattress tele ' +
    'box call light feeding spo2 sp02 pulse ox o2 oxygen concentrator wheelchair chair remote pillow speaker tv warmer ' +
    'blanket scd machine dialysis infusion syringe tubing leads ecg ekg defib pacemaker trach suction humidifier wound ' +
    'vac nebulizer room telemetry transmitter sensor bed-alarm alarm glucose sugar bp vitals sats sat temp labs lab ' +
    'readings reading insulin weight heart rhythm strip hoyer sling lift walker'
  ).split(' ')
);
const AGE_SEX_AFTER =
  /^[ \t]{0,2},?[ \t]{0,2}\(?[ \t]{0,2}(?:\d{1,3}[ \t]?(?:y\/o|yo|y\.o\.?|yrs?|years?(?:[ \t]old)?|y)?[ \t,]{0,2}(?:m|f|male|female)|(?:m|f)[ \t]{1,3}\d{1,3}[ \t]?(?:y|yo|yrs?)?)(?![\p{L}\p{N}])/iu;
const AGE_SEX_BEFORE =
  /(?<![\p{L}\p{N}])\d{1,3}[ \t]?(?:y\/o|yo|y\.o\.?|yrs?|years?[ \t]old|m|f)(?:[ \t,]{1,2}(?:m|f|male|female))?[ \t]{0,2}[,:-]?[ \t]{0,2}$/iu;
const PLACE_AFTER =
  /^[*_]{0,3}[ \t]{0,2},?[ \t]{0,2}(?:(?:L&D|LDR|ICU|CCU|MICU|SICU|CVICU|NICU|PICU|PACU|ED|CCU|HDU|ITU)[ \t]{0,2}(?:bed|bay|rm)?[ \t]{0,2}#?\d|\([ \t]{0,2}(?:peds|pediatric|adult|bariatric|neonate|newborn|infant|\d{1,3}[ \t]?(?:y\/?o|yo|yrs?|mo|m|f)(?![\p{L}]))|\d{1,2}[A-Z]{1,2}-\d{1,3}(?![\p{L}\p{N}])|\(?(?:the|our|a|an)?[ \t]{0,2}(?:[\p{L}-]{2,15}[ \t]{1,2})?(?:pt|patient)(?![\p{L}])|\([ \t]{0,2}(?:pt|patient)(?![\p{L}])|(?:(?:is|was)[ \t]{1,2})?(?:in|on)[ \t]{1,2}(?:the[ \t]{1,2})?(?:L&D|LDR|ICU|CCU|MICU|SICU|CVICU|NICU|PICU|PACU|ED|ER|OR|iso(?:lation)?|pre-?op|post-?op|triage|trauma)[ \t]{0,2}#?[ \t]{0,2}\d|\d{1,2}[ \t]?(?:east|west|north|south)(?![\p{L}])|\d{1,2}(?:st|nd|rd|th)[ \t]{1,2}floor(?![\p{L}])|\([ \t]{0,2}(?:pt|patient)[ \t]{1,2}in[ \t]{1,2}|\([ \t]{0,2}(?:room|rm|bed|bay|chair)\.?[ \t]{0,2}#?[ \t]{0,2}\d|(?:(?:is|was)[ \t]{1,2})?(?:in|on)[ \t]{1,2}(?:the[ \t]{1,2})?(?:(?:room|rm|bed|bay|chair)\.?[ \t]{0,2}#?[ \t]{0,2})?\d|(?:room|rm|bed|bay|chair)\.?[ \t]{0,2}#?[ \t]{0,2}\d)/iu;
const PLACE_IS_BEFORE =
  /(?:(?:(?<![\p{L}])in|room|rm|bed|bay)[ \t]{0,2}#?\d{1,5}\p{L}?[ \t]{1,2}(?:is|was)|(?<![\p{L}])(?:is|was|were|been|still)[ \t]{1,2}on)[ \t]{1,2}$/iu;
/** What sits around a LAST, FIRST on a monitor's banner: a unit and bed code, ADULT, PACED, an age. */
const BANNER_CONTEXT =
  /(?<![\p{L}])(?:ADULT|PEDI?|NEO(?:NATE)?|PACED?|NON-?PACED|BED|RM|ROOM|MRN|DOB|ID|ALLERG(?:Y|IES)|\d{1,3}[ \t]?Y?[ \t]?[MF]|[MF][ \t]{1,3}\d{1,3}Y?|[A-Z]{2,5}-\d{1,3})(?![\p{L}])/u;
/** A first name and a surname: the first known to the SSA list, the last a surname or a word no list knows. */
function fullName(name: NameMatch): boolean {
  const real = name.words.filter((w) => !PARTICLES.has(w.toLowerCase()));
  const first = real[0] ?? '';
  const last = real[real.length - 1] ?? '';
  if (name.form !== 'words' || real.length < 2 || real.length > 4 || shapeOf(first) !== 'cap' || shapeOf(last) !== 'cap') return false;
  if (!words().firstNames.has(baseOf(first)) || isEnglishWord(first)) return false;
  if (real.some(isStopWord)) return false;
  const lastBase = baseOf(last);
  return words().surnames.has(lastBase) || (lastBase.length >= 3 && !isEnglishWord(last) && !isEverydayEnglish(lastBase));
}

/**
 * Staff and vendors are named too: "Steve Jones from Stryker", "thanks Karen Lee", "tech: Jane
 * Doe", "ask Maria Lopez in biomed", a signature on its own line ("Dave Smith, CBET | x4471").
 */
const STAFF_BEFORE = new RegExp(
  String.raw`(?<![\p{L}])(?:` +
    String.raw`tech|techs|technician|engineer|eng|rep|reps|vendor|nurse|rn|charge|manager|mgr|director|supervisor|sup|coordinator|buyer|lead|dr|doctor|md|np|pa|rt|therapist|pharmacist|thanks|thank[ \t]you|thx|ty|kudos|shoutout|shout[ \t]out|contact|ask|asked|call|called|email|emailed|e-mail|cc|ping|pinged|text|texted|from|by|per|signed|cheers|regards|talked[ \t]to|spoke[ \t](?:with|to)|according[ \t]to|our|my[ \t](?:boss|manager|lead|coworker|colleague|supervisor)|coworker|colleague|fse|cse|fe|biomed|cbet|ccet|author|assigned[ \t]to|completed[ \t]by|performed[ \t]by|checked[ \t]by|reviewed[ \t]by|approved[ \t]by|opened[ \t]by|hi|hey|hello|dear|attn|owner|admin|it|ce|bmet|w\/|with|and|or|to|page|paged|session|speaker|presenter|webinar|course|class|instructor|trainer|mentor|welcome|congrats|congratulations|` +
    // introductions, memorials, buildings, and the same roles in Spanish and French
    String.raw`i['’]?m|i[ \t]am|this[ \t]is|my[ \t]name[ \t]is|me[ \t]llamo|soy|je[ \t]suis|named[ \t](?:after|for)|in[ \t]memory[ \t]of|rip|r\.i\.p|` +
    String.raw`ingeniero|ingeniera|ing|técnico|técnica|tecnico|jefe|jefa|compañero|compañera|colega|gracias[ \t]a|contactez|contacter|contacte|` +
    String.raw`technicien|technicienne|ingénieur|ingénieure|responsable|merci[ \t]à|notre|nuestra|nuestro|mi|pm|project[ \t]manager|installer` +
    String.raw`)\.?(?:[ \t]{1,2}(?:is|was))?[ \t]{0,2}[:,(-]?[ \t]{0,2}$`,
  'iu'
);
/** A line that lists staff: "on call this week: ...", "the crew: ...". */
const STAFF_LIST_BEFORE =
  /(?<![\p{L}])(?:on[ \t-]call|roster|crew|team|staff|techs|schedule|rotation|attendees|speakers|contacts|coverage|shift)(?![\p{L}])[^\n]{0,40}:/iu;
/** What staff do: "Kwame has the pager", "Tom Reilly (Getinge) is doing the PMs", "Chris Bauer says". */
const STAFF_VERB_AFTER =
  /^[ \t]{0,2}(?:\([^)\n]{1,30}\)[ \t]{0,2})?(?:says|said|told|tells|recommends|recommended|suggested|suggests|fixed|replaced|installed|repaired|came|comes|will|wrote|emailed|called|sent|confirmed|approved|signed|covers|covered|has[ \t]the|is[ \t](?:doing|coming|running|presenting|speaking|teaching|out|off|on[ \t]call|our|the[ \t](?:new|rep|tech|lead|manager))|(?:is|was)[ \t](?:great|awesome|the[ \t]best))(?![\p{L}])/iu;
/** "the Charles Mayo building", "the Ruth Abernathy wing": a building word in lower case right after. */
const BUILDING_WORD_AFTER =
  /^[ \t]{1,2}(?:tower|building|bldg|pavilion|center|centre|hall|wing|institute|clinic|hospital|campus|annex|plaza|auditorium|library|room|unit)(?![\p{L}])/iu;
/** A building named for someone: "Rosalind Franklin Surgical Tower". */
const BUILDING_AFTER =
  /^(?:[ \t]{1,2}\p{Lu}[\p{L}'’-]{1,20}){0,2}[ \t]{1,2}(?:Tower|Building|Bldg|Pavilion|Center|Centre|Hall|Wing|Institute|Clinic|Hospital|Medical|Memorial|Library|Auditorium|Campus|Annex|Plaza)(?![\p{L}])/u;
const SIGNATURE_AFTER =
  /^[ \t]{0,2}(?:$|\n|[,|–—-][ \t]{0,2}(?:$|\n|[^\n]{0,40}(?:biomed|clinical|cbet|ccet|bmet|tech|engineer|supervisor|manager|director|coordinator|specialist|x\d|ext|\d{3}[-. ]\d{3}[-. ]\d{4}|@)))/i;

const STAFF_ROLE =
  /^(?:rep|se|fse|cse|fe|tech|biomed|ce|bmet|cbet|engineer|manager|director|supervisor|chair|chief|lead|rn|md|do|np|pa|rt|anesthesia|nursing|pharmacy|it|vendor|sales|service|support|educator|coordinator|buyer)$/i;

/**
 * A row of a pasted table whose header has a name column but no patient column
 * ("name,ext,cell,weeks" under "on call roster"). Looks back at most 60 lines.
 */
function inStaffTable(text: string, pos: number): boolean {
  let lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const row = text.slice(lineStart, Math.min(text.length, lineStart + 2000)).split('\n')[0] ?? '';
  const sep = row.includes('|') ? '|' : row.includes('\t') ? '\t' : row.includes(',') ? ',' : '';
  if (sep === '') return false;
  const cells = cellsOf(row, sep).length;
  for (let i = 0; i < 60 && lineStart > 0; i++) {
    const prevStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    const line = text.slice(prevStart, lineStart - 1);
    lineStart = prevStart;
    if (sep === '|' && /^[ \t|:-]+$/.test(line)) continue; // a markdown table's rule line
    if (cellsOf(line, sep).length !== cells) return false;
    const header = splitCells(line, sep);
    if (header.some((c) => /^(?:(?:full[ _]?)?name|staff|tech|techs|employee|technician|engineer|contact|rep)$/i.test(c)))
      return !header.some((c) => PATIENT_COLUMN.test(c));
  }
  return false;
}

function namedAsStaff(text: string, start: number, end: number): boolean {
  const before = lineWindow(text, start, 40);
  if (STAFF_BEFORE.test(before)) return true;
  // "El ingeniero de Mindray, Ricardo Salas": a maker right before.
  const lastWord = /([\p{L}-]{2,30})[ \t]{0,2}[,:-]?[ \t]{0,2}$/u.exec(before)?.[1];
  if (lastWord !== undefined && words().makers.has(lastWord.toLowerCase())) return true;
  const after = text.slice(end, end + 60);
  if (STAFF_AFTER.test(after) || STAFF_VERB_AFTER.test(after) || BUILDING_AFTER.test(after) || BUILDING_WORD_AFTER.test(after)) return true;
  if (/^[ \t]{1,2}here(?![\p{L}])/iu.test(after)) return true;
  // "Jorge Méndez de Dräger", "Ricardo Salas of Mindray": a maker right after.
  const of = /^[ \t]{1,2}(?:de|del|of|from|at|with|chez|w\/)[ \t]{1,2}([\p{L}-]{2,30})/iu.exec(after);
  if (of !== null && words().makers.has((of[1] ?? '').toLowerCase())) return true;
  // "Hank Dubois, our shop manager": a role a word or two after.
  if (
    /^[ \t]{0,2},[ \t]{1,2}(?:the|our|my|el|la|nuestro|nuestra|notre)[ \t]{1,2}(?:[\p{L}-]{2,15}[ \t]{1,2}){0,2}(?:manager|lead|director|supervisor|tech|engineer|rep|coordinator|boss|jefe|jefa|ingeniero|ingeniera|responsable)(?![\p{L}])/iu.test(
      after
    )
  )
    return true;
  if (STAFF_LIST_BEFORE.test(lineWindow(text, start, 120))) return true;
  if (inStaffTable(text, start)) return true;
  // "(Getinge)", "(Masimo SE)", "(anesthesia chair)": a maker or a role in brackets after the name.
  const bracket = /^[ \t]{0,2}\(([^)\n]{1,40})\)/.exec(after);
  if (bracket !== null && (bracket[1] ?? '').split(/[^\p{L}-]+/u).some((w) => words().makers.has(w.toLowerCase()) || STAFF_ROLE.test(w)))
    return true;
  // A signature: the name starts its line and nothing but a title or contact follows.
  return /^[ \t>*_~-]{0,4}$/.test(before) && SIGNATURE_AFTER.test(after);
}

/** "Popescu, Bogdan in CVICU": a unit after a name, no bed number needed. */
const UNIT_AFTER =
  /^[ \t]{1,2}in[ \t]{1,2}(?:the[ \t]{1,2})?(?:ICU|CVICU|MICU|SICU|CCU|NICU|PICU|PACU|ED|ER|L&D|LDR|\d{1,2}[A-Z]{1,2})(?![\p{L}\p{N}])/u;
const LOWER_ROOM_AFTER =
  /^[ \t]{1,2}in[ \t]{1,2}(?:(?:room|rm|bed|bay|ED|ER|ICU|MICU|SICU|CCU|NICU|PICU|PACU|L&D|LDR)(?:[ \t]{1,2}hall)?(?:[ \t]{1,2}(?:bed|bay|rm))?\.?[ \t]{0,2})?#?\d{1,4}[A-Za-z]?(?![\p{L}\p{N}])/iu;
const PERSON_IN_ROOM =
  /(?<![\p{L}])(?:pt|patient|guy|lady|man|woman|gentleman|gent|kid|boy|girl|resident)[ \t]{1,2}in[ \t]{1,2}(?:(?:room|rm|bed|bay)[ \t]{0,2})?#?\d{1,4}(?![\p{N}])/iu;
const DISPLAY_WORDS =
  /(?<![\p{L}])(?:shows?|showing|showed|screen|central|monitor|display(?:s|ed)?|banner|label|wristband|band|says|reads|printout|header|name|image|export(?:ed)?|print(?:ed)?|file)(?![\p{L}])/iu;
const SHOWN_ON_BEFORE =
  /(?<![\p{L}])(?:(?:tag|label|band|wristband|sticker|printout|banner|header|screen|display)(?:[ \t]{1,2}(?:to|as|said|says|read|reads|shows|showed|showing|had|has))?|(?:still[ \t]{1,2})?(?:shows|showed|showing)|label(?:l)?ing|labels|registered[ \t]{1,2}as|(?:bed|pump|monitor|central|screen|device|system|vent|cart|analyzer|it)[ \t]{1,2}(?:still[ \t]{1,2})?(?:says|said|lists|listed|displays|displayed|reads|has))[ \t]{0,2}:?[ \t]{0,2}['"“‘]?$/iu;
const CARET_BOUNDARY_BEFORE = /(?:^|[\s|"'(:=[])$/;
/** HL7 segments that carry codes and staff, not the patient's name (PID and NK1 do). */
const CODED_SEGMENT = /^(?:MSH|EVN|OBX|OBR|ORC|PV1|PV2|NTE|TXA|AL1|DG1|RXA|RXE|RXO|SPM|TQ1|MSA|ERR)\|/;

/** "Ahmad Karimi's brother", "kalani akana's dad": a patient's family. */
function hasFamily(text: string, end: number): boolean {
  return /^['’]s[ \t]{1,2}(?:dad|mom|father|mother|husband|wife|son|daughter|brother|sister|family|kids?|parents?|grand(?:ma|pa|mother|father|son|daughter)|caregiver|partner)(?![\p{L}])/iu.test(
    text.slice(end, end + 20)
  );
}

/** A line of its own, under a line about a screen or a photo of one: "photo of the Alaris screen:\nTANAKA HIROSHI". */
function aloneUnderScreen(text: string, start: number, end: number): boolean {
  if (!/^[ \t]*$/.test(lineWindow(text, start, 20)) || !/^[ \t]*(?:\n|$)/.test(text.slice(end, end + 20))) return false;
  const lineStart = text.lastIndexOf('\n', start - 1);
  if (lineStart <= 0) return false;
  const previous = text.slice(text.lastIndexOf('\n', lineStart - 1) + 1, lineStart);
  return /(?<![\p{L}])(?:screen|photo|pic|picture|display|banner|central|monitor|header|label|printout|says|shows)(?![\p{L}])/iu.test(
    previous
  );
}

function ownsDevice(text: string, end: number): boolean {
  for (const token of tokensAt(text, end + 2 + (text[end + 2] === ' ' ? 1 : 0), 3)) {
    if (DEVICE_WORDS.has(token.word.toLowerCase())) return true;
  }
  return false;
}

/**
 * Names known by what surrounds them rather than by a label: an age and sex ("Anh Nguyen,
 * 67F", "67 y/o male, Rahul Mehta"), a room after them ("Yolanda Pérez in 217"), a device they
 * own ("Nkechi Eze's pump"), a wristband's LAST, FIRST with a date, a monitor banner's LAST,
 * FIRST in capitals, and the HL7/DICOM caret form anywhere.
 */
const NAME_START = /(?<![\p{L}\p{M}\p{N}'’^-])\p{Lu}/gu;
const LOWER_START = /(?<![\p{L}\p{M}\p{N}'’^@._/-])\p{Ll}/gu;

const detectNameInContext: Detector = (text) => {
  const out: Span[] = [];
  NAME_START.lastIndex = 0;
  for (let m = NAME_START.exec(text); m !== null; m = NAME_START.exec(text)) {
    const pos = m.index;
    const push = (kind: PhiKind, end: number): void => {
      out.push({ kind, start: pos, end });
      NAME_START.lastIndex = Math.max(end, pos + 1);
    };
    const caret = caretAt(text, pos);
    if (caret !== null) {
      const ok =
        CARET_BOUNDARY_BEFORE.test(text.slice(Math.max(0, pos - 1), pos)) &&
        !CODED_SEGMENT.test(lineWindow(text, pos, 4000).trimStart()) &&
        caret.words.slice(0, 2).every((w) => (shapeOf(w) === 'cap' || shapeOf(w) === 'upper') && !isStopWord(w)) &&
        !caret.words.some((w) => TEST_RECORD.test(w));
      if (ok) {
        push('patient_name', caret.end);
        continue;
      }
    }
    // "ABERNATHY L  03/22/1966": a surname in capitals, an initial and a birth date.
    const capsDate = /^(\p{Lu}[\p{Lu}'’-]{2,29})[ \t]{1,2}\p{Lu}\.?[ \t]{1,3}/u.exec(text.slice(pos, pos + 40));
    if (capsDate !== null && !isStopWord(capsDate[1] ?? '') && !isEnglishWord(capsDate[1] ?? '')) {
      const date = execAt(DATE, text, pos + capsDate[0].length);
      if (date !== null && plausibleDate(date) && /(?:19|20)\d{2}/.test(date[0])) {
        push('patient_name', pos + capsDate[0].length + date[0].length);
        continue;
      }
    }
    const rawComma = execAt(NAME_COMMA, text, pos);
    if (rawComma !== null && rawComma[1] !== undefined && rawComma[2] !== undefined) {
      const parts = [rawComma[1], rawComma[2]];
      const commaEnd = pos + rawComma[0].length;
      // LAST, FIRST 02/11/1939 on a wristband or a label (the placeholder words included).
      const sep = execAt(/[ \t]{1,3}/y, text, commaEnd);
      const date = sep === null ? null : execAt(DATE, text, commaEnd + sep[0].length);
      if (date !== null && plausibleDate(date) && parts.every((p) => !isStopWord(p) || /^(?:last|first)$/i.test(p))) {
        push('patient_name', commaEnd + (sep?.[0].length ?? 0) + date[0].length);
        continue;
      }
      const comma = commaAt(text, pos, false);
      if (comma !== null) {
        const upper = comma.words.every((w) => shapeOf(w) === 'upper');
        const english = comma.words.every(isEnglishWord);
        const banner = upper && BANNER_CONTEXT.test(lineWindow(text, pos, 40) + ' ' + lineWindow(text, comma.end, 0, 40));
        // "REPLACE,TB" in a check log: an everyday word and no name the lexicon knows.
        const wordy = comma.lexiconHits === 0 && comma.words.some((w) => isEverydayEnglish(baseOf(w)) || baseOf(w).length < 3);
        const afterComma = text.slice(comma.end, comma.end + 40).replace(/^[*_]{1,3}/, '');
        // "Gonzalez, Mateo": a Census surname and an SSA first name, in that order, not named as staff.
        const [lastName = '', firstName = ''] = comma.words;
        const lastFirst =
          shapeOf(lastName) === 'cap' &&
          shapeOf(firstName) === 'cap' &&
          words().surnames.has(baseOf(lastName)) &&
          words().firstNames.has(baseOf(firstName)) &&
          !isEnglishWord(lastName) &&
          !isEnglishWord(firstName) &&
          !namedAsStaff(text, pos, comma.end);
        if (
          lastFirst ||
          (upper && (comma.lexiconHits > 0 || banner) && !english && !wordy) ||
          AGE_SEX_AFTER.test(afterComma) ||
          (!english && (UNIT_AFTER.test(afterComma) || /^[ \t]{0,2},[ \t]{0,2}\d{1,2}[A-Z]{1,2}-\d{1,3}(?![\p{L}\p{N}])/u.test(afterComma)))
        ) {
          push('patient_name', comma.end);
          continue;
        }
      }
    }
    // A monitor's banner in capitals: "PARK JI-HOON     ID: K88120734", "BED 4  OKAFOR CHIDI  ADULT"
    // (one of the words may be English: Park, Young, King).
    const banner = /^\p{Lu}{2}/u.test(text.slice(pos, pos + 2)) ? parseName(text, pos, 'no', true) : null;
    if (
      banner !== null &&
      banner.words.length >= 2 &&
      !banner.titled &&
      banner.form === 'words' &&
      banner.words.every((w) => shapeOf(w) === 'upper' && !isStopWord(w)) &&
      banner.words.some((w) => !isEnglishWord(w) && !isEverydayEnglish(baseOf(w), false)) &&
      (BANNER_CONTEXT.test(lineWindow(text, pos, 40) + ' ' + lineWindow(text, banner.end, 0, 40)) ||
        aloneUnderScreen(text, pos, banner.end))
    ) {
      push('patient_name', banner.end);
      continue;
    }
    // Named in apposition on a line about a person in a room: "guy in 3 has been hammering nurse call, Earl Tibbets."
    // (the first word may be English: Earl, Rose, Grant).
    if (/,[ \t]{1,2}$/.test(lineWindow(text, pos, 3)) && PERSON_IN_ROOM.test(lineWindow(text, pos, 200))) {
      const appos = parseName(text, pos, 'no', true);
      const apposAfter = appos === null ? '' : text.slice(appos.end, appos.end + 40);
      if (
        appos !== null &&
        appos.words.length >= 2 &&
        !appos.titled &&
        appos.lexiconHits > 0 &&
        !appos.words.every(isEnglishWord) &&
        /^[ \t]{0,2}(?:[.,;!?)]|$)/.test(apposAfter) &&
        !STAFF_AFTER.test(apposAfter)
      ) {
        push('patient_name', appos.end);
        continue;
      }
    }
    const name = parseName(text, pos, 'no', false);
    if (name === null) continue;
    const real = name.words.filter((w, i) => i === 0 || !PARTICLES.has(w.toLowerCase())).length;
    const afterName = text.slice(name.end, name.end + 40);
    // A newborn's record: "JOHNSON BABY GIRL", "Nguyen Baby Boy".
    const newborn = /^(\p{L}[\p{L}\p{M}'’-]{1,29})[ \t]{1,2}baby[ \t]{1,2}(?:girl|boy)(?:[ \t]{1,2}[A-D])?(?![\p{L}])/iu.exec(
      text.slice(pos, pos + 60)
    );
    if (newborn !== null && !isEnglishWord(newborn[1] ?? '') && !isStopWord(newborn[1] ?? '')) {
      push('patient_name', pos + newborn[0].length);
      continue;
    }
    // A name and a birth date ("Wilkins Marcus 04-17-1990"): two words, a full date before 2010.
    if (real >= 2 && !name.titled && name.lexiconHits > 0) {
      const sep = execAt(/[ \t]{1,3}/y, text, name.end);
      const date = sep === null ? null : execAt(DATE, text, name.end + sep[0].length);
      const year = date === null ? 0 : Number(/(?:19|20)\d{2}/.exec(date[0])?.[0] ?? 9999);
      if (date !== null && plausibleDate(date) && year < 2010) {
        push('patient_name', name.end + (sep?.[0].length ?? 0) + date[0].length);
        continue;
      }
    }
    // In quotes on a display: "\"Hodan Abdi Warsame\" is what shows on the central".
    const allNames = name.words.every((w) => inLexicon(w) || (!isEnglishWord(w) && !isEverydayEnglish(baseOf(w))));
    if (real >= 2 && allNames && /["“]$/.test(text.slice(pos - 1, pos)) && /^["”]/.test(text.slice(name.end, name.end + 1))) {
      if (DISPLAY_WORDS.test(lineWindow(text, pos, 80, 120))) {
        push('patient_name', name.end);
        continue;
      }
    }
    // A bed or room number and a surname in brackets, on a line about beds: "4 (Pruitt), 7 (Ngata)".
    if (
      real === 1 &&
      /(?<![\p{L}\p{N}])\d{1,4}[A-Za-z]?[ \t]{0,2}\($/u.test(lineWindow(text, pos, 8)) &&
      text.charAt(name.end) === ')' &&
      !isEnglishWord(name.words[0] ?? '') &&
      !isEverydayEnglish(baseOf(name.words[0] ?? ''), false) &&
      /(?<![\p{L}])(?:beds?|rooms?|rms?|bays?|chairs?|pts?|patients?)(?![\p{L}])/iu.test(lineWindow(text, pos, 120, 80))
    ) {
      push('patient_name', name.end);
      continue;
    }
    // A list of beds and names: "- 601 Harold Finch", "12  Tran Thi Mai".
    if (
      real >= 2 &&
      name.lexiconHits > 0 &&
      /^[ \t]{0,4}(?:[-*•][ \t]{1,2})?\d{1,4}[A-Za-z]?[ \t]{1,3}$/u.test(lineWindow(text, pos, 20)) &&
      /^[ \t]*(?:$|\n|[,;(-])/.test(afterName)
    ) {
      push('patient_name', name.end);
      continue;
    }
    // One known name with a room after it: "Bernadette in 9 is on her 3rd tele box", "Okonkwo in 7W-2".
    if (
      real === 1 &&
      !name.titled &&
      shapeOf(name.words[0] ?? '') === 'cap' &&
      (inLexicon(name.words[0] ?? '') || /(?<![\p{L}])(?:on|for)[ \t]{1,2}$/iu.test(lineWindow(text, pos, 6))) &&
      !isEnglishWord(name.words[0] ?? '') &&
      !isEverydayEnglish(baseOf(name.words[0] ?? '')) &&
      /^[ \t]{1,2}in[ \t]{1,2}(?:(?:room|rm|bed|bay)\.?[ \t]{0,2})?#?\d{1,4}[A-Za-z]?(?:-\d{1,3})?(?![\p{L}\p{N}])(?![ \t]{1,2}(?:nursing|pharmacy|biomed|admin|office|staff))/iu.test(
        text.slice(name.end, name.end + 40)
      ) &&
      !namedAsStaff(text, pos, name.end)
    ) {
      push('patient_name', name.end);
      continue;
    }
    // Shown on something: "tag said Thibodeaux, Ray", "printout still shows Dmitri Volkov", "bed label to 'RAMIREZ'".
    const shownBefore = SHOWN_ON_BEFORE.test(lineWindow(text, pos, 40));
    const unknownWords = real >= 2 && name.words.every((w) => !isEnglishWord(w) && !isEverydayEnglish(baseOf(w)));
    if (shownBefore && !name.titled && (name.lexiconHits > 0 || isStrong(name) || unknownWords) && !name.words.every(isEnglishWord)) {
      const comma = commaAt(text, pos, false);
      push('patient_name', comma?.end ?? name.end);
      continue;
    }
    if (
      real >= 2 &&
      !name.titled &&
      /^[ \t>*-]{0,3}$/.test(lineWindow(text, pos, 10)) &&
      /^[ \t]{1,2}[-–—:][ \t]{1,2}\p{Ll}/u.test(afterName) &&
      name.words.every((w) => shapeOf(w) === 'cap' && !isEnglishWord(w) && !isEverydayEnglish(baseOf(w))) &&
      !namedAsStaff(text, pos, name.end)
    ) {
      push('patient_name', name.end);
      continue;
    }
    if (real >= 2 && !name.titled) {
      const after = text.slice(name.end, name.end + 40);
      const before = lineWindow(text, pos, 40);
      if (
        (name.possessive && (ownsDevice(text, name.end) || hasFamily(text, name.end))) ||
        AGE_SEX_AFTER.test(after) ||
        PLACE_AFTER.test(after) ||
        AGE_SEX_BEFORE.test(before) ||
        PLACE_IS_BEFORE.test(before)
      ) {
        push('patient_name', name.end);
        continue;
      }
      // A full name with no other sign, where no one is named as staff: a first name the SSA
      // list knows and a surname ("Tyrone Jackson", "Thandiwe Ndlovu - wheelchair scale").
      if (fullName(name) && !namedAsStaff(text, pos, name.end)) {
        push('patient_name', name.end);
        continue;
      }
    }
  }
  // The same in lower case ("abebe tesfaye 67 m on bipap", "xiomara morales bay 7"): two words
  // that are not English, one of them a name the lexicon knows, then an age and sex or a place.
  LOWER_START.lastIndex = 0;
  for (let m = LOWER_START.exec(text); m !== null; m = LOWER_START.exec(text)) {
    const pos = m.index;
    const name = parseName(text, pos, 'word', false);
    if (name === null || !name.words.every((w) => shapeOf(w) === 'lower')) continue;
    const after = text.slice(name.end, name.end + 40);
    if (name.lexiconHits === 0) {
      // Two words no list knows, then an explicit bed or room: "tomasz wiśniewski bed 4 CVICU".
      const unknown = name.words.length >= 2 && name.words.every((w) => baseOf(w).length >= 4 && !PARTICLES.has(w));
      if (unknown && /^[ \t]{1,2}(?:bed|rm|room|bay)[ \t]{0,2}#?\d/i.test(after)) {
        out.push({ kind: 'patient_name', start: pos, end: name.end });
        LOWER_START.lastIndex = Math.max(name.end, pos + 1);
      }
      continue;
    }
    if (name.words.length === 1) {
      // One word: a surname (not also a first name: staff go by first names, "ask kelly in 4e") in a room.
      const base = baseOf(name.words[0] ?? '');
      if (words().surnames.has(base) && !words().firstNames.has(base) && !isEverydayEnglish(base) && LOWER_ROOM_AFTER.test(after)) {
        out.push({ kind: 'patient_name', start: pos, end: name.end });
        LOWER_START.lastIndex = Math.max(name.end, pos + 1);
      }
      continue;
    }
    if (SHOWN_ON_BEFORE.test(lineWindow(text, pos, 40)) || (name.possessive && (ownsDevice(text, name.end) || hasFamily(text, name.end)))) {
      out.push({ kind: 'patient_name', start: pos, end: name.end });
      LOWER_START.lastIndex = Math.max(name.end, pos + 1);
      continue;
    }
    if (name.words.length < 2) continue;
    // Shapes no English phrase has: "siobhan o'donnell", "joão pereira da silva", "tran van hai".
    const irish = name.words.some((w) => /^(?:o|d|mc|mac)['’]?\p{Ll}{3,}$/u.test(w) && /['’]|^mc|^mac/u.test(w));
    const particle = name.words.length >= 3 && name.words.slice(1, -1).some((w) => PARTICLES.has(w));
    if (irish || particle || AGE_SEX_AFTER.test(after) || PLACE_AFTER.test(after)) {
      out.push({ kind: 'patient_name', start: pos, end: name.end });
      LOWER_START.lastIndex = Math.max(name.end, pos + 1);
    }
  }
  return out;
};

/**
 * A street address where someone lives: "lives at 1423 Maple Ave", "home address 88 Kosciuszko
 * St Apt 3R", "delivered to 4410 Cedar Ridge Rd, Lubbock TX 79414". A number, one to three
 * capitalised words and a street suffix, with a word for a home before it on the line and no word
 * for a business around it (a depot, a return address, a suite).
 */
const STREET_SUFFIXES =
  'St Street Ave Avenue Av Rd Road Ln Lane Dr Drive Blvd Boulevard Ct Court Pl Place Way Ter Terr Terrace Cir Circle ' +
  'Pkwy Parkway Hwy Highway Trl Trail Sq Square Loop Row Pike Crescent Close';
const STREET_SUFFIX = `(?:${STREET_SUFFIXES.split(' ')
  .flatMap((w) => [w, w.toLowerCase(), w.toUpperCase()])
  .join('|')})`;
const ADDRESS = new RegExp(
  `(?<![\\p{L}\\p{N}.,/-])\\d{1,6}[ \\t]{1,2}(?:[NSEW]\\.?[ \\t]{1,2})?(?:\\p{Lu}[\\p{L}\\p{M}'’-]{1,24}[ \\t]{1,2}){1,3}${STREET_SUFFIX}\\.?(?![\\p{L}\\p{N}])` +
    `(?:[ \\t]{0,2},?[ \\t]{0,2}(?:Apt|apt|APT|Apartment|apartment|Unit|unit|#)\\.?[ \\t]{0,2}#?[A-Za-z0-9-]{1,6}(?![A-Za-z0-9]))?`,
  'gu'
);
const HOME_CONTEXT =
  /(?<![A-Za-z])(?:lives?|living|resides?|residence|home|address|addr|delivered[ \t]+to|delivery[ \t]+to|deliver[ \t]+to|pt['’]?s|patient['’]?s|family|her|his)(?![A-Za-z])/i;
const LIVES_CONTEXT =
  /(?<![A-Za-z])(?:lives?|living|resides?|residence|house|home[ \t]+address|(?:pt|patient|her|his|their|family)['’]?s?[ \t]{1,2}(?:home|house|place|(?:home[ \t]{1,2})?address(?:[ \t]{1,2}labels?)?))(?![A-Za-z])/i;
const BUSINESS_CONTEXT =
  /(?<![A-Za-z])(?:ship|shipping|shipped|return|returns|rma|vendor|depot|warehouse|office|headquarters|hq|corporate|suite|ste|plant|factory|dock|receiving|loading|invoice|billing|remit|po[ \t]?box|inc|llc|corp|ltd|co)(?![A-Za-z])/i;

const detectAddress: Detector = (text) => {
  const out: Span[] = [];
  ADDRESS.lastIndex = 0;
  for (let m = ADDRESS.exec(text); m !== null; m = ADDRESS.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    const atLineStart = /^[ \t"'*-]{0,4}$/.test(text.slice(lineStart, m.index));
    // A pasted list of addresses takes its context from the line above it.
    const before = atLineStart ? text.slice(Math.max(0, lineStart - 120), m.index) : lineWindow(text, m.index, 60);
    const after = lineWindow(text, m.index + m[0].length, 0, 70);
    if (LIVES_CONTEXT.test(after.slice(0, 30)) || /(?<![A-Za-z])(?:family|pt|patient|his|her)(?![A-Za-z])/i.test(after)) {
      out.push({ kind: 'address', start: m.index, end: m.index + m[0].length });
      continue;
    }
    // An apartment number is a home, whoever is named before it ("for Mr. Lindqvist at 88 Cedar Hollow Rd Apt 3").
    const apartment =
      /(?:Apt|apt|APT|Apartment|apartment)\.?[ \t]{0,2}#?[A-Za-z0-9-]{1,6}$/.test(m[0]) ||
      (/(?:Unit|unit)\.?[ \t]{0,2}#?[A-Za-z0-9-]{1,6}$/.test(m[0]) && !BUSINESS_CONTEXT.test(lineWindow(text, m.index, 80, 120)));
    if (!HOME_CONTEXT.test(before) && !apartment) continue;
    // A depot or a return address: business words before it or in it, unless a home is named.
    if (!LIVES_CONTEXT.test(before) && BUSINESS_CONTEXT.test(before + ' ' + m[0])) continue;
    out.push({ kind: 'address', start: m.index, end: m.index + m[0].length });
  }
  return out;
};

/**
 * A device log line about a patient id: "ERR 0x2F PATIENT ID MISMATCH scanned=00729114 expected=00729141".
 * Every six-to-twelve digit value after `=` or `:` on it is the patient's.
 */
const PATIENT_ID_LINE = /(?<![A-Za-z])(?:patient|pt)[ \t_]?id(?![A-Za-z])/i;
const LOG_VALUE = /(?<=[=:][ \t]{0,2})([A-Z]{0,2}\d{6,12})(?![\p{L}\p{N}.])/gu;

const detectPatientIdLine: Detector = (text) => {
  const out: Span[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    const lineEnd = lineEndAt(text, lineStart);
    const line = text.slice(lineStart, Math.min(lineEnd, lineStart + 2000));
    const label = PATIENT_ID_LINE.exec(line);
    if (label !== null) {
      LOG_VALUE.lastIndex = label.index;
      for (let m = LOG_VALUE.exec(line); m !== null; m = LOG_VALUE.exec(line)) {
        out.push({ kind: 'mrn', start: lineStart + m.index, end: lineStart + m.index + m[0].length });
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
};

/** An `ID` on a line that already names a patient is the patient's: "Name: Tamika Freeman  ID: 8823104". */
const ID_ON_NAME_LINE = /(?<![\p{L}\p{N}])ID[ \t]{0,2}[:#=]?[ \t]{0,3}([A-Z]{0,3}\d{5,12})(?![\p{L}\p{N}])/gu;

function idsOnNameLines(text: string, spans: Span[]): Span[] {
  const out: Span[] = [];
  const seen = new Set<number>();
  for (const span of spans) {
    if (span.kind !== 'patient_name' && span.kind !== 'room_bed_name') continue;
    const lineStart = text.lastIndexOf('\n', span.start) + 1;
    if (seen.has(lineStart)) continue;
    seen.add(lineStart);
    const line = text.slice(lineStart, Math.min(lineEndAt(text, span.start), lineStart + 2000));
    ID_ON_NAME_LINE.lastIndex = 0;
    for (let m = ID_ON_NAME_LINE.exec(line); m !== null; m = ID_ON_NAME_LINE.exec(line)) {
      out.push({ kind: 'mrn', start: lineStart + m.index, end: lineStart + m.index + m[0].length });
    }
  }
  return out;
}

/**
 * HL7 v2 PID segments (`PID|1||00482913^^^HOSP^MR||DOE^JANE||19570412|F|...`):
 * PID-3 patient id, PID-5 name, PID-7 birth date, PID-19 SSN.
 */
const HL7_PID = /(?:^|[\r\n \t])(PID\||PV1\||pid\||pv1\|)/g;
/** A test record ("ZZTEST^BIOMED", "TEST0001", "QA^PHANTOM") is not a patient. */
const TEST_RECORD = /(?<![A-Za-z])(?:z*test(?:patient|pt)?|dummy|phantom|qa|demo|simulator|simulated|biomed)(?![a-z])/i;

const detectHl7Pid: Detector = (text) => {
  const out: Span[] = [];
  HL7_PID.lastIndex = 0;
  for (let m = HL7_PID.exec(text); m !== null; m = HL7_PID.exec(text)) {
    const segStart = m.index + m[0].length - 4;
    let segEnd = segStart;
    while (segEnd < text.length && segEnd - segStart < 4000 && text[segEnd] !== '\r' && text[segEnd] !== '\n') segEnd++;
    const fields: { value: string; start: number }[] = [];
    let fieldStart = segStart;
    for (let i = segStart; i <= segEnd; i++) {
      if (i === segEnd || text[i] === '|') {
        fields.push({ value: text.slice(fieldStart, i), start: fieldStart });
        fieldStart = i + 1;
        if (fields.length > 20) break;
      }
    }
    const firstComponent = (index: number): { value: string; start: number } | null => {
      const field = fields[index];
      if (field === undefined || field.value === '') return null;
      const value = field.value.split('~')[0]?.split('^')[0] ?? '';
      return value === '' ? null : { value, start: field.start };
    };
    HL7_PID.lastIndex = Math.max(segEnd, m.index + 1);
    if (m[1]?.toUpperCase() === 'PV1|') {
      // PV1-19 is the visit number.
      const visit = firstComponent(19);
      if (visit !== null && countDigits(visit.value) >= 5 && visit.value.length <= 20) {
        out.push({ kind: 'mrn', start: visit.start, end: visit.start + visit.value.length });
      }
      continue;
    }
    if (TEST_RECORD.test(fields[3]?.value ?? '') || TEST_RECORD.test(fields[5]?.value ?? '')) continue;
    const id = firstComponent(3);
    if (id !== null && countDigits(id.value) >= 4 && id.value.length <= 20) {
      out.push({ kind: 'mrn', start: id.start, end: id.start + id.value.length });
    }
    const nameField = fields[5];
    if (nameField !== undefined) {
      const name = (nameField.value.split('~')[0] ?? '').replace(/\^+$/, '');
      const parts = name.split('^').filter((p) => p !== '');
      // PID-5 is a name by its position: no word list applies (LAST^FIRST included).
      if (parts.length > 0 && parts.every((p) => /^\p{L}[\p{L}\p{M}'’ .-]{0,40}$/u.test(p))) {
        out.push({ kind: 'patient_name', start: nameField.start, end: nameField.start + name.length });
      }
    }
    const address = fields[11];
    if (address !== undefined && /^\d{1,6}[ \t]+\p{L}/u.test(address.value)) {
      const value = address.value.split('~')[0] ?? '';
      out.push({ kind: 'address', start: address.start, end: address.start + value.length });
    }
    // PID-13 is the patient's home phone, by position.
    const phone = firstComponent(13);
    if (phone !== null && countDigits(phone.value) >= 7 && countDigits(phone.value) <= 15 && /^[\d()+. -]+$/.test(phone.value)) {
      out.push({ kind: 'phone', start: phone.start, end: phone.start + phone.value.length });
    }
    const dob = firstComponent(7);
    if (dob !== null) {
      const date = /^(?:19|20)\d{2}(\d{2})(\d{2})(?:\d{2,6}(?:\.\d{1,4})?)?(?:[+-]\d{4})?$/.exec(dob.value);
      if (date !== null && validMonthDay(Number(date[1]), Number(date[2]))) {
        out.push({ kind: 'dob', start: dob.start, end: dob.start + dob.value.length });
      }
    }
    const ssn = firstComponent(19);
    if (ssn !== null) {
      const parts = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(ssn.value);
      if (parts !== null && validSsn(parts[1] ?? '', parts[2] ?? '', parts[3] ?? '')) {
        out.push({ kind: 'ssn', start: ssn.start, end: ssn.start + ssn.value.length });
      }
    }
  }
  return out;
};

/**
 * An export's file name that carries the patient: `ECG_MORALES_IGNACIO_19620405.xml`,
 * `Doe_Jane_1957-04-12.pdf`: two name words and a birth date joined by underscores.
 */
const FILE_NAME_PERSON =
  /(?<![\p{L}\p{N}])(\p{L}[\p{L}\p{M}'’-]{1,29})_(\p{L}[\p{L}\p{M}'’-]{1,29})_(?:((?:19|20)\d{2})-?(\d{2})-?(\d{2})|(\d{2})-?(\d{2})-?((?:19|20)\d{2}))(?![\p{N}])/gu;

/** The two words before the date or id of a file name are a name: no stop word, one a known name that is no English word. */
function namesInFileName(a: string, b: string): boolean {
  return !isStopWord(a) && !isStopWord(b) && [a, b].some((w) => inLexicon(w) && !isEnglishWord(w));
}

/** `MOORE_KATHLEEN_00329981_ECG.xml`: two name words and a record number. */
const FILE_NAME_ID = /(?<![\p{L}\p{N}])(\p{L}[\p{L}\p{M}'’-]{1,29})_(\p{L}[\p{L}\p{M}'’-]{1,29})_([A-Z]{0,2}\d{6,12})(?![\p{N}])/gu;

const detectFileName: Detector = (text) => {
  const out: Span[] = [];
  FILE_NAME_ID.lastIndex = 0;
  for (let m = FILE_NAME_ID.exec(text); m !== null; m = FILE_NAME_ID.exec(text)) {
    if (!namesInFileName(m[1] ?? '', m[2] ?? '')) continue;
    out.push({ kind: 'patient_name', start: m.index, end: m.index + m[0].length });
  }
  FILE_NAME_PERSON.lastIndex = 0;
  for (let m = FILE_NAME_PERSON.exec(text); m !== null; m = FILE_NAME_PERSON.exec(text)) {
    const [, a = '', b = '', , month, day, month2, day2] = m;
    if (!validMonthDay(Number(month ?? month2), Number(day ?? day2)) && !validMonthDay(Number(day2), Number(month2))) continue;
    if (!namesInFileName(a, b)) continue;
    out.push({ kind: 'patient_name', start: m.index, end: m.index + m[0].length });
  }
  return out;
};

/**
 * A table pasted as CSV or tab-separated text whose header names patient columns
 * (`PatientID,Name,DOB,...`): the values under those columns in the rows that follow.
 */
const TABLE_HEADER_CELL: readonly (readonly [RegExp, PhiKind])[] = [
  [
    /^(?:patient[ _]?)?(?:full[ _]?)?name$|^(?:first|last|given|family|sur)[ _]?name$|^pt[ _]?name$|^(?:patient|pt|occupant|resident)$/i,
    'patient_name'
  ],
  [
    /^(?:mrn|patient[ _]?(?:id|no|number|#)|pt[ _]?id|med(?:ical)?[ _]?rec(?:ord)?[ _]?(?:no|number|#)?|acct|account|fin|encounter|visit[ _]?(?:id|no|#))$/i,
    'mrn'
  ],
  [/^(?:dob|birth[ _]?date|date[ _]?of[ _]?birth)$/i, 'dob'],
  [/^(?:ssn|social)$/i, 'ssn'],
  [/^(?:phone|home[ _]?phone|cell)$/i, 'phone'],
  [/^(?:address|home[ _]?address|street)$/i, 'address']
];
/** A header counts only with a column that belongs to patients ("Name" alone is a device's name in an asset list). */
const PATIENT_COLUMN =
  /^(?:mrn|patient|occupant|patient[ _]?(?:id|no|number|#|name)|pt[ _]?(?:id|name)|med(?:ical)?[ _]?rec(?:ord)?[ _]?(?:no|number|#)?|dob|birth[ _]?date|date[ _]?of[ _]?birth|ssn)$/i;
const TABLE_ROWS_MAX = 500;

/** The cells of one row as [start, end) offsets within it; a double-quoted cell may hold the separator. */
function cellsOf(line: string, sep: string): [number, number][] {
  const cells: [number, number][] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (i === line.length || (c === sep && !quoted)) {
      cells.push([start, i]);
      start = i + 1;
    }
  }
  return cells;
}

function splitCells(line: string, sep: string): string[] {
  return cellsOf(line, sep).map(([a, b]) =>
    line
      .slice(a, b)
      .trim()
      .replace(/^"(.*)"$/, '$1')
  );
}

const detectTable: Detector = (text) => {
  const out: Span[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = lineEndAt(text, lineStart);
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const sep = line.includes('\t') ? '\t' : line.includes(',') ? ',' : line.includes(';') ? ';' : '';
    const header = sep === '' || line.length > 2000 ? [] : splitCells(line, sep);
    if (header.length >= 3 && header.some((cell) => PATIENT_COLUMN.test(cell))) {
      const columns = header.map((cell) => TABLE_HEADER_CELL.find(([re]) => re.test(cell))?.[1] ?? null);
      // The rows under it: same number of cells, until a line that is not one.
      let rowStart = lineEnd + 1;
      for (let row = 0; row < TABLE_ROWS_MAX && rowStart < text.length; row++) {
        const rowEnd = lineEndAt(text, rowStart);
        const rowText = text.slice(rowStart, rowEnd).replace(/\r$/, '');
        const cells = cellsOf(rowText, sep);
        if (cells.length !== header.length) break;
        cells.forEach(([a, b], i) => {
          const kind = columns[i];
          const cell = rowText.slice(a, b);
          const value = cell.trim();
          if (kind !== null && kind !== undefined && /[\p{L}\p{N}]/u.test(value)) {
            const start = rowStart + a + cell.indexOf(value);
            out.push({ kind, start, end: start + value.length });
          }
        });
        lineEnd = rowEnd;
        rowStart = rowEnd + 1;
      }
    }
    lineStart = lineEnd + 1;
  }
  return out;
};

/**
 * A list of patients after a colon: "loaner list (pts who still have pumps): Kwame Oduya, Maeve
 * Brennan, Luis Fonseca", "patients on the recall: Ortiz, Haddad and Nguyen".
 */
const PATIENT_LIST =
  /(?<![A-Za-z])(?:patients|pts|pt[ \t]list|patient[ \t]list|census|occupants|(?:full[ \t]{1,2})?names)(?![A-Za-z])[^\n:]{0,50}:[ \t]{0,3}/gi;
/** Whose names these are when not the patients': "staff names:", "tech names:". */
const NOT_PATIENTS_BEFORE =
  /(?<![A-Za-z])(?:staff|tech|techs|user|users|device|devices|vendor|vendors|rep|reps|nurse|nurses|engineer|engineers|employee|employees|contact|contacts|team|model|product|file|host)['’]?s?[ \t]{1,2}(?:full[ \t]{1,2})?names/i;
const LIST_SEPARATOR = /[ \t]{0,2}(?:,|;|\/|&|and(?![A-Za-z]))[ \t]{0,3}(?:and[ \t]{1,3})?/y;
const LIST_NUMBER = /\d{1,3}[.)]?[ \t]{1,2}/y;

const detectPatientList: Detector = (text) => {
  const out: Span[] = [];
  PATIENT_LIST.lastIndex = 0;
  for (let m = PATIENT_LIST.exec(text); m !== null; m = PATIENT_LIST.exec(text)) {
    let pos = m.index + m[0].length;
    if (/names/i.test(m[0]) && NOT_PATIENTS_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index + m[0].length))) continue;
    const names: NameMatch[] = [];
    for (let i = 0; i < 50; i++) {
      pos += execAt(LIST_NUMBER, text, pos)?.[0].length ?? 0;
      const name = parseName(text, pos, 'no', false);
      if (name === null || name.titled) break;
      names.push(name);
      const sep = execAt(LIST_SEPARATOR, text, name.end);
      if (sep === null) break;
      pos = name.end + sep[0].length;
    }
    // Names, not a list of things: most of them known to the lexicon or of two words.
    const known = names.filter((n) => n.lexiconHits > 0 || n.words.length >= 2).length;
    if (names.length === 0 || known * 2 < names.length + 1) continue;
    for (const n of names) out.push({ kind: 'patient_name', start: n.start, end: n.end });
    const last = names[names.length - 1];
    if (last !== undefined) PATIENT_LIST.lastIndex = Math.max(last.end, PATIENT_LIST.lastIndex);
  }
  return out;
};

const XML_FIELD =
  /<((?:Patient|Pt)[A-Za-z]{0,20}|(?:First|Last|Given|Family)Name|MRN|DOB|BirthDate|DateOfBirth|SSN)(?:[ \t][^>\n]{0,80})?>([^<\n]{1,80})<\/\1>/g;

const detectXmlField: Detector = (text) => {
  const out: Span[] = [];
  XML_FIELD.lastIndex = 0;
  for (let m = XML_FIELD.exec(text); m !== null; m = XML_FIELD.exec(text)) {
    const tag = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').trim();
    if (value === '' || TEST_RECORD.test(value)) continue;
    const kind: PhiKind | null = /name$/.test(tag)
      ? 'patient_name'
      : /(?:dob|birth)/.test(tag)
        ? 'dob'
        : tag === 'ssn'
          ? 'ssn'
          : /(?:id|mrn|number|no)$/.test(tag)
            ? 'mrn'
            : null;
    if (kind === null || (kind !== 'patient_name' && countDigits(value) < 4)) continue;
    const start = m.index + m[0].indexOf('>') + 1 + (m[2] ?? '').indexOf(value);
    out.push({ kind, start, end: start + value.length });
  }
  return out;
};

/**
 * Health and national ids of other countries, after their label: NHS number, OHIP, a Canadian
 * PHN, SIN or AHCIP, Australian Medicare, IHI or UR, a New Zealand NHI, a Scottish CHI, a UK NI
 * number, a VA ICN, a Mexican CURP, a French sécu number. Spaced values are allowed.
 */
const INTL_ID =
  /(?<![\p{L}\p{N}])(?:NHS[ \t]?(?:no\.?|number|#)?|OHIP|PHN|SIN|AHCIP|IHI|NHI|CHI|URN?|NI[ \t]?(?:no\.?|number)|NINO|ICN|CURP|RAMQ|[Mm]edicare[ \t](?:no\.?|number|#|card)|[Hh]osp(?:ital)?[ \t]?(?:no\.?|number|#)|(?:[Nn]um[ée]ro[ \t]de[ \t])?s[ée]cu(?:rit[ée][ \t]sociale)?|NIR)(?:[ \t]{1,2}(?:du[ \t]patient|is|was|of))?[ \t:#=.-]{1,4}([A-Z0-9](?:[A-Z0-9 -]{3,26}[A-Z0-9])?)(?![\p{L}\p{N}])/gu;

const detectIntlId: Detector = (text) => {
  const out: Span[] = [];
  INTL_ID.lastIndex = 0;
  for (let m = INTL_ID.exec(text); m !== null; m = INTL_ID.exec(text)) {
    // Stop the value at a space before a word (" was on", " typed").
    const value = (m[1] ?? '').replace(/[ -]+[A-Z]?[a-z][\s\S]*$/, '').replace(/[ -]+$/, '');
    if (countDigits(value) < 6 && !/^[A-Z]{3}\d{4}$/.test(value)) continue; // a New Zealand NHI: ZAB1234
    const start = m.index + m[0].lastIndexOf(m[1] ?? '');
    out.push({ kind: 'mrn', start: m.index, end: start + value.length });
  }
  return out;
};

const DETECTORS: readonly Detector[] = [
  detectXmlField,
  detectIntlId,
  detectPatientList,
  detectMrnList,
  detectPatientIdLine,
  detectFileName,
  detectTable,
  detectHl7Pid,
  detectMrn,
  detectDob,
  detectSsn,
  detectPhone,
  detectEmail,
  detectPatientName,
  detectPatientContext,
  detectHonorific,
  detectRoomBedName,
  detectNameInContext,
  detectDeviceOn,
  detectAddress
];

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

function excerptOf(text: string, start: number, end: number): string {
  const raw = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return raw.length <= EXCERPT_MAX ? raw : raw.slice(0, EXCERPT_MAX - 1) + '…';
}

/**
 * Finds likely patient data in `text`. Findings are sorted by `start` and do
 * not overlap (when two detectors claim the same characters, the one that
 * starts first wins, then the longer one).
 */
export function findPhi(text: string): PhiFinding[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const spans: Span[] = [];
  for (const detect of DETECTORS) spans.push(...detect(text));
  spans.push(...idsOnNameLines(text, spans));
  spans.sort((a, b) => a.start - b.start || b.end - a.end);

  const findings: PhiFinding[] = [];
  let lastEnd = -1;
  let line = 1;
  let counted = 0;
  for (const span of spans) {
    if (span.start < lastEnd || span.end <= span.start) continue;
    for (let i = text.indexOf('\n', counted); i !== -1 && i < span.start; i = text.indexOf('\n', i + 1)) line++;
    counted = span.start;
    findings.push({
      kind: span.kind,
      label: PHI_LABELS[span.kind],
      start: span.start,
      end: span.end,
      line,
      excerpt: excerptOf(text, span.start, span.end)
    });
    lastEnd = span.end;
  }
  return findings;
}

/**
 * One sentence for a warning banner, e.g.
 * `Possible patient data: medical record number on line 2 ("MRN: 00482913"), date of birth on line 3 ("DOB 04/12/1957")`.
 * Empty string when there are no findings.
 */
export function describePhi(findings: PhiFinding[]): string {
  if (findings.length === 0) return '';
  const parts = findings.map((f) => `${f.label || PHI_LABELS[f.kind]} on line ${f.line} ("${f.excerpt}")`);
  return `Possible patient data: ${parts.join(', ')}`;
}
