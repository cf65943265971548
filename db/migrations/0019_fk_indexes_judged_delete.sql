-- The two foreign keys a campaign's delete still looked up without an index after 0018: every
-- deleted assignment made PostgreSQL find its judgment by comparisons.assignment_id, and every
-- deleted pair its skips by skips.pair_id, each a read of the whole table. A campaign that was
-- labeled (the usual one to delete) thus read every judgment once per assignment: a judged
-- 500-pair campaign beside 20,000 judged pairs took 0.49-0.62 s to delete without the index on
-- comparisons.assignment_id and 0.03-0.04 s with it (`npm run bench:pairs-delete -- --pairs 20000
-- --delete 500 --judged [--without-judgment-index]`), a time that grows with assignments x judgments.
-- db/fk-indexes.test.ts keeps every key a campaign's delete looks up indexed.
CREATE INDEX "comparisons_assignment" ON "comparisons" USING btree ("assignment_id");--> statement-breakpoint
CREATE INDEX "skips_pair" ON "skips" USING btree ("pair_id");