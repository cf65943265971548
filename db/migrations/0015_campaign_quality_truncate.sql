-- A TRUNCATE fires no INSERT, UPDATE or DELETE trigger, so the campaign quality rows of 0014 would
-- keep counting judgments and pairs that are gone. After a TRUNCATE that empties comparisons they
-- are counted again from what is left. One trigger covers every such TRUNCATE: PostgreSQL truncates
-- a table only with every table whose foreign keys point at it, so a TRUNCATE of pairs (comparisons
-- point at it), or one that cascades from campaigns, prompts, responses or users, empties
-- comparisons too, and the trigger fires once every table the statement empties is empty.

-- Every campaign quality row, counted from scratch the way 0014 counted what was already stored.
CREATE FUNCTION campaign_quality_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  -- Writers of judgments and pairs wait until this transaction ends, and this one sees all that
  -- committed before it: nothing is counted twice or missed.
  LOCK TABLE pairs, comparisons IN SHARE MODE;
  DELETE FROM campaign_quality_pairs;
  DELETE FROM campaign_quality_kinds;
  DELETE FROM campaign_quality_labelers;
  DELETE FROM campaign_pair_counts;
  PERFORM campaign_pair_counts_apply('{}', ARRAY(SELECT p FROM pairs p WHERE p.campaign_id = k.id)) FROM campaigns k;
  PERFORM campaign_quality_apply('{}', ARRAY(SELECT c FROM comparisons c WHERE c.campaign_id = k.id)) FROM campaigns k;
END
$$;
--> statement-breakpoint
CREATE FUNCTION comparisons_truncated_keep_quality() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A pair's judgment_count counts its judgments, and none are left. (The pairs' own trigger moves
  -- the pair counts; the rebuild counts them again anyway.)
  LOCK TABLE pairs IN SHARE MODE;
  UPDATE pairs SET judgment_count = 0 WHERE judgment_count <> 0;
  PERFORM campaign_quality_rebuild();
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER comparisons_quality_truncate AFTER TRUNCATE ON comparisons FOR EACH STATEMENT EXECUTE FUNCTION comparisons_truncated_keep_quality();
