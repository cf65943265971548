ALTER TABLE "runs" ADD COLUMN "health_flags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- PPO runs kept their health flags in result.healthFlags until now: move them here.
UPDATE "runs" SET "health_flags" = "result"->'healthFlags', "result" = "result" - 'healthFlags'
WHERE "kind" = 'ppo' AND jsonb_typeof("result") = 'object' AND jsonb_typeof("result"->'healthFlags') = 'array';
