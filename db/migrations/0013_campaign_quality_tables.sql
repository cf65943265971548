CREATE TABLE "campaign_pair_counts" (
	"campaign_id" uuid NOT NULL,
	"shard" smallint NOT NULL,
	"judgment_count" integer NOT NULL,
	"pairs" integer NOT NULL,
	CONSTRAINT "campaign_pair_counts_campaign_id_judgment_count_shard_pk" PRIMARY KEY("campaign_id","judgment_count","shard")
);
--> statement-breakpoint
CREATE TABLE "campaign_quality_kinds" (
	"campaign_id" uuid NOT NULL,
	"shard" smallint NOT NULL,
	"outcomes" integer[] NOT NULL,
	"longer" text NOT NULL,
	"pairs" integer NOT NULL,
	"picked_left" integer NOT NULL,
	CONSTRAINT "campaign_quality_kinds_campaign_id_longer_outcomes_shard_pk" PRIMARY KEY("campaign_id","longer","outcomes","shard")
);
--> statement-breakpoint
CREATE TABLE "campaign_quality_labelers" (
	"campaign_id" uuid NOT NULL,
	"labeler_id" uuid NOT NULL,
	"judgments" integer DEFAULT 0 NOT NULL,
	"gold_answered" integer DEFAULT 0 NOT NULL,
	"gold_right" integer DEFAULT 0 NOT NULL,
	"agreement_checked" integer DEFAULT 0 NOT NULL,
	"agreement_agreed" integer DEFAULT 0 NOT NULL,
	"median_ms" double precision,
	"median_lower_ms" integer,
	"median_lower_id" uuid,
	CONSTRAINT "campaign_quality_labelers_campaign_id_labeler_id_pk" PRIMARY KEY("campaign_id","labeler_id")
);
--> statement-breakpoint
CREATE TABLE "campaign_quality_pairs" (
	"pair_id" uuid PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"outcomes" integer[] NOT NULL,
	"longer" text NOT NULL,
	"picked_left" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaign_pair_counts" ADD CONSTRAINT "campaign_pair_counts_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_quality_kinds" ADD CONSTRAINT "campaign_quality_kinds_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_quality_labelers" ADD CONSTRAINT "campaign_quality_labelers_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_quality_labelers" ADD CONSTRAINT "campaign_quality_labelers_labeler_id_users_id_fk" FOREIGN KEY ("labeler_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_quality_pairs" ADD CONSTRAINT "campaign_quality_pairs_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "comparisons_campaign_labeler_time" ON "comparisons" USING btree ("campaign_id","labeler_id","server_ms","id");