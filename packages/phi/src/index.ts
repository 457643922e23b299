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

export type PhiKind = 'mrn' | 'dob' | 'ssn' | 'phone' | 'email' | 'patient_name' | 'room_bed_name';

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
  room_bed_name: 'room/bed with a name'
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

/**
 * Capitalised words that follow "Patient:" or "Bed 4 -" on monitors and in
 * service reports but are not names. A name candidate whose first word is one
 * of these is dropped; later words cut the name short. Short unit codes (ED,
 * OR, ER) need not be listed: a lone all-caps word of up to three letters is
 * never taken as a name. Common given/family names (Will, Art, Ed, Hall) are
 * deliberately absent.
 */
const NOT_NAME_WORDS: ReadonlySet<string> = new Set(
  (
    'none n/a na nil null unknown unk anonymous anon test testing demo patient patients pt pts adult adults ' +
    'pediatric paediatric peds ped neonate neonatal neo infant child male female yes no not on off admitted admit ' +
    'discharged discharge unassigned assigned standby monitor monitors monitoring cable cables circuit side data ' +
    'mode type category name id mrn dob ssn age sex gender room rm bed beds bay unit icu ccu nicu picu pacu sicu ' +
    'micu cvicu ward floor alarm alarms alert alerts central station biomed biomedical clinical engineering service ' +
    'tech technician nurse nursing doctor physician the a an this that his her their its connected disconnected ' +
    'paced nonpaced non-paced ecg ekg nibp ibp spo2 etco2 co2 temp resp hr rr bp cvp pap icp lead leads probe ' +
    'sensor cuff pump pumps ventilator vent defib defibrillator empty vacant occupied available clean dirty storage ' +
    'supply closet shop lab hallway east west north south wing tower building lobby admin office conference ' +
    'equipment device devices network wifi lan telemetry tele transmitter philips ge mindray draeger drager ' +
    'spacelabs nihon kohden zoll stryker baxter bd alaris carefusion medtronic masimo welch allyn hillrom ' +
    'intellivue carescape lifepak sigma plum model serial firmware software version status ok fail failed failure ' +
    'pass passed normal error warning info information note notes see check checked replaced cleaned tested ' +
    'calibrated oem new old same other details simulator phantom mannequin manikin training trainer dummy sample ' +
    'example record records identification list census transfer transferred location weight height kg lbs ' +
    'demographics banner header selected select enter entered first last given family middle is was has had should ' +
    'must can cannot still now then when if and but for with without from to in at by of via per stable critical ' +
    'sedated intubated extubated ambulatory awake asleep resting comfortable expired deceased isolation npo dnr ' +
    'fall risk contact droplet airborne vitals vital signs sign setup settings config configuration menu screen ' +
    'display battery power mains ac dc charging charger dock docking cart pole mount bracket headwall rail port ' +
    'outlet gas oxygen air vacuum suction medical surgical med surg step down stepdown observation obs recovery ' +
    'preop postop labor delivery ldr nursery rehab dialysis cath endo imaging radiology xray mri ct ultrasound ' +
    'general hospital clinic center centre main annex wireless wired ethernet id# label labels crash code blue ' +
    'utility soiled linen break breakroom meds pyxis omnicell pharmacy negative pressure anteroom bathroom restroom ' +
    'shower toilet sink window door hvac spare loaner rental backup inventory'
  ).split(' ')
);

const TITLE = /^(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?$/;

/** HL7 / DICOM person name: `SMITH^JOHN^Q`. Caret form is a strong signal, any letter case. */
const NAME_CARET = /[A-Za-z][A-Za-z'’-]{0,29}\^[A-Za-z][A-Za-z'’-]{0,29}(?:\^[A-Za-z'’.-]{0,30}){0,4}/y;
/** `DOE, JANE` / `Doe, Jane Q.` */
const NAME_COMMA = /([A-Z][A-Za-z'’-]{1,29}),[ \t]{0,2}([A-Z][A-Za-z'’-]{1,29})(?![A-Za-z0-9])(?:[ \t][A-Z]\.(?![A-Za-z0-9]))?/y;
/** One to four capitalised words, optionally after a title: `Jane Doe`, `Mr. Alvarez`, `JOHN Q. PUBLIC`. */
const NAME_WORDS =
  /(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]{1,2})?[A-Z][A-Za-z'’-]{1,29}(?![A-Za-z0-9'’-])(?:[ \t]{1,2}(?:[A-Z]\.|[A-Z][A-Za-z'’-]{1,29}(?![A-Za-z0-9'’-])))?(?:[ \t]{1,2}(?:[A-Z]\.|[A-Z][A-Za-z'’-]{1,29}(?![A-Za-z0-9'’-])))?(?:[ \t]{1,2}(?:[A-Z]\.|[A-Z][A-Za-z'’-]{1,29}(?![A-Za-z0-9'’-])))?/y;
const WORD_IN_NAME = /\S+/g;

function isNotNameWord(word: string): boolean {
  return NOT_NAME_WORDS.has(word.toLowerCase().replace(/[.'’]+$/, ''));
}

interface NameMatch {
  end: number;
  /** Had a title, a comma form or a caret form: strong evidence. */
  strong: boolean;
  words: number;
}

/**
 * Parses a person name starting exactly at `pos`. Returns null when the text
 * there does not look like a name.
 */
function parseName(text: string, pos: number): NameMatch | null {
  const caret = execAt(NAME_CARET, text, pos);
  if (caret !== null && !/[A-Za-z0-9]/.test(text.charAt(pos + caret[0].length))) {
    const raw = caret[0].replace(/[\^ .]+$/, '');
    const parts = raw.split('^').filter((p) => p !== '');
    if (parts.length >= 2 && !parts.some(isNotNameWord)) return { end: pos + raw.length, strong: true, words: parts.length };
  }
  const comma = execAt(NAME_COMMA, text, pos);
  if (comma !== null && comma[1] !== undefined && comma[2] !== undefined && !isNotNameWord(comma[1]) && !isNotNameWord(comma[2])) {
    return { end: pos + comma[0].length, strong: true, words: 2 };
  }
  const words = execAt(NAME_WORDS, text, pos);
  if (words === null) return null;
  const kept: string[] = [];
  let end = pos;
  let titled = false;
  WORD_IN_NAME.lastIndex = 0;
  for (let m = WORD_IN_NAME.exec(words[0]); m !== null; m = WORD_IN_NAME.exec(words[0])) {
    const word = m[0];
    if (kept.length === 0 && TITLE.test(word)) {
      titled = true;
      end = pos + m.index + word.length;
      continue;
    }
    if (isNotNameWord(word)) break;
    kept.push(word);
    end = pos + m.index + word.length;
  }
  if (kept.length === 0) return null;
  const first = kept[0] ?? '';
  // A lone short all-caps word is an abbreviation (ECG, ICU, HR), not a name.
  if (kept.length === 1 && !titled && first.length <= 3 && first === first.toUpperCase()) return null;
  // A lone initial is not a name.
  if (/^[A-Z]\.$/.test(first) && kept.length === 1) return null;
  return { end, strong: titled, words: kept.length };
}

/** A lone capitalised word followed by a lowercase word reads as a sentence ("Alarm silenced"), not a name. */
function followedByLowercaseWord(text: string, end: number): boolean {
  return /^[ \t]{1,3}[a-z]/.test(text.slice(end, end + 4));
}

// ---------------------------------------------------------------------------
// Detectors
// ---------------------------------------------------------------------------

/** MRN-style labels. `PID` only in upper case (lower-case `pid` is a process id in device logs). */
const MRN_LABEL =
  /(?<![A-Za-z0-9])(?:mrn|mr[ \t]?#|med\.?[ \t]?rec(?:ord)?\.?[ \t]?(?:no|num|number|#)\.?|medical[ \t]+record[ \t]*(?:number|num|no\.?|#)|patient[ \t_]?(?:id|identifier|number|no\.?|#)|pid|acct\.?[ \t]*(?:#|no\.?|num(?:ber)?)?|account[ \t]*(?:#|no\.?|num(?:ber)?)|encounter[ \t]*(?:#|no\.?|num(?:ber)?|id))(?![A-Za-z])/gi;
/** Separator after the label; `*`, `_` and `|` allow markdown (`**MRN:** 123`, `| MRN | 123 |`). */
const MRN_VALUE = /[ \t:#=.*_|-]{0,8}([A-Za-z0-9][A-Za-z0-9-]{3,10}[A-Za-z0-9])(?![A-Za-z0-9]|-[A-Za-z0-9])/y;

const detectMrn: Detector = (text) => {
  const out: Span[] = [];
  MRN_LABEL.lastIndex = 0;
  for (let m = MRN_LABEL.exec(text); m !== null; m = MRN_LABEL.exec(text)) {
    const label = m[0];
    if (label.toLowerCase() === 'pid' && label !== 'PID') continue;
    if (/^acct\.?$/i.test(label) && !/^[ \t]{0,2}[:#=]/.test(text.slice(m.index + label.length, m.index + label.length + 3))) continue;
    const value = execAt(MRN_VALUE, text, m.index + label.length);
    if (value === null || value[1] === undefined) continue;
    if (countDigits(value[1]) < 4) continue;
    const end = m.index + label.length + value[0].length;
    out.push({ kind: 'mrn', start: m.index, end });
    MRN_LABEL.lastIndex = end;
  }
  return out;
};

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DOB_LABEL =
  /(?<![A-Za-z])(?:d\.?o\.?b\.?|date[ \t]+of[ \t]+birth|birth[ \t_]?date|patient'?s?[ \t_]?birth[ \t_]?date|born(?:[ \t]+on)?)(?![A-Za-z])/gi;
const DOB_SEPARATOR = /[*_]{0,2}[ \t]{0,3}(?:\([^)\n]{0,12}\)[ \t]{0,3})?[:=#|-]?[*_]{0,2}[ \t]{0,3}/y;
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
  /(?<![A-Za-z])(?:ssn|ss[ \t]?#|soc(?:ial)?\.?[ \t]+sec(?:urity)?\.?(?:[ \t]*(?:number|num|no\.?|#))?)(?![A-Za-z])[ \t:#=.-]{0,5}(\d{3})([ -]?)(\d{2})\2(\d{4})(?![0-9])/gi;
/** Unlabelled: dashes only (`123 45 6789` without a label is too often a row of readings). */
const SSN_BARE = /(?<![A-Za-z0-9./:_-])(\d{3})-(\d{2})-(\d{4})(?![A-Za-z0-9_]|[-./]\d)/g;

const detectSsn: Detector = (text) => {
  const out: Span[] = [];
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
    out.push({ kind: 'email', start: m.index, end: m.index + value.length });
  }
  return out;
};

/**
 * Name labels. `Patient:` / `Pt:` need a `:` or `=`; `Patient name` may be
 * followed by whitespace only; bare `Name:` (and first/last name) count only
 * on a line that also mentions the patient.
 */
const NAME_LABEL =
  /(?<![A-Za-z])(?:(patient'?s?[ \t_]?name|pt\.?[ \t_]?name)|(patient|pt)|((?:first|last|given|family|sur|middle)[ \t_]?name|name))(?![A-Za-z])([*_]{0,2}[ \t]{0,3}[:=][*_]{0,2}[ \t]{0,3}|[ \t]{1,3})/gi;
const MENTIONS_PATIENT = /(?<![A-Za-z])(?:patient|pt)(?![A-Za-z])/i;

const detectPatientName: Detector = (text) => {
  const out: Span[] = [];
  NAME_LABEL.lastIndex = 0;
  for (let m = NAME_LABEL.exec(text); m !== null; m = NAME_LABEL.exec(text)) {
    const [whole, patientName, , bareName, sep = ''] = m;
    const hasColon = /[:=]/.test(sep);
    if (patientName === undefined && !hasColon) {
      // "Patient monitor", "pt. circuit", "Name field": not a label.
      NAME_LABEL.lastIndex = m.index + 1;
      continue;
    }
    if (bareName !== undefined) {
      // Only near a mention of the patient on the same line (within 200 characters either way).
      if (!MENTIONS_PATIENT.test(lineWindow(text, m.index, 200, 200))) continue;
      // "Device Name:", "User name:": another word right before the label.
      const before = lineWindow(text, m.index, 20);
      if (/[A-Za-z][ \t]{0,2}$/.test(before) && !/(?:patient|pt)[ \t]{0,2}$/i.test(before)) continue;
    }
    const namePos = m.index + whole.length;
    const name = parseName(text, namePos);
    if (name === null) continue;
    // "pt: Stable overnight" reads as a sentence; after an explicit name label ("Patient name Maria de la Cruz") it is a name.
    const explicitName = patientName !== undefined || bareName !== undefined;
    if (!explicitName && !name.strong && name.words === 1 && followedByLowercaseWord(text, name.end)) continue;
    out.push({ kind: 'patient_name', start: m.index, end: name.end });
    NAME_LABEL.lastIndex = name.end;
  }
  return out;
};

/** `Room 412`, `Rm 12`, `Bed B`, `Room 412, Bed B`, `Bay 3`: a designation must contain a digit or be one letter. */
const DESIGNATION = '(?:[A-Za-z]?\\d{1,5}[A-Za-z]?(?:-\\d{1,3}[A-Za-z]?)?|[A-Za-z])(?![A-Za-z0-9])';
const ROOM_BED = new RegExp(
  `(?<![A-Za-z])(?:room|rm|bed|bd|bay)\\.?[ \\t]{0,2}#?[ \\t]{0,2}${DESIGNATION}` +
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
    const name = parseName(text, namePos);
    if (name === null) continue;
    const hasSeparator = sepText.trim() !== '';
    // Without a separator ("Bay 3 Crash Cart") only a title or LAST, FIRST counts.
    if (!hasSeparator && !name.strong) continue;
    if (!name.strong && name.words === 1 && followedByLowercaseWord(text, name.end)) continue;
    const end = sepText.includes('(') && text[name.end] === ')' ? name.end + 1 : name.end;
    out.push({ kind: 'room_bed_name', start: m.index, end });
    ROOM_BED.lastIndex = end;
  }
  return out;
};

/**
 * HL7 v2 PID segments (`PID|1||00482913^^^HOSP^MR||DOE^JANE||19570412|F|...`):
 * PID-3 patient id, PID-5 name, PID-7 birth date, PID-19 SSN.
 */
const HL7_PID = /(?:^|[\r\n])(PID\|)/g;

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
    const id = firstComponent(3);
    if (id !== null && countDigits(id.value) >= 4 && id.value.length <= 20) {
      out.push({ kind: 'mrn', start: id.start, end: id.start + id.value.length });
    }
    const nameField = fields[5];
    if (nameField !== undefined) {
      const name = (nameField.value.split('~')[0] ?? '').replace(/\^+$/, '');
      const parts = name.split('^').filter((p) => p !== '');
      if (parts.length > 0 && parts.every((p) => /^[A-Za-z][A-Za-z'’ .-]{0,40}$/.test(p)) && !parts.some(isNotNameWord)) {
        out.push({ kind: 'patient_name', start: nameField.start, end: nameField.start + name.length });
      }
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
    HL7_PID.lastIndex = Math.max(segEnd, m.index + 1);
  }
  return out;
};

const DETECTORS: readonly Detector[] = [
  detectHl7Pid,
  detectMrn,
  detectDob,
  detectSsn,
  detectPhone,
  detectEmail,
  detectPatientName,
  detectRoomBedName
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
