import { index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, ref } from './columns.ts';

export const deviceCategories = pgTable('device_categories', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull()
});
export type DeviceCategoryRow = typeof deviceCategories.$inferSelect;

/** One row per manufacturer; the slug (case, spacing and punctuation folded) is its identity. */
export const manufacturers = pgTable('manufacturers', {
  id: id(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  modelCount: integer().notNull().default(0),
  /** Live threads naming this manufacturer, and how many of them are solved (kept in the write transaction). */
  threadCount: integer().notNull().default(0),
  solvedCount: integer().notNull().default(0),
  createdAt: createdAt()
});
export type ManufacturerRow = typeof manufacturers.$inferSelect;

export const models = pgTable(
  'models',
  {
    id: id(),
    manufacturerId: ref()
      .notNull()
      .references(() => manufacturers.id),
    slug: text().notNull(),
    name: text().notNull(),
    categoryId: ref().references(() => deviceCategories.id),
    threadCount: integer().notNull().default(0),
    solvedCount: integer().notNull().default(0),
    createdAt: createdAt()
  },
  (t) => [uniqueIndex('models_manufacturer_slug_idx').on(t.manufacturerId, t.slug)]
);
export type ModelRow = typeof models.$inferSelect;

/**
 * The slugs of manufacturers a moderator merged into another (or that a change of folding made
 * the same): a thread naming one lands on the survivor, and the old page redirects there.
 */
export const manufacturerAliases = pgTable(
  'manufacturer_aliases',
  {
    slug: text().primaryKey(),
    manufacturerId: ref()
      .notNull()
      .references(() => manufacturers.id),
    createdAt: createdAt()
  },
  (t) => [index('manufacturer_aliases_target_idx').on(t.manufacturerId)]
);

/** The same for models: a (manufacturer, slug) that now means another model. */
export const modelAliases = pgTable(
  'model_aliases',
  {
    manufacturerId: ref().notNull(),
    slug: text().notNull(),
    modelId: ref()
      .notNull()
      .references(() => models.id),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.manufacturerId, t.slug] }), index('model_aliases_target_idx').on(t.modelId)]
);

export const tags = pgTable(
  'tags',
  {
    name: text().primaryKey(),
    threadCount: integer().notNull().default(0)
  },
  // The tag index, most used first.
  (t) => [index('tags_count_idx').on(t.threadCount.desc(), t.name)]
);

/** Tag membership, ordered for the tag page without touching the threads table's GIN index. */
export const threadTags = pgTable(
  'thread_tags',
  {
    tag: text().notNull(),
    threadId: ref().notNull(),
    createdAt: createdAt()
  },
  (t) => [primaryKey({ columns: [t.tag, t.threadId] }), index('thread_tags_page_idx').on(t.tag, t.createdAt, t.threadId)]
);
