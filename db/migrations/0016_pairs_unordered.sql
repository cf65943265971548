-- A pair is its two responses, unordered. The labeling UI shows a pair's responses in a random
-- order per assignment (shown_order), so (P, X as A, Y as B) and (P, Y as A, X as B) are one
-- comparison; yet the unique index was on the ordered (campaign, A, B), so an import or a
-- generate-pairs run could add the swap as a second pair, and the same comparison was labeled,
-- and counted in the reward data, twice. The new unique index is on the unordered pair
-- (least, greatest), and the inserts name it in ON CONFLICT.
--
-- A database written before this may already hold such swapped copies, with judgments on both.
-- Those judgments were acknowledged to labelers and may sit in hashed, immutable snapshots, so
-- no judged copy is deleted or merged: of each pair and its swap, the later one (created_at, then
-- id) gets swap_of = the earlier one's id, and the index leaves rows with a swap_of out. The
-- ordered index allowed at most one swap per pair, so the earlier rows are unique and the index
-- builds. Later imports of either order conflict with the earlier row and are skipped. A copy that
-- was never leased to anyone (no assignment row: no judgment, skip or lease) and has no gold answer
-- other than the earlier pair's (read in its A/B order) holds nothing the earlier pair does not, and
-- would only cost a labeler's time, so it is deleted (the pairs triggers keep campaign_pair_counts
-- right). One whose gold answer the earlier pair lacks or contradicts (a gold file imported after a
-- plain one) is kept and flagged like a leased copy: deleting it would drop the researcher's answer
-- without a word. A flagged copy keeps its judgments (snapshots and exports read them as before)
-- but leaves the labeling queue and the campaign's completion counts: the earlier pair asks the
-- same comparison, and labeling both had one labeler judge it twice. campaign_pair_counts_apply
-- (0014) is replaced first to leave rows with a swap_of out, so the UPDATE's trigger moves each
-- flagged copy out of the counts. A flagged copy with a gold answer is still served as a gold
-- check (gold pairs were never counted). `where swap_of is not null` finds them.
-- Should the earlier row be deleted, its copy's swap_of turns null (ON DELETE SET NULL) and the
-- copy, now the only one, is covered by the index again. The foreign key is added after the DELETE:
-- with it in place (and no index on swap_of before 0017), each deleted copy made Postgres scan every
-- pair for rows naming it, while the table is locked.
DROP INDEX "pairs_campaign_responses_key";--> statement-breakpoint
ALTER TABLE "pairs" ADD COLUMN "swap_of" uuid;--> statement-breakpoint
-- As in 0014, but for pairs with a swap_of: a campaign's non-gold pairs by judgment_count, in the pair's shard.
CREATE OR REPLACE FUNCTION campaign_pair_counts_apply(removed pairs[], added pairs[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  INSERT INTO campaign_pair_counts AS k (campaign_id, shard, judgment_count, pairs)
  SELECT campaign_id, (get_byte(uuid_send(id), 15) & 15)::smallint AS shard, judgment_count, sum(n)
  FROM (
    SELECT id, campaign_id, judgment_count, 1 AS n FROM unnest(added) WHERE gold_choice IS NULL AND swap_of IS NULL
    UNION ALL
    SELECT id, campaign_id, judgment_count, -1 AS n FROM unnest(removed) WHERE gold_choice IS NULL AND swap_of IS NULL) d
  WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = d.campaign_id)
  GROUP BY 1, 2, 3
  HAVING sum(n) <> 0
  ORDER BY 1, 3, 2
  ON CONFLICT (campaign_id, judgment_count, shard) DO UPDATE SET pairs = k.pairs + excluded.pairs;
END
$$;
--> statement-breakpoint
UPDATE "pairs" AS copy SET "swap_of" = kept."id"
FROM "pairs" AS kept
WHERE kept."campaign_id" = copy."campaign_id"
  AND kept."response_a_id" = copy."response_b_id"
  AND kept."response_b_id" = copy."response_a_id"
  AND (kept."created_at", kept."id") < (copy."created_at", copy."id");--> statement-breakpoint
DELETE FROM "pairs" AS copy
USING "pairs" AS kept
WHERE kept."id" = copy."swap_of"
  AND NOT EXISTS (SELECT 1 FROM "assignments" AS a WHERE a."pair_id" = copy."id")
  AND (copy."gold_choice" IS NULL
    OR kept."gold_choice" IS NOT DISTINCT FROM (CASE copy."gold_choice" WHEN 'a' THEN 'b' WHEN 'b' THEN 'a' ELSE copy."gold_choice" END));--> statement-breakpoint
ALTER TABLE "pairs" ADD CONSTRAINT "pairs_swap_of_pairs_id_fk" FOREIGN KEY ("swap_of") REFERENCES "public"."pairs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "pairs_campaign_pair_key" ON "pairs" USING btree ("campaign_id",least("response_a_id", "response_b_id"),greatest("response_a_id", "response_b_id")) WHERE "pairs"."swap_of" is null;
