import { customType, index, pgTable } from 'drizzle-orm/pg-core';
import { ref } from './columns.ts';
import { posts } from './posts.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The text-search document of each post, beside the post rather than in it so that reading a
 * thread never carries the vectors. Written by the database only: the posts_search trigger
 * (migration 0012) keeps it on every insert and body change, so no write path can forget it.
 * Words of the body in English (stemmed) and its codes (error, part and model numbers, folded
 * to letters and digits by forum_codes) at weight B; for the opening post also the title,
 * equipment and tags at weight A.
 */
export const postSearch = pgTable(
  'post_search',
  {
    postId: ref()
      .primaryKey()
      .references(() => posts.id),
    threadId: ref().notNull(),
    search: tsvector().notNull()
  },
  (t) => [index('post_search_idx').using('gin', t.search)]
);
