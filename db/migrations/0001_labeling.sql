CREATE TABLE "assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"pair_id" uuid NOT NULL,
	"labeler_id" uuid NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"shown_order" text NOT NULL,
	"leased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_members" (
	"campaign_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_members_campaign_id_user_id_pk" PRIMARY KEY("campaign_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "comparisons" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_submission_id" uuid NOT NULL,
	"assignment_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"pair_id" uuid NOT NULL,
	"labeler_id" uuid NOT NULL,
	"choice" text NOT NULL,
	"strength" integer,
	"rationale" text,
	"shown_order" text NOT NULL,
	"server_ms" integer NOT NULL,
	"active_ms" integer,
	"gold_correct" boolean,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "skips" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"pair_id" uuid NOT NULL,
	"labeler_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"text" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "pairs_campaign";--> statement-breakpoint
ALTER TABLE "pairs" ADD COLUMN "judgment_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_pair_id_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_labeler_id_users_id_fk" FOREIGN KEY ("labeler_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_pair_id_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comparisons" ADD CONSTRAINT "comparisons_labeler_id_users_id_fk" FOREIGN KEY ("labeler_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skips" ADD CONSTRAINT "skips_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skips" ADD CONSTRAINT "skips_pair_id_pairs_id_fk" FOREIGN KEY ("pair_id") REFERENCES "public"."pairs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "skips" ADD CONSTRAINT "skips_labeler_id_users_id_fk" FOREIGN KEY ("labeler_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_pair_labeler_key" ON "assignments" USING btree ("pair_id","labeler_id");--> statement-breakpoint
CREATE INDEX "assignments_labeler_campaign_status" ON "assignments" USING btree ("labeler_id","campaign_id","status");--> statement-breakpoint
CREATE INDEX "assignments_pair_live" ON "assignments" USING btree ("pair_id","status","expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "comparisons_client_submission_key" ON "comparisons" USING btree ("client_submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "comparisons_pair_labeler_key" ON "comparisons" USING btree ("pair_id","labeler_id");--> statement-breakpoint
CREATE INDEX "comparisons_campaign" ON "comparisons" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE INDEX "comparisons_labeler" ON "comparisons" USING btree ("labeler_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "skips_assignment_key" ON "skips" USING btree ("assignment_id");--> statement-breakpoint
CREATE INDEX "pairs_campaign_queue" ON "pairs" USING btree ("campaign_id","judgment_count");