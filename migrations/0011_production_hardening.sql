CREATE TABLE "login_devices" (
	"token_hash" "bytea" PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_suspensions" (
	"board_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"until" timestamp (3) with time zone NOT NULL,
	"reason" text NOT NULL,
	"created_by_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "board_suspensions_board_id_user_id_pk" PRIMARY KEY("board_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "mod_log" ADD COLUMN "board_id" bigint;--> statement-breakpoint
ALTER TABLE "login_devices" ADD CONSTRAINT "login_devices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_suspensions" ADD CONSTRAINT "board_suspensions_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_suspensions" ADD CONSTRAINT "board_suspensions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_suspensions" ADD CONSTRAINT "board_suspensions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_devices_user_idx" ON "login_devices" USING btree ("user_id","last_used_at");--> statement-breakpoint
CREATE INDEX "board_suspensions_user_idx" ON "board_suspensions" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "mod_log" ADD CONSTRAINT "mod_log_board_id_boards_id_fk" FOREIGN KEY ("board_id") REFERENCES "public"."boards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mod_log_board_idx" ON "mod_log" USING btree ("board_id","created_at","id");--> statement-breakpoint
-- Entries written before board_id existed: the board of their target, so board moderators keep seeing their boards' history.
UPDATE "mod_log" m SET "board_id" = t."board_id" FROM "threads" t WHERE m."target_type" = 'thread' AND t."id"::text = m."target_id";--> statement-breakpoint
UPDATE "mod_log" m SET "board_id" = t."board_id" FROM "posts" p JOIN "threads" t ON t."id" = p."thread_id" WHERE m."target_type" = 'post' AND p."id"::text = m."target_id";--> statement-breakpoint
UPDATE "mod_log" m SET "board_id" = t."board_id" FROM "reports" r JOIN "posts" p ON p."id" = r."post_id" JOIN "threads" t ON t."id" = p."thread_id" WHERE m."target_type" = 'report' AND r."id"::text = m."target_id";--> statement-breakpoint
UPDATE "mod_log" m SET "board_id" = b."id" FROM "boards" b WHERE m."target_type" = 'board' AND b."id"::text = m."target_id";
