import { Type, type Static } from 'typebox';
import { Id, NullableString, PageQuery } from './common.ts';
import { Thread } from './threads.ts';
import { equipmentSorts } from './pure.ts';

export { equipmentSorts, foldName, slugify, type EquipmentSort } from './pure.ts';

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
