-- pairs.prompt_id, response_a_id and response_b_id are foreign keys with ON DELETE CASCADE, and
-- PostgreSQL does not index a referencing column by itself: each deleted prompt or response (a
-- campaign's delete cascades to all of its own) made it read the whole pairs table to find the
-- pairs naming it, once per column. Deleting a 2,000-pair campaign beside 220,000 other pairs
-- took 4 to 8 minutes; with these indexes it takes 0.2-0.4 s (`npm run bench:pairs-delete`,
-- figures in README "Benchmarks"; the indexes cost imports nothing measurable there). One index
-- per column: a lookup by response_b_id cannot use an index led by response_a_id. Building them
-- reads the table once and holds writes to pairs meanwhile: 0.6-0.7 s for all three on 222,000
-- pairs (`npm run bench:pairs-delete -- --without-fk-indexes` prints it).
CREATE INDEX "pairs_prompt" ON "pairs" USING btree ("prompt_id");--> statement-breakpoint
CREATE INDEX "pairs_response_a" ON "pairs" USING btree ("response_a_id");--> statement-breakpoint
CREATE INDEX "pairs_response_b" ON "pairs" USING btree ("response_b_id");