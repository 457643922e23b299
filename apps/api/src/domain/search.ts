import { inArray, sql, type SQL } from 'drizzle-orm';
import type { Conn } from '@bmet/db/client';
import { boards, posts, threads, type PostRow, type ThreadRow } from '@bmet/db/schema';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { foldCode, type SearchQuery } from '../lib/search-query.ts';
import { loadAuthors } from './threads.ts';
import type { AuthorRow } from './serialize.ts';

export interface SearchFilters {
  boardId?: number;
  roleTag?: 'BME' | 'CE' | 'BMET';
  solved?: boolean;
  manufacturerId?: number;
  /** Models of this slug (of the manufacturer when one is given). */
  modelIds?: number[];
  errorCode?: string;
  tag?: string;
}

export interface SearchHit {
  thread: ThreadRow;
  boardSlug: string;
  threadAuthor: AuthorRow;
  post: PostRow;
  postAuthor: AuthorRow;
  snippetHtml: string;
  rank: number;
}

/** Both drivers answer execute() with { rows }; the shared Conn type cannot say so. */
async function rowsOf<T>(db: Conn, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

function tsquery(q: SearchQuery): SQL {
  const words = sql`websearch_to_tsquery('english', ${q.words})`;
  const codes = sql`${q.codes}::tsquery`;
  if (q.words !== '' && q.codes !== '') return sql`(${words} && ${codes})`;
  return q.words !== '' ? words : codes;
}

/** Filters on post_search's own copies of the thread's state: a search reads no other table. */
function filterSql(f: SearchFilters): SQL[] {
  const out: SQL[] = [];
  const ids = (list: number[]) =>
    sql.join(
      list.map((id) => sql`${id}`),
      sql`, `
    );
  if (f.boardId !== undefined) out.push(sql`ps.board_id = ${f.boardId}`);
  if (f.roleTag !== undefined) out.push(sql`ps.board_id in (select id from boards where role_tag = ${f.roleTag})`);
  if (f.solved !== undefined) out.push(sql`ps.solved = ${f.solved}`);
  if (f.manufacturerId !== undefined) out.push(sql`ps.manufacturer_id = ${f.manufacturerId}`);
  if (f.modelIds !== undefined) out.push(sql`ps.model_id in (${ids(f.modelIds)})`);
  if (f.errorCode !== undefined) out.push(sql`ps.error_code = ${foldCode(f.errorCode)}`);
  if (f.tag !== undefined) out.push(sql`ps.tags @> array[${f.tag}]::text[]`);
  return out;
}

/**
 * How many matching posts a search ranks. A query that matches more (two common words match a
 * large share of a big forum) ranks the first this many in post_search.quality order (solved
 * threads, accepted answers, opening posts, newest first), which PostgreSQL reads from the
 * quality index while checking the match, instead of ranking every match; a rarer query ranks
 * all its matches, from the GIN index. The planner picks between the two from its statistics of
 * the vectors' lexemes.
 */
export const SEARCH_CANDIDATES = 2000;

/**
 * The rank of a post for a query: text relevance (a title match, weight A, counts 2.5 times a
 * body match), raised for the accepted answer and for solved threads "when the match is as
 * good", then a little for votes; the post's age only breaks ties. Deterministic for the same
 * data, so it can be a keyset cursor. The raises are half again each: enough to put a solved
 * thread ahead of an unsolved one whose match is as good or a little better (a shorter document
 * ranks higher under length normalization), not enough to bury a clearly better match.
 */
const RANK = sql`(ts_rank(c.search, q.q, 1)
  * (1 + case when c.is_answer then 0.5 else 0 end + case when c.solved then 0.5 else 0 end)
  + 0.01 * ln(1 + greatest(c.score, 0))
  + extract(epoch from c.created_at)::float8 * 1e-15)::float8`;

const SENTINEL_OPEN = '\ue000';
const SENTINEL_CLOSE = '\ue001';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Markdown's marks out of a snippet: it is shown as plain text. */
function plain(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/```[^\n]*\n?/g, ' ')
    .replace(/[*_`~]{1,3}/g, '')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-+]|\d+\.)\s+/gm, '')
    .replace(/[\u0000-\u0008\u000b-\u001f]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const CODE_TOKEN = /[A-Za-z0-9]+(?:[-./_][A-Za-z0-9]+)*/g;

/**
 * The snippet as HTML: escaped text with the matched words (marked by ts_headline with control
 * characters, which cannot occur in a stored post) and the matched codes in `<mark>`.
 */
export function snippetHtml(headline: string, markCodes: readonly string[]): string {
  const codes = new Set(markCodes);
  const parts = headline.split(new RegExp(`(${SENTINEL_OPEN}[^${SENTINEL_CLOSE}]*${SENTINEL_CLOSE})`));
  return parts
    .map((part) => {
      if (part.startsWith(SENTINEL_OPEN)) return `<mark>${escapeHtml(part.slice(1, -1))}</mark>`;
      const text = part.replace(/[\ue000\ue001]/g, '');
      if (codes.size === 0) return escapeHtml(text);
      let out = '';
      let last = 0;
      for (const m of text.matchAll(CODE_TOKEN)) {
        if (!codes.has(foldCode(m[0]))) continue;
        out += escapeHtml(text.slice(last, m.index)) + `<mark>${escapeHtml(m[0])}</mark>`;
        last = m.index + m[0].length;
      }
      return out + escapeHtml(text.slice(last));
    })
    .join('');
}

/** Around the first matched code of a text, when the query had codes and no words. */
function codeWindow(text: string, markCodes: readonly string[]): string {
  const codes = new Set(markCodes);
  let at = 0;
  for (const m of text.matchAll(CODE_TOKEN)) {
    if (codes.has(foldCode(m[0]))) {
      at = m.index;
      break;
    }
  }
  const start = Math.max(0, at - 80);
  const end = Math.min(text.length, at + 160);
  return (start > 0 ? '… ' : '') + text.slice(start, end).trim() + (end < text.length ? ' …' : '');
}

export const SEARCH_CURSOR = ['number', 'int'] as const;

/**
 * One result per thread, its best-ranked post, best first; keyset-paged on (rank, thread id).
 * Deleted posts and threads, and posts waiting for a patient-data review, are never found.
 */
export async function search(
  db: Conn,
  q: SearchQuery,
  filters: SearchFilters,
  limit: number,
  cursor: string | undefined
): Promise<{ hits: SearchHit[]; nextCursor: string | null } | 'bad_cursor'> {
  let after: SQL = sql`true`;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, SEARCH_CURSOR);
    if (values === null) return 'bad_cursor';
    after = sql`(best.rank, best.thread_id) < (${values[0]}::float8, ${values[1]}::bigint)`;
  }
  if (q.words === '' && q.codes === '') return { hits: [], nextCursor: null };
  const where = [sql`ps.visible`, sql`ps.search @@ q.q`, ...filterSql(filters)];
  const found = await rowsOf<{ post_id: string | number; thread_id: string | number; rank: number | string }>(
    db,
    sql`
    select best.post_id, best.thread_id, best.rank from (
      select distinct on (c.thread_id) c.post_id, c.thread_id, ${RANK} as rank
      from (
        select ps.post_id, ps.thread_id, ps.search, ps.is_answer, ps.solved, ps.score, ps.created_at
        from post_search ps, (select ${tsquery(q)} as q) q
        where ${sql.join(where, sql` and `)}
        order by ps.quality desc nulls last, ps.post_id desc nulls last
        limit ${SEARCH_CANDIDATES}
      ) c, (select ${tsquery(q)} as q) q
      order by c.thread_id, rank desc, c.post_id
    ) best
    where ${after}
    order by best.rank desc, best.thread_id desc
    limit ${limit + 1}`
  );
  const page = found.slice(0, limit).map((r) => ({ postId: Number(r.post_id), threadId: Number(r.thread_id), rank: Number(r.rank) }));
  if (page.length === 0) return { hits: [], nextCursor: null };
  const last = page[page.length - 1]!;
  const nextCursor = found.length > limit ? encodeCursor([last.rank, last.threadId]) : null;

  const postIds = page.map((r) => r.postId);
  const threadIds = page.map((r) => r.threadId);
  const headline =
    q.words === ''
      ? sql`${posts.bodyMarkdown}`
      : sql`ts_headline('english', translate(${posts.bodyMarkdown}, ${SENTINEL_OPEN + SENTINEL_CLOSE}, ''), websearch_to_tsquery('english', ${q.words}),
          ${`StartSel=${SENTINEL_OPEN}, StopSel=${SENTINEL_CLOSE}, MaxWords=32, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`})`;
  // The page's posts with their headlines in one read; their threads (and boards) in another.
  const [threadRows, postRows] = await Promise.all([
    db
      .select({ thread: threads, boardSlug: boards.slug })
      .from(threads)
      .innerJoin(boards, sql`${boards.id} = ${threads.boardId}`)
      .where(inArray(threads.id, threadIds)),
    db
      .select({ post: posts, headline: sql<string>`${headline}` })
      .from(posts)
      .where(inArray(posts.id, postIds))
  ]);
  const threadById = new Map(threadRows.map((r) => [r.thread.id, r]));
  const postById = new Map(postRows.map((r) => [r.post.id, r]));
  const authors = await loadAuthors(db, [...threadRows.map((r) => r.thread.authorId), ...postRows.map((r) => r.post.authorId)]);
  const hits: SearchHit[] = [];
  for (const r of page) {
    const t = threadById.get(r.threadId);
    const found = postById.get(r.postId);
    if (t === undefined || found === undefined) continue; // deleted between the two queries
    const p = found.post;
    const raw = found.headline;
    const text = q.words === '' ? codeWindow(plain(raw), q.markCodes) : plain(raw);
    hits.push({
      thread: t.thread,
      boardSlug: t.boardSlug,
      threadAuthor: authors.get(t.thread.authorId)!,
      post: p,
      postAuthor: authors.get(p.authorId)!,
      snippetHtml: snippetHtml(text, q.markCodes),
      rank: r.rank
    });
  }
  return { hits, nextCursor };
}

export interface SimilarInput {
  title: string;
  modelIds: number[];
  errorCode: string;
}

/**
 * Likely duplicates of a question being written: opening posts sharing words or codes with the
 * title (any of them, ranked by how many and where), the same model or error code counting
 * extra; up to five, solved ones first.
 */
export async function similarThreads(
  db: Conn,
  input: SimilarInput
): Promise<{ thread: ThreadRow; boardSlug: string; author: AuthorRow }[]> {
  const terms = new Set<string>();
  for (const m of input.title.normalize('NFC').matchAll(/[\p{L}\p{N}]+(?:[-./_][\p{L}\p{N}]+)*/gu)) {
    const token = m[0];
    if (/[0-9]/.test(token) && /^[A-Za-z0-9]+(?:[-./_][A-Za-z0-9]+)*$/.test(token)) terms.add(`'${foldCode(token)}'`);
    else for (const part of token.split(/[-./_]/)) if (/^[\p{L}\p{N}]{2,40}$/u.test(part)) terms.add(part.toLowerCase());
    if (terms.size >= 24) break;
  }
  const code = input.errorCode === '' ? '' : foldCode(input.errorCode);
  if (code !== '' && code.length <= 40) terms.add(`'${code}'`);
  const hasModel = input.modelIds.length > 0;
  if (terms.size === 0 && !hasModel) return [];
  const modelIds = sql.join(
    input.modelIds.map((id) => sql`${id}`),
    sql`, `
  );
  const modelMatch = hasModel ? sql`c.model_id in (${modelIds})` : sql`false`;
  const codeMatch = code === '' ? sql`false` : sql`c.error_code = ${code}`;
  // Words go through to_tsquery('english') for stemming; each is letters and digits only, and
  // codes are quoted [a-z0-9] lexemes, so the expression is always valid.
  const query = terms.size === 0 ? sql`''::tsquery` : sql`to_tsquery('english', ${[...terms].join(' | ')})`;
  const byText = sql`
    select ps.thread_id, ps.search, ps.model_id, ps.error_code from post_search ps, (select ${query} as q) q
    where ps.visible and ps.is_op and ps.search @@ q.q
    order by ps.quality desc nulls last, ps.post_id desc nulls last
    limit ${SEARCH_CANDIDATES}`;
  // The model's newest threads from its own index: a model with no words in common still counts.
  const byModel = sql`
    select ps.thread_id, ps.search, ps.model_id, ps.error_code from threads t
    join posts p on p.thread_id = t.id and p.seq = 0
    join post_search ps on ps.post_id = p.id and ps.visible
    where t.model_id in (${modelIds}) and t.deleted_at is null
    order by t.last_post_at desc
    limit 200`;
  const candidates = terms.size === 0 ? byModel : hasModel ? sql`(${byText}) union (${byModel})` : byText;
  const rows = await rowsOf<{ id: string | number }>(
    db,
    sql`
    select c.thread_id as id from (${candidates}) c, (select ${query} as q) q
    order by (ts_rank(c.search, q.q, 1) + case when ${modelMatch} then 0.3 else 0 end + case when ${codeMatch} then 0.5 else 0 end) desc,
             c.thread_id desc
    limit 5`
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const found = await db
    .select({ thread: threads, boardSlug: boards.slug })
    .from(threads)
    .innerJoin(boards, sql`${boards.id} = ${threads.boardId}`)
    .where(inArray(threads.id, ids));
  const authors = await loadAuthors(
    db,
    found.map((r) => r.thread.authorId)
  );
  const order = new Map(ids.map((id, i) => [id, i]));
  return found
    .map((r) => ({ ...r, author: authors.get(r.thread.authorId)! }))
    .sort(
      (a, b) =>
        Number(b.thread.solutionPostId !== null) - Number(a.thread.solutionPostId !== null) ||
        order.get(a.thread.id)! - order.get(b.thread.id)!
    );
}
