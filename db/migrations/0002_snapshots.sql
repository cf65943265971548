CREATE TABLE "dataset_snapshots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"filters" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"counts" jsonb NOT NULL,
	"labeler_reliability" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_rows" (
	"snapshot_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"pair_id" uuid NOT NULL,
	"prompt_id" uuid NOT NULL,
	"chosen_response_id" uuid NOT NULL,
	"rejected_response_id" uuid NOT NULL,
	"tie" boolean DEFAULT false NOT NULL,
	"strength" double precision,
	"weight" double precision DEFAULT 1 NOT NULL,
	"votes" integer DEFAULT 1 NOT NULL,
	"comparison_id" uuid,
	"labeler_id" uuid,
	CONSTRAINT "snapshot_rows_snapshot_id_ordinal_pk" PRIMARY KEY("snapshot_id","ordinal")
);
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "snapshot_id" uuid;--> statement-breakpoint
ALTER TABLE "dataset_snapshots" ADD CONSTRAINT "dataset_snapshots_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshot_rows" ADD CONSTRAINT "snapshot_rows_snapshot_id_dataset_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."dataset_snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dataset_snapshots_hash" ON "dataset_snapshots" USING btree ("content_hash");--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_snapshot_id_dataset_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."dataset_snapshots"("id") ON DELETE set null ON UPDATE no action;