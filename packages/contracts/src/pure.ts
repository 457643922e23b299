/**
 * What the browser needs of the contracts at run time, without TypeBox: the schemas are
 * module-level calls a bundler must keep, so a page that imported slugify from the index would
 * carry all of them (14 KB gzipped). The web app's client code imports from
 * '@bmet/contracts/pure'; everything here is re-exported by the index too.
 */

/**
 * The key under which names are the same record: case and spacing folded, so "philips",
 * "Philips " and "PHILIPS" are one manufacturer.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * URL slug of a manufacturer or model name, and the key under which two names are one record:
 * "IntelliVue MX450" -> "intellivue-mx450", "Dräger" -> "drager", "迈瑞" -> "迈瑞". Case,
 * spacing, punctuation and accents fold away, and so do the dots and spaces between initials:
 * "b.d.", "B D" and "BD" are all "bd", "G.E. Healthcare" is "ge-healthcare". A dot between
 * digits stays a separator ("2.1" -> "2-1"), apostrophes vanish ("O'Neil" -> "oneil"). Letters
 * of every script are kept, so names that differ in anything else never share a slug.
 */
export function slugify(name: string): string {
  const words = foldName(name)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['\u2019`]/g, '')
    .replace(/(?<!\p{N})\.|\.(?!\p{N})/gu, ' ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  // Runs of single letters are initials: "b d" -> "bd".
  const joined: string[] = [];
  let initials = false;
  for (const word of words) {
    const initial = /^\p{L}$/u.test(word);
    if (initial && initials) joined[joined.length - 1] += word;
    else joined.push(word);
    initials = initial;
  }
  const slug = joined.join('-');
  return slug === '' ? `x-${[...foldName(name)].map((c) => c.codePointAt(0)!.toString(16)).join('-')}` : slug;
}

/** The lists of a model, a manufacturer or a tag: newest activity, unanswered questions, solved. */
export const equipmentSorts = ['latest', 'unanswered', 'solved'] as const;
export type EquipmentSort = (typeof equipmentSorts)[number];

/**
 * Cache-Control of what every anonymous reader gets alike (pages and API reads): a shared cache
 * (nginx, a CDN) may keep it 10 s and serve it a minute stale while it asks again.
 */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=10, stale-while-revalidate=60';
