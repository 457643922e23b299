CREATE TABLE "post_search" (
	"post_id" bigint PRIMARY KEY NOT NULL,
	"thread_id" bigint NOT NULL,
	"search" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "post_search" ADD CONSTRAINT "post_search_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_search_idx" ON "post_search" USING gin ("search");--> statement-breakpoint
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
-- The opening post's head: title, equipment and tags of its thread.
CREATE FUNCTION forum_post_head(p_thread_id bigint, p_seq integer) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT concat_ws(' ', t.title, t.equipment_manufacturer, t.equipment_model, t.equipment_category, t.equipment_error_code,
                   array_to_string(t.tags, ' '))
    FROM threads t WHERE t.id = p_thread_id AND p_seq = 0
$$;--> statement-breakpoint
CREATE FUNCTION posts_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO post_search (post_id, thread_id, search)
    VALUES (NEW.id, NEW.thread_id, forum_search_vector(coalesce(forum_post_head(NEW.thread_id, NEW.seq), ''), NEW.body_markdown))
    ON CONFLICT (post_id) DO UPDATE SET search = EXCLUDED.search, thread_id = EXCLUDED.thread_id;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER posts_search AFTER INSERT OR UPDATE OF body_markdown ON posts FOR EACH ROW EXECUTE FUNCTION posts_search_refresh();--> statement-breakpoint
INSERT INTO post_search (post_id, thread_id, search)
  SELECT p.id, p.thread_id, forum_search_vector(coalesce(forum_post_head(p.thread_id, p.seq), ''), p.body_markdown) FROM posts p
  ON CONFLICT (post_id) DO NOTHING;
