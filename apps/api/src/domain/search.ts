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

function combine(words: string, codes: string): SQL {
  const w = sql`websearch_to_tsquery('english', ${words})`;
  const c = sql`${codes}::tsquery`;
  if (words !== '' && codes !== '') return sql`(${w} && ${c})`;
  return words !== '' ? w : codes !== '' ? c : sql`''::tsquery`;
}

const tsquery = (q: SearchQuery): SQL => combine(q.words, q.codes);
const looseTsquery = (q: SearchQuery): SQL => combine(q.looseWords, q.looseCodes);

const idList = (list: number[]) =>
  sql.join(
    list.map((id) => sql`${id}`),
    sql`, `
  );

/** Filters on post_search's own copies of the thread's state: a search reads no other table. */
function filterSql(f: SearchFilters): SQL[] {
  const out: SQL[] = [];
  if (f.boardId !== undefined) out.push(sql`ps.board_id = ${f.boardId}`);
  if (f.roleTag !== undefined) out.push(sql`ps.board_id in (select id from boards where role_tag = ${f.roleTag})`);
  if (f.solved !== undefined) out.push(sql`ps.solved = ${f.solved}`);
  if (f.manufacturerId !== undefined) out.push(sql`ps.manufacturer_id = ${f.manufacturerId}`);
  if (f.modelIds !== undefined) out.push(sql`ps.model_id in (${idList(f.modelIds)})`);
  if (f.errorCode !== undefined) out.push(sql`ps.error_code = ${foldCode(f.errorCode)}`);
  if (f.tag !== undefined) out.push(sql`ps.tags @> array[${f.tag}]::text[]`);
  return out;
}

/**
 * How many matching posts a search ranks. A query that matches more (two common words match a
 * large share of a big forum) ranks the first this many in post_search.quality order (solved
 * threads, accepted answers, opening posts, newest first), read from the quality index while
 * checking the match, instead of ranking every match; a rarer query ranks all its matches, read
 * from the GIN index. Which of the two is decided by counting, not by the planner: its
 * estimate multiplies the words' frequencies as if they were independent, and words that go
 * together ("air in line") match ten times more posts than it thinks (see candidates()).
 */
export const SEARCH_CANDIDATES = 2000;

/**
 * Of a large match set, how many loose matches the quality walk reads, and ranks at most: a
 * walk costs a row read per post it passes (~1 us), and matches are rarer at the top of the
 * quality order than below it, so a smaller window than SEARCH_CANDIDATES keeps it quick. The
 * thousand best posts that match two common words are plenty to rank a first page from.
 */
export const WALK_CANDIDATES = 1000;

/** The most posts a walk reads (~1 us each) before it gives up and ranks every match instead. */
export const WALK_ROWS = 100_000;

/**
 * From how many matches a search walks the quality index instead of ranking every match from
 * the GIN index: walking finds WALK_CANDIDATES matches in about WALK_CANDIDATES / share rows,
 * ranking every match costs a row each (and a recheck of positions for a phrase).
 */
export const WALK_FROM_MATCHES = 20_000;

/**
 * The shares of post_search.search's most common lexemes (ANALYZE keeps them in pg_stats) and
 * the table's rows, read at most every STATS_TTL_MS per database (pg_stats is a costly view:
 * ~6 ms a read on a big forum, against ~0.2 ms for the lexemes of one query).
 */
interface LexemeStats {
  at: number;
  rows: number;
  share: Map<string, number>;
}
const STATS_TTL_MS = 10 * 60_000;
const lexemeStats = new WeakMap<object, LexemeStats>();

async function statsOf(db: Conn): Promise<LexemeStats> {
  const cached = lexemeStats.get(db);
  if (cached !== undefined && Date.now() - cached.at < STATS_TTL_MS) return cached;
  const [row] = await rowsOf<{ elems: string[] | null; shares: number[] | null; rows: number | string | null }>(
    db,
    sql`select
      (select s.most_common_elems::text::text[] from pg_stats s
        where s.schemaname = current_schema() and s.tablename = 'post_search' and s.attname = 'search') as elems,
      (select s.most_common_elem_freqs from pg_stats s
        where s.schemaname = current_schema() and s.tablename = 'post_search' and s.attname = 'search') as shares,
      (select reltuples from pg_class where oid = 'post_search'::regclass) as rows`
  );
  const share = new Map<string, number>();
  const elems = row?.elems ?? [];
  const shares = row?.shares ?? [];
  elems.forEach((e, i) => share.set(e, Number(shares[i] ?? 0)));
  const fresh = { at: Date.now(), rows: Math.max(0, Number(row?.rows ?? 0)), share };
  lexemeStats.set(db, fresh);
  return fresh;
}

/**
 * The most posts the loose query can match by the statistics: the share of its least frequent
 * lexeme times the rows. An upper bound for words that go together, which is where the
 * planner's own estimate (the shares multiplied, as if independent) is ten times too low. A
 * lexeme the statistics do not list is rare, and so is the query: 0. No statistics (PGlite
 * before an ANALYZE, a new forum): 0.
 */
async function upperBound(tx: Conn, stats: LexemeStats, q: SearchQuery): Promise<number> {
  if (stats.share.size === 0) return 0;
  const [row] = await rowsOf<{ tree: string | null }>(tx, sql`select querytree(${looseTsquery(q)}) as tree`);
  const lexemes = [...(row?.tree ?? '').matchAll(/'((?:[^']|'')+)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
  if (lexemes.length === 0) return 0;
  return Math.min(...lexemes.map((e) => stats.share.get(e) ?? 0)) * stats.rows;
}

/**
 * A search narrowed to few posts by a filter (a tag, a model, a manufacturer, a small board)
 * reads those posts directly, by thread, and checks the query on each: up to this many.
 */
export const FILTER_FIRST_POSTS = 10_000;

/**
 * The most selective thread-level filter and how many posts it leaves at most, from the
 * counters the write path keeps (a board's posts; a tag's, a model's, a manufacturer's threads
 * times the forum's posts per thread), with the query that lists its threads; null without one.
 */
async function narrowest(tx: Conn, f: SearchFilters): Promise<{ posts: number; threads: SQL } | null> {
  const parts: SQL[] = [sql`(select coalesce(sum(post_count), 0)::float8 / greatest(sum(thread_count), 1) from boards) as per_thread`];
  if (f.boardId !== undefined) parts.push(sql`(select post_count from boards where id = ${f.boardId}) as board`);
  if (f.tag !== undefined) parts.push(sql`(select thread_count from tags where name = ${f.tag}) as tag`);
  if (f.modelIds !== undefined)
    parts.push(sql`(select coalesce(sum(thread_count), 0) from models where id in (${idList(f.modelIds)})) as model`);
  if (f.manufacturerId !== undefined) parts.push(sql`(select thread_count from manufacturers where id = ${f.manufacturerId}) as maker`);
  if (parts.length === 1) return null;
  const [row] = await rowsOf<Record<'per_thread' | 'board' | 'tag' | 'model' | 'maker', number | string | null>>(
    tx,
    sql`select ${sql.join(parts, sql`, `)}`
  );
  const perThread = Math.max(1, Number(row?.per_thread ?? 1));
  const options: { posts: number; threads: SQL }[] = [];
  if (f.boardId !== undefined)
    options.push({
      posts: Number(row?.board ?? 0),
      threads: sql`select id from threads where board_id = ${f.boardId} and deleted_at is null`
    });
  if (f.tag !== undefined)
    options.push({ posts: Number(row?.tag ?? 0) * perThread, threads: sql`select thread_id from thread_tags where tag = ${f.tag}` });
  if (f.modelIds !== undefined)
    options.push({
      posts: Number(row?.model ?? 0) * perThread,
      threads: sql`select id from threads where model_id in (${idList(f.modelIds)}) and deleted_at is null`
    });
  if (f.manufacturerId !== undefined)
    options.push({
      posts: Number(row?.maker ?? 0) * perThread,
      threads: sql`select id from threads where manufacturer_id = ${f.manufacturerId} and deleted_at is null`
    });
  return options.reduce((a, b) => (b.posts < a.posts ? b : a));
}

/**
 * The candidate posts of a search, as a row source for `use` (columns post_id, thread_id,
 * board_id, search, is_answer, solved, score, created_at), in one transaction whose plans are
 * pinned (SET LOCAL) by what the statistics say the query matches at most (upperBound):
 *
 * - Few: rank them all. The GIN index finds them, the full query (phrases, exclusions) is
 *   checked on each; the quality index is not walked, whatever the planner estimates.
 * - Many: walk the quality index, the best posts first, taking the first WALK_CANDIDATES that
 *   match the loose query (phrases as their words, no exclusions: answered from the row's
 *   lexemes) and of them those that match the full query. However rare a phrase is among its
 *   words' matches, the walk ends after WALK_CANDIDATES loose matches.
 *
 * Answers the rows `use` made and the window: how many candidates the search could have had.
 */
/** The two thresholds that pick a search's path (tests move them to take each path on a small forum). */
export interface SearchTuning {
  walkFrom: number;
  filterFirstPosts: number;
  walkRows: number;
}
export const DEFAULT_TUNING: SearchTuning = { walkFrom: WALK_FROM_MATCHES, filterFirstPosts: FILTER_FIRST_POSTS, walkRows: WALK_ROWS };

async function candidates<T>(
  db: Conn,
  q: SearchQuery,
  filters: SearchFilters,
  tuning: SearchTuning,
  use: (rows: SQL) => SQL
): Promise<{ rows: T[]; capped: boolean | null }> {
  const where = sql.join([sql`ps.visible`, ...filterSql(filters)], sql` and `);
  const columns = sql`ps.post_id, ps.thread_id, ps.board_id, ps.search, ps.is_answer, ps.solved, ps.score, ps.created_at`;
  const order = sql`order by ps.quality desc nulls last, ps.post_id desc nulls last`;
  // Read outside the transaction: PGlite's one connection is the transaction's until it ends.
  const stats = await statsOf(db);
  const narrowed = (source: SQL) => sql`(with narrowed as materialized (
      select ${columns}, ps.visible, ps.quality, ps.model_id, ps.manufacturer_id, ps.error_code, ps.tags from post_search ps
      where ${source} and ps.visible)
    select ps.post_id, ps.thread_id, ps.board_id, ps.search, ps.is_answer, ps.solved, ps.score, ps.created_at from narrowed ps
    where ps.search @@ ${tsquery(q)} and ${where} ${order} limit ${SEARCH_CANDIDATES})`;
  return db.transaction(async (tx) => {
    // An error code: its posts counted (up to the bound) from their own index; few are read first.
    if (filters.errorCode !== undefined) {
      const code = foldCode(filters.errorCode);
      const bySource = sql`ps.error_code = ${code} and ps.error_code is not null`;
      const [n] = await rowsOf<{ n: string | number }>(
        tx,
        sql`select count(*) as n from (select 1 from post_search ps where ${bySource} and ps.visible limit ${tuning.filterFirstPosts + 1}) c`
      );
      if (Number(n?.n ?? 0) <= tuning.filterFirstPosts) {
        return { rows: await rowsOf<T>(tx, use(sql`select * from ${narrowed(bySource)} n`)), capped: null };
      }
    }
    const narrow = await narrowest(tx, filters);
    // Few posts by the filter: their threads' posts, read by thread, then the query on each.
    // The thread list is capped, so a counter that drifted cannot make this read unbounded.
    const ids =
      narrow !== null && narrow.posts <= tuning.filterFirstPosts
        ? (
            await rowsOf<{ id: string | number }>(
              tx,
              sql`select t.id from (${narrow.threads}) as t(id) limit ${tuning.filterFirstPosts + 1}`
            )
          ).map((r) => Number(r.id))
        : null;
    if (ids !== null && ids.length <= tuning.filterFirstPosts) {
      const list = ids.length === 0 ? sql`null` : idList(ids);
      const rows = narrowed(sql`ps.thread_id in (${list}) and ps.thread_id > 0`);
      return { rows: await rowsOf<T>(tx, use(sql`select * from ${rows} n`)), capped: null };
    }
    const share = narrow === null || stats.rows === 0 ? 1 : Math.min(1, narrow.posts / stats.rows);
    const many = (await upperBound(tx, stats, q)) * share >= tuning.walkFrom;
    if (many) {
      await tx.execute(sql`set local enable_bitmapscan = off`);
      await tx.execute(sql`set local enable_seqscan = off`);
      // A walk that stops early gains nothing from parallel workers, which each start their own.
      await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
      // At most WALK_ROWS posts in quality order, the loose query and the filters checked on
      // each: a query whose words rarely meet, or a filter the counters cannot size (an error
      // code, solved), cannot make the walk read the whole index.
      const walk = sql`select ps.post_id, ps.thread_id, ps.board_id, ps.search, ps.is_answer, ps.solved, ps.score, ps.created_at from (
          select ps.post_id, ps.thread_id, ps.board_id, ps.search, ps.is_answer, ps.solved, ps.score, ps.created_at, ps.visible,
                 ps.manufacturer_id, ps.model_id, ps.error_code, ps.tags
          from post_search ps where ps.visible ${order} limit ${tuning.walkRows}) ps
        where ps.search @@ ${looseTsquery(q)} and ${where} limit ${WALK_CANDIDATES}`;
      const rows =
        q.words === q.looseWords && q.codes === q.looseCodes
          ? sql`select * from walk`
          : sql`select * from walk w where w.search @@ ${tsquery(q)}`;
      // One statement: the page (or the counts) and how many posts the walk took, the latter
      // on a row of its own when the page is empty (a phrase none of the walked posts holds).
      const out = await rowsOf<T & { walked: string | number; present_: number | null }>(
        tx,
        sql`with walk as materialized (${walk})
          select w.walked, u.* from (select count(*) as walked from walk) w
          left join (select 1 as present_, x.* from (${use(rows)}) x) u on true`
      );
      const full = Number(out[0]?.walked ?? 0) >= WALK_CANDIDATES;
      const found = out.filter((r) => r.present_ !== null);
      // Fewer than the window, on a forum bigger than the walk: the rows ran out, not the
      // matches (or nothing was left to tell): rank every match instead.
      if (full || stats.rows < tuning.walkRows) {
        return { rows: found, capped: full };
      }
      await tx.execute(sql`set local enable_bitmapscan = on`);
    }
    await tx.execute(sql`set local enable_indexscan = off`);
    await tx.execute(sql`set local enable_seqscan = off`);
    const rows = sql`select ${columns} from post_search ps where ps.search @@ ${tsquery(q)} and ${where} ${order} limit ${SEARCH_CANDIDATES}`;
    return { rows: await rowsOf<T>(tx, use(rows)), capped: null };
  });
}

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
  cursor: string | undefined,
  tuning = DEFAULT_TUNING
): Promise<{ hits: SearchHit[]; nextCursor: string | null } | 'bad_cursor'> {
  let after: SQL = sql`true`;
  if (cursor !== undefined) {
    const values = decodeCursor(cursor, SEARCH_CURSOR);
    if (values === null) return 'bad_cursor';
    after = sql`(best.rank, best.thread_id) < (${values[0]}::float8, ${values[1]}::bigint)`;
  }
  if (q.words === '' && q.codes === '') return { hits: [], nextCursor: null };
  const { rows: found } = await candidates<{ post_id: string | number; thread_id: string | number; rank: number | string }>(
    db,
    q,
    filters,
    tuning,
    (rows) => sql`
    select best.post_id, best.thread_id, best.rank from (
      select distinct on (c.thread_id) c.post_id, c.thread_id, ${RANK} as rank
      from (${rows}) c, (select ${tsquery(q)} as q) q
      order by c.thread_id, rank desc, c.post_id
    ) best
    where ${after}
    order by best.rank desc, best.thread_id desc
    limit ${limit + 1}`
  );
  // In rank order whatever the statement's shape (a walk's page arrives through a join).
  found.sort((a, b) => Number(b.rank) - Number(a.rank) || Number(b.thread_id) - Number(a.thread_id));
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

export interface SearchCountRow {
  boardId: number;
  solved: boolean;
  threads: number;
}

/**
 * The matching threads per (board, solved) among the search's own candidates (the same filters,
 * the same path). `capped` when the candidates were a window that filled: the query matched
 * more posts than it ranks, so the counts are "at least".
 */
export async function searchCounts(
  db: Conn,
  q: SearchQuery,
  filters: SearchFilters,
  tuning = DEFAULT_TUNING
): Promise<{ rows: SearchCountRow[]; capped: boolean }> {
  if (q.words === '' && q.codes === '') return { rows: [], capped: false };
  const { rows, capped } = await candidates<{
    board_id: string | number;
    solved: boolean;
    threads: string | number;
    posts: string | number;
  }>(
    db,
    q,
    filters,
    tuning,
    (candidateRows) => sql`
    select c.board_id, c.solved, count(distinct c.thread_id) as threads, count(*) as posts
    from (${candidateRows}) c
    group by c.board_id, c.solved`
  );
  const posts = rows.reduce((n, r) => n + Number(r.posts), 0);
  return {
    rows: rows.map((r) => ({ boardId: Number(r.board_id), solved: r.solved, threads: Number(r.threads) })),
    capped: capped ?? posts >= SEARCH_CANDIDATES
  };
}

/** How many likely duplicates the composer shows. */
const SIMILAR = 5;

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
    limit ${SIMILAR * 2}`
  );
  if (rows.length === 0) return [];
  const ranked = await db
    .select({ thread: threads, boardSlug: boards.slug })
    .from(threads)
    .innerJoin(boards, sql`${boards.id} = ${threads.boardId}`)
    .where(
      inArray(
        threads.id,
        rows.map((r) => Number(r.id))
      )
    );
  // A thread closed as a duplicate stands for its original (once, where it ranked best).
  const byId = new Map(ranked.map((r) => [r.thread.id, r]));
  const originalIds = ranked.flatMap((r) =>
    r.thread.duplicateOfId !== null && !byId.has(r.thread.duplicateOfId) ? [r.thread.duplicateOfId] : []
  );
  if (originalIds.length > 0) {
    const originals = await db
      .select({ thread: threads, boardSlug: boards.slug })
      .from(threads)
      .innerJoin(boards, sql`${boards.id} = ${threads.boardId}`)
      .where(inArray(threads.id, originalIds));
    for (const o of originals) byId.set(o.thread.id, o);
  }
  const ids = [
    ...new Set(
      rows.flatMap((r) => {
        const t = byId.get(Number(r.id))?.thread;
        return t === undefined ? [] : [t.duplicateOfId ?? t.id];
      })
    )
  ]
    .filter((id) => byId.get(id)?.thread.deletedAt === null)
    .slice(0, SIMILAR);
  const found = ids.map((id) => byId.get(id)!);
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
