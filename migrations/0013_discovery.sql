ALTER TABLE "threads" ADD COLUMN "duplicate_of_id" bigint;--> statement-breakpoint
ALTER TABLE "manufacturers" ADD COLUMN "thread_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "manufacturers" ADD COLUMN "solved_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_duplicate_of_id_threads_id_fk" FOREIGN KEY ("duplicate_of_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "threads_model_unanswered_idx" ON "threads" USING btree ("model_id","created_at","id") WHERE "threads"."reply_count" = 0 and "threads"."deleted_at" is null and "threads"."kind" = 'question';--> statement-breakpoint
CREATE INDEX "threads_model_solved_idx" ON "threads" USING btree ("model_id","last_post_at","id") WHERE "threads"."solution_post_id" is not null and "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_manufacturer_idx" ON "threads" USING btree ("manufacturer_id","last_post_at","id") WHERE "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_manufacturer_unanswered_idx" ON "threads" USING btree ("manufacturer_id","created_at","id") WHERE "threads"."reply_count" = 0 and "threads"."deleted_at" is null and "threads"."kind" = 'question';--> statement-breakpoint
CREATE INDEX "threads_manufacturer_solved_idx" ON "threads" USING btree ("manufacturer_id","last_post_at","id") WHERE "threads"."solution_post_id" is not null and "threads"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "threads_duplicate_of_idx" ON "threads" USING btree ("duplicate_of_id") WHERE "threads"."duplicate_of_id" is not null;--> statement-breakpoint
CREATE INDEX "tags_count_idx" ON "tags" USING btree ("thread_count" DESC NULLS LAST,"name");--> statement-breakpoint
CREATE INDEX "post_search_thread_idx" ON "post_search" USING btree ("thread_id") WHERE "post_search"."visible" and "post_search"."thread_id" > 0;--> statement-breakpoint
CREATE INDEX "post_search_error_code_idx" ON "post_search" USING btree ("error_code") WHERE "post_search"."visible" and "post_search"."error_code" is not null;--> statement-breakpoint
-- Manufacturers count their threads as models do (live threads; the solved ones among them).
UPDATE "manufacturers" m SET "thread_count" = c.n, "solved_count" = c.s
FROM (
  SELECT "manufacturer_id", count(*)::int AS n, (count(*) FILTER (WHERE "solution_post_id" IS NOT NULL))::int AS s
  FROM "threads" WHERE "deleted_at" IS NULL AND "manufacturer_id" IS NOT NULL GROUP BY "manufacturer_id"
) c
WHERE c."manufacturer_id" = m."id";
