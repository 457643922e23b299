CREATE TABLE "thread_reads" (
	"user_id" bigint NOT NULL,
	"thread_id" bigint NOT NULL,
	"last_read_seq" integer NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "thread_reads_user_id_thread_id_pk" PRIMARY KEY("user_id","thread_id")
);
--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "seq" integer;--> statement-breakpoint
-- Existing posts: the sequence number is the last 7-digit segment of the tree path.
UPDATE "posts" SET "seq" = right("path", 7)::integer;--> statement-breakpoint
ALTER TABLE "posts" ALTER COLUMN "seq" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "posts_thread_seq_idx" ON "posts" USING btree ("thread_id","seq");