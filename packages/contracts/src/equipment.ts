import { Type, type Static } from 'typebox';
import { Id, NullableString, PageQuery } from './common.ts';
import { Thread } from './threads.ts';

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

export const Category = Type.Object({ slug: Type.String(), name: Type.String() });
export type Category = Static<typeof Category>;
export const CategoryList = Type.Object({ categories: Type.Array(Category) });

export const Manufacturer = Type.Object({
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  modelCount: Type.Integer(),
  /** Live threads naming this manufacturer, with or without a model, and the solved ones. */
  threadCount: Type.Integer(),
  solvedCount: Type.Integer()
});
export type Manufacturer = Static<typeof Manufacturer>;
export const ManufacturerList = Type.Object({ manufacturers: Type.Array(Manufacturer) });

export const Model = Type.Object({
  id: Id,
  slug: Type.String(),
  name: Type.String(),
  manufacturer: Type.Object({ id: Id, slug: Type.String(), name: Type.String() }),
  category: Type.Union([Category, Type.Null()]),
  threadCount: Type.Integer(),
  solvedCount: Type.Integer()
});
export type Model = Static<typeof Model>;
export const ModelList = Type.Object({ models: Type.Array(Model) });
export type ModelList = Static<typeof ModelList>;

export const ErrorCodeSeen = Type.Object({
  code: Type.String(),
  threadCount: Type.Integer(),
  solvedThreadId: Type.Union([Id, Type.Null()]),
  solvedThreadTitle: NullableString
});
export type ErrorCodeSeen = Static<typeof ErrorCodeSeen>;

export const ModelPage = Type.Object({
  model: Model,
  errorCodes: Type.Array(ErrorCodeSeen),
  threads: Type.Array(Thread),
  nextCursor: NullableString
});
export type ModelPage = Static<typeof ModelPage>;

/** The lists of a model, a manufacturer or a tag: newest activity, unanswered questions, solved. */
export const equipmentSorts = ['latest', 'unanswered', 'solved'] as const;
export type EquipmentSort = (typeof equipmentSorts)[number];
export const ListQuery = Type.Object({
  sort: Type.Optional(
    Type.Union(
      equipmentSorts.map((s) => Type.Literal(s)),
      { 'x-message': 'sort must be latest, unanswered or solved' }
    )
  ),
  ...PageQuery.properties
});
export type ListQuery = Static<typeof ListQuery>;

/** A manufacturer's page: its models (most discussed first) and its threads. */
export const ManufacturerPage = Type.Object({
  manufacturer: Manufacturer,
  models: Type.Array(Model),
  threads: Type.Array(Thread),
  nextCursor: NullableString
});
export type ManufacturerPage = Static<typeof ManufacturerPage>;

/** The equipment index: manufacturers by name, each with its most discussed models. */
export const EquipmentIndex = Type.Object({
  manufacturers: Type.Array(Type.Object({ ...Manufacturer.properties, models: Type.Array(Model) })),
  nextCursor: NullableString
});
export type EquipmentIndex = Static<typeof EquipmentIndex>;
export const TagIndexQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, 'x-message': 'limit must be 1 to 500' }))
});

export const SuggestQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  manufacturer: Type.Optional(Type.String({ maxLength: 100 }))
});

export const Tag = Type.Object({ name: Type.String(), threadCount: Type.Integer() });
export type Tag = Static<typeof Tag>;
export const TagList = Type.Object({ tags: Type.Array(Tag) });
export type TagList = Static<typeof TagList>;
export const TagPage = Type.Object({ tag: Tag, threads: Type.Array(Thread), nextCursor: NullableString });
export type TagPage = Static<typeof TagPage>;

const RecordName = (field: string) =>
  Type.String({ minLength: 1, maxLength: 100, 'x-message': `${field} must be a name or slug of 1 to 100 characters` });
const MergeReason = Type.Optional(
  Type.Union([Type.String({ maxLength: 500, 'x-message': 'reason must be at most 500 characters' }), Type.Null()])
);

/** A global moderator or admin merges this manufacturer into another (`into`: its name or slug). */
export const MergeManufacturerBody = Type.Object({ into: RecordName('into'), reason: MergeReason });
export type MergeManufacturerBody = Static<typeof MergeManufacturerBody>;
/** The same for a model: `into` names a manufacturer and one of its models (names or slugs). */
export const MergeModelBody = Type.Object({
  into: Type.Object({ manufacturer: RecordName('into.manufacturer'), model: RecordName('into.model') }),
  reason: MergeReason
});
export type MergeModelBody = Static<typeof MergeModelBody>;
export const ManufacturerResult = Type.Object({ manufacturer: Manufacturer });
export type ManufacturerResult = Static<typeof ManufacturerResult>;
export const ModelResult = Type.Object({ model: Model });
export type ModelResult = Static<typeof ModelResult>;
