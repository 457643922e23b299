CREATE TABLE "manufacturer_aliases" (
	"slug" text PRIMARY KEY NOT NULL,
	"manufacturer_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "model_aliases" (
	"manufacturer_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"model_id" bigint NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_aliases_manufacturer_id_slug_pk" PRIMARY KEY("manufacturer_id","slug")
);
--> statement-breakpoint
ALTER TABLE "manufacturer_aliases" ADD CONSTRAINT "manufacturer_aliases_manufacturer_id_manufacturers_id_fk" FOREIGN KEY ("manufacturer_id") REFERENCES "public"."manufacturers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_aliases" ADD CONSTRAINT "model_aliases_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "manufacturer_aliases_target_idx" ON "manufacturer_aliases" USING btree ("manufacturer_id");--> statement-breakpoint
CREATE INDEX "model_aliases_target_idx" ON "model_aliases" USING btree ("model_id");