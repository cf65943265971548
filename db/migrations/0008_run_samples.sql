CREATE TABLE "run_samples" (
	"run_id" uuid NOT NULL,
	"iteration" integer NOT NULL,
	"position" integer NOT NULL,
	"prompt" jsonb NOT NULL,
	"response" text NOT NULL,
	"score" double precision NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_samples_run_id_iteration_position_pk" PRIMARY KEY("run_id","iteration","position")
);
--> statement-breakpoint
ALTER TABLE "run_samples" ADD CONSTRAINT "run_samples_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- PPO runs kept their samples in result.samples until now: move them here, numbered within each iteration in their stored order.
INSERT INTO "run_samples" ("run_id", "iteration", "position", "prompt", "response", "score", "at")
SELECT r."id", (s.value->>'iteration')::integer,
	(row_number() OVER (PARTITION BY r."id", s.value->>'iteration' ORDER BY s.n) - 1)::integer,
	s.value->'prompt', s.value->>'response', (s.value->>'score')::double precision, coalesce(r."finished_at", now())
FROM "runs" r CROSS JOIN LATERAL jsonb_array_elements(r."result"->'samples') WITH ORDINALITY AS s(value, n)
WHERE r."kind" = 'ppo' AND jsonb_typeof(r."result"->'samples') = 'array'
	AND jsonb_typeof(s.value->'iteration') = 'number' AND jsonb_typeof(s.value->'score') = 'number'
	AND s.value ? 'prompt' AND jsonb_typeof(s.value->'response') = 'string'
ON CONFLICT DO NOTHING;--> statement-breakpoint
-- The result keeps their number, as a ppo job's result now does.
UPDATE "runs" SET "result" = "result" || jsonb_build_object('samples', jsonb_array_length("result"->'samples'))
WHERE "kind" = 'ppo' AND jsonb_typeof("result") = 'object' AND jsonb_typeof("result"->'samples') = 'array';
