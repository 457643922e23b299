CREATE TABLE "post_search" (
	"post_id" bigint PRIMARY KEY NOT NULL,
	"thread_id" bigint NOT NULL,
	"board_id" bigint NOT NULL,
	"is_op" boolean NOT NULL,
	"visible" boolean NOT NULL,
	"solved" boolean NOT NULL,
	"is_answer" boolean NOT NULL,
	"manufacturer_id" bigint,
	"model_id" bigint,
	"error_code" text,
	"tags" text[] NOT NULL,
	"score" integer NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"quality" double precision NOT NULL,
	"search" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "post_search" ADD CONSTRAINT "post_search_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_search_idx" ON "post_search" USING gin ("search") WHERE "post_search"."visible";--> statement-breakpoint
CREATE INDEX "post_search_quality_idx" ON "post_search" USING btree ("quality" DESC NULLS LAST,"post_id" DESC NULLS LAST) WHERE "post_search"."visible";--> statement-breakpoint
CREATE INDEX "threads_site_latest_idx" ON "threads" USING btree ("last_post_at","id") WHERE "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_site_unanswered_idx" ON "threads" USING btree ("created_at","id") WHERE "threads"."reply_count" = 0 and "threads"."deleted_at" is null and "threads"."kind" = 'question';
--> statement-breakpoint
-- Codes as people type them: every run of letters and digits joined by - . / _ that holds a
-- digit (E-203, 255-10-820, M3015A, 8015), folded to lower-case letters and digits (e203,
-- 25510820, m3015a), plus a short prefix written apart from its number (MX 450 -> mx450), so
-- each spelling of one code is one lexeme that stemming never touches and E-203 never matches
-- E-2031. The search query folds its codes the same way (apps/api/src/lib/search-query.ts).
CREATE FUNCTION forum_codes(doc text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(DISTINCT c, ' '), '') FROM (
    SELECT lower(regexp_replace(m[1], '[^A-Za-z0-9]', '', 'g')) AS c
      FROM regexp_matches(doc, '([A-Za-z0-9]+(?:[-./_][A-Za-z0-9]+)*)', 'g') AS m
    UNION ALL
    SELECT lower(m[1] || m[2])
      FROM regexp_matches(doc, '(?:^|[^A-Za-z0-9])([A-Za-z]{1,4})[ -]?([0-9][A-Za-z0-9]*)', 'g') AS m
  ) s WHERE c ~ '[0-9]' AND length(c) <= 40
$$;--> statement-breakpoint
CREATE FUNCTION forum_search_vector(head text, body text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english', head), 'A') || setweight(to_tsvector('simple', forum_codes(head)), 'A')
      || setweight(to_tsvector('english', body), 'B') || setweight(to_tsvector('simple', forum_codes(body)), 'B')
$$;--> statement-breakpoint
-- The candidates' order for searches that match a large share of all posts (see post_search.quality).
CREATE FUNCTION forum_search_quality(solved boolean, is_answer boolean, is_op boolean, created timestamptz) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN solved THEN 2 ELSE 0 END) + (CASE WHEN is_answer THEN 1 ELSE 0 END) + (CASE WHEN is_op THEN 0.5 ELSE 0 END)
       + extract(epoch FROM created)::double precision / 1e10
$$;--> statement-breakpoint
-- Each post's search row as it should be now: the one definition the triggers and the backfill share.
CREATE VIEW post_search_source AS
SELECT p.id AS post_id, p.thread_id, t.board_id, p.seq = 0 AS is_op,
       (p.deleted_at IS NULL AND t.deleted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM phi_reviews r WHERE r.post_id = p.id AND r.resolved_at IS NULL)) AS visible,
       t.solution_post_id IS NOT NULL AS solved,
       coalesce(t.solution_post_id = p.id, false) AS is_answer,
       t.manufacturer_id, t.model_id,
       nullif(lower(regexp_replace(coalesce(t.equipment_error_code, ''), '[^A-Za-z0-9]', '', 'g')), '') AS error_code,
       t.tags, p.score, p.created_at,
       forum_search_quality(t.solution_post_id IS NOT NULL, coalesce(t.solution_post_id = p.id, false), p.seq = 0, p.created_at) AS quality,
       forum_search_vector(
         CASE WHEN p.seq = 0 THEN concat_ws(' ', t.title, t.equipment_manufacturer, t.equipment_model, t.equipment_category,
                                            t.equipment_error_code, array_to_string(t.tags, ' '))
              ELSE '' END,
         p.body_markdown) AS search
  FROM posts p JOIN threads t ON t.id = p.thread_id;--> statement-breakpoint
CREATE FUNCTION forum_search_write(p_post_id bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO post_search (post_id, thread_id, board_id, is_op, visible, solved, is_answer, manufacturer_id, model_id, error_code, tags, score, created_at, quality, search)
  SELECT post_id, thread_id, board_id, is_op, visible, solved, is_answer, manufacturer_id, model_id, error_code, tags, score, created_at, quality, search FROM post_search_source WHERE post_id = p_post_id
  ON CONFLICT (post_id) DO UPDATE SET thread_id = EXCLUDED.thread_id, board_id = EXCLUDED.board_id, is_op = EXCLUDED.is_op, visible = EXCLUDED.visible, solved = EXCLUDED.solved, is_answer = EXCLUDED.is_answer, manufacturer_id = EXCLUDED.manufacturer_id, model_id = EXCLUDED.model_id, error_code = EXCLUDED.error_code, tags = EXCLUDED.tags, score = EXCLUDED.score, created_at = EXCLUDED.created_at, quality = EXCLUDED.quality, search = EXCLUDED.search
$$;--> statement-breakpoint
-- Everything but the vector, for one post or one thread's posts: moves, accepts, deletes,
-- restores, votes, reviews. Unreferenced view columns (the vector) are never computed.
CREATE FUNCTION forum_search_restate_post(p_post_id bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE post_search ps SET board_id = s.board_id, visible = s.visible, solved = s.solved, is_answer = s.is_answer, manufacturer_id = s.manufacturer_id, model_id = s.model_id, error_code = s.error_code, tags = s.tags, score = s.score, quality = s.quality
    FROM post_search_source s
   WHERE ps.post_id = p_post_id AND s.post_id = p_post_id
$$;--> statement-breakpoint
CREATE FUNCTION forum_search_restate_thread(p_thread_id bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE post_search ps SET board_id = s.board_id, visible = s.visible, solved = s.solved, is_answer = s.is_answer, manufacturer_id = s.manufacturer_id, model_id = s.model_id, error_code = s.error_code, tags = s.tags, score = s.score, quality = s.quality
    FROM post_search_source s
   WHERE s.thread_id = p_thread_id AND ps.post_id = s.post_id
$$;--> statement-breakpoint
CREATE FUNCTION posts_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.body_markdown IS NOT DISTINCT FROM OLD.body_markdown THEN
    PERFORM forum_search_restate_post(NEW.id);
  ELSE
    PERFORM forum_search_write(NEW.id);
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER posts_search AFTER INSERT OR UPDATE OF body_markdown, deleted_at, score ON posts
  FOR EACH ROW EXECUTE FUNCTION posts_search_refresh();--> statement-breakpoint
CREATE FUNCTION threads_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.title IS DISTINCT FROM OLD.title OR NEW.tags IS DISTINCT FROM OLD.tags
     OR NEW.equipment_manufacturer IS DISTINCT FROM OLD.equipment_manufacturer OR NEW.equipment_model IS DISTINCT FROM OLD.equipment_model
     OR NEW.equipment_category IS DISTINCT FROM OLD.equipment_category OR NEW.equipment_error_code IS DISTINCT FROM OLD.equipment_error_code THEN
    PERFORM forum_search_write(p.id) FROM posts p WHERE p.thread_id = NEW.id AND p.seq = 0;
  END IF;
  PERFORM forum_search_restate_thread(NEW.id);
  RETURN NULL;
END
$$;--> statement-breakpoint
-- Only the columns a search reads: a reply's counter updates never fire it.
CREATE TRIGGER threads_search AFTER UPDATE OF board_id, solution_post_id, deleted_at, title, tags, equipment_manufacturer,
  equipment_model, equipment_category, equipment_error_code, manufacturer_id, model_id ON threads
  FOR EACH ROW
  WHEN (OLD.board_id IS DISTINCT FROM NEW.board_id OR OLD.solution_post_id IS DISTINCT FROM NEW.solution_post_id
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.title IS DISTINCT FROM NEW.title OR OLD.tags IS DISTINCT FROM NEW.tags
        OR OLD.equipment_manufacturer IS DISTINCT FROM NEW.equipment_manufacturer OR OLD.equipment_model IS DISTINCT FROM NEW.equipment_model
        OR OLD.equipment_category IS DISTINCT FROM NEW.equipment_category OR OLD.equipment_error_code IS DISTINCT FROM NEW.equipment_error_code
        OR OLD.manufacturer_id IS DISTINCT FROM NEW.manufacturer_id OR OLD.model_id IS DISTINCT FROM NEW.model_id)
  EXECUTE FUNCTION threads_search_refresh();--> statement-breakpoint
-- A post waiting for its patient-data review is not findable until a moderator resolves it.
CREATE FUNCTION phi_reviews_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM forum_search_restate_post(NEW.post_id);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER phi_reviews_search AFTER INSERT OR UPDATE OF resolved_at ON phi_reviews
  FOR EACH ROW EXECUTE FUNCTION phi_reviews_search_refresh();--> statement-breakpoint
INSERT INTO post_search (post_id, thread_id, board_id, is_op, visible, solved, is_answer, manufacturer_id, model_id, error_code, tags, score, created_at, quality, search)
  SELECT post_id, thread_id, board_id, is_op, visible, solved, is_answer, manufacturer_id, model_id, error_code, tags, score, created_at, quality, search FROM post_search_source
  ON CONFLICT (post_id) DO NOTHING;
