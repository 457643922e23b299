import type { Equipment, EquipmentInput } from '@bmet/contracts';
import { invalid } from './http-error.ts';

const CONTROL = /[\p{Cc}\p{Cf}]/u;

/** Trims and folds runs of white space; refuses control and invisible format characters. */
export function cleanText(value: string, field = 'title'): string {
  const folded = value.replace(/[\t\n\r ]+/g, ' ').trim();
  if (CONTROL.test(folded)) throw invalid(field, `${field} must not contain control characters`);
  return folded;
}

export function cleanEquipment(input: EquipmentInput | null): Equipment | null {
  if (input === null) return null;
  const field = (name: keyof EquipmentInput): string | null => {
    const raw = input[name];
    if (raw === undefined || raw === null) return null;
    const value = cleanText(raw, `equipment.${name}`);
    return value === '' ? null : value;
  };
  const equipment = {
    manufacturer: field('manufacturer'),
    model: field('model'),
    category: field('category'),
    errorCode: field('errorCode')
  };
  return Object.values(equipment).every((v) => v === null) ? null : equipment;
}

const TAG = /^[a-z0-9][a-z0-9+.#-]{0,29}$/;

/** Lower-cases, joins words with dashes, drops duplicates; refuses anything else. */
export function cleanTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase().replace(/\s+/g, '-');
    if (tag === '') continue;
    if (!TAG.test(tag)) {
      throw invalid('tags', 'tags are 1 to 30 letters, digits, dashes, dots, + or #, starting with a letter or digit');
    }
    if (!out.includes(tag)) out.push(tag);
  }
  return out;
}

/** Escapes LIKE's wildcards, so user text matches only itself. */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
