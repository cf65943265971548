-- Campaign quality kept by the database (db/schema.ts, "Campaign quality, kept by the database";
-- read by lib/labeling/quality.ts). Each statement that writes comparisons or pairs updates
-- the figures of the rows it changed, in its own transaction, once per statement (transition
-- tables), so a campaign page reads a few hundred rows instead of counting every judgment.
--
-- Writers of one pair, and of one labeler's figures, take turns: each locks the pairs it
-- changed, then the labelers of those pairs, and only then reads their judgments. Under READ
-- COMMITTED each statement of a function reads a new snapshot, so it sees every earlier writer's
-- judgments, which the kept figures already count, and its own. Rows are locked in one order
-- (pairs, labelers, kinds; each sorted; then the pair counts, which the writer's update of
-- pairs moves last), so two writers cannot deadlock.

-- A statement's changes to comparisons: `removed` as they were, `added` as they are (an update is both).
CREATE FUNCTION campaign_quality_apply(removed comparisons[], added comparisons[]) RETURNS void
LANGUAGE plpgsql
-- One plan per statement, kept for the session: planned anew for every judgment (the default
-- for the first five calls, and after), the statements took about twice as long.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  l record;
  v_n integer;
  v_rank integer;
  v_below integer;
  v_lower_ms integer;
  v_lower_id uuid;
  v_upper_ms integer;
  v_pairs uuid[];
  v_kinds campaign_quality_kinds[];
BEGIN
  v_pairs := ARRAY(SELECT pair_id FROM unnest(removed) UNION SELECT pair_id FROM unnest(added) ORDER BY 1);
  IF cardinality(v_pairs) = 0 THEN
    RETURN;
  END IF;

  PERFORM 1 FROM pairs WHERE id = ANY(v_pairs) ORDER BY id FOR NO KEY UPDATE;

  -- Every labeler of those pairs (their agreement may change) gets a row, locked. A campaign or
  -- user deleted by this transaction (its judgments going by cascade) gets none.
  INSERT INTO campaign_quality_labelers AS q (campaign_id, labeler_id)
  SELECT j.campaign_id, j.labeler_id
  FROM (
    SELECT c.campaign_id, c.labeler_id FROM comparisons c WHERE c.pair_id = ANY(v_pairs)
    UNION
    SELECT r.campaign_id, r.labeler_id FROM unnest(removed) r) j
  WHERE EXISTS (SELECT 1 FROM campaigns k WHERE k.id = j.campaign_id) AND EXISTS (SELECT 1 FROM users u WHERE u.id = j.labeler_id)
  ORDER BY 1, 2
  ON CONFLICT (campaign_id, labeler_id) DO UPDATE SET judgments = q.judgments;

  -- Each changed pair: its kind before and after, and each of its judgments against the majority
  -- of the others before and after; the differences go into the campaign's kinds and labelers.
  WITH now_j AS (
    SELECT c.id, c.pair_id, c.campaign_id, c.labeler_id, c.choice, c.strength, c.shown_order
    FROM comparisons c
    WHERE c.pair_id = ANY(v_pairs) AND c.gold_correct IS NULL
  ), before_j AS (
    SELECT * FROM now_j j WHERE NOT EXISTS (SELECT 1 FROM unnest(added) a WHERE a.id = j.id)
    UNION ALL
    SELECT r.id, r.pair_id, r.campaign_id, r.labeler_id, r.choice, r.strength, r.shown_order
    FROM unnest(removed) r WHERE r.gold_correct IS NULL
  ), others AS (
    -- The choices of the other judgments of the pair.
    SELECT sign, campaign_id, labeler_id, choice,
           (count(*) FILTER (WHERE choice = 'a') OVER pair)::integer - (choice = 'a')::integer AS a,
           (count(*) FILTER (WHERE choice = 'b') OVER pair)::integer - (choice = 'b')::integer AS b,
           (count(*) FILTER (WHERE choice = 'tie') OVER pair)::integer - (choice = 'tie')::integer AS tie,
           (count(*) FILTER (WHERE choice = 'both_bad') OVER pair)::integer - (choice = 'both_bad')::integer AS both_bad
    FROM (SELECT 1 AS sign, * FROM now_j UNION ALL SELECT -1 AS sign, * FROM before_j) j
    WINDOW pair AS (PARTITION BY sign, pair_id)
  ), checked AS (
    -- lib/stats/agreement.ts majority(): at least two others, one choice more common than the rest.
    SELECT sign, campaign_id, labeler_id,
           CASE choice WHEN 'a' THEN a WHEN 'b' THEN b WHEN 'tie' THEN tie ELSE both_bad END = m AS agreed
    FROM (SELECT *, greatest(a, b, tie, both_bad) AS m FROM others) o
    WHERE a + b + tie + both_bad >= 2 AND (a = m)::integer + (b = m)::integer + (tie = m)::integer + (both_bad = m)::integer = 1
  ), agreement AS (
    UPDATE campaign_quality_labelers q
    SET agreement_checked = q.agreement_checked + d.checked, agreement_agreed = q.agreement_agreed + d.agreed
    FROM (
      SELECT campaign_id, labeler_id, sum(sign)::integer AS checked, coalesce(sum(sign) FILTER (WHERE agreed), 0)::integer AS agreed
      FROM checked GROUP BY campaign_id, labeler_id) d
    WHERE q.campaign_id = d.campaign_id AND q.labeler_id = d.labeler_id AND (d.checked <> 0 OR d.agreed <> 0)
  ), new_pairs AS (
    SELECT j.pair_id, p.campaign_id,
           ARRAY[
             count(*) FILTER (WHERE j.choice = 'a' AND coalesce(j.strength, 1) = 1),
             count(*) FILTER (WHERE j.choice = 'a' AND coalesce(j.strength, 1) = 2),
             count(*) FILTER (WHERE j.choice = 'a' AND coalesce(j.strength, 1) = 3),
             count(*) FILTER (WHERE j.choice = 'a' AND coalesce(j.strength, 1) = 4),
             count(*) FILTER (WHERE j.choice = 'b' AND coalesce(j.strength, 1) = 1),
             count(*) FILTER (WHERE j.choice = 'b' AND coalesce(j.strength, 1) = 2),
             count(*) FILTER (WHERE j.choice = 'b' AND coalesce(j.strength, 1) = 3),
             count(*) FILTER (WHERE j.choice = 'b' AND coalesce(j.strength, 1) = 4),
             count(*) FILTER (WHERE j.choice = 'tie'),
             count(*) FILTER (WHERE j.choice = 'both_bad')
           ]::integer[] AS outcomes,
           CASE WHEN ra.text_length > rb.text_length THEN 'a' WHEN rb.text_length > ra.text_length THEN 'b' ELSE 'same' END AS longer,
           (count(*) FILTER (WHERE j.choice IN ('a', 'b') AND (j.choice = 'a') = (j.shown_order = 'ab')))::integer AS picked_left
    FROM now_j j
    JOIN pairs p ON p.id = j.pair_id
    JOIN responses ra ON ra.id = p.response_a_id
    JOIN responses rb ON rb.id = p.response_b_id
    WHERE EXISTS (SELECT 1 FROM campaigns k WHERE k.id = p.campaign_id)
    GROUP BY j.pair_id, p.campaign_id, ra.text_length, rb.text_length
  ), old_pairs AS (
    SELECT * FROM campaign_quality_pairs WHERE pair_id = ANY(v_pairs)
  ), gone AS (
    DELETE FROM campaign_quality_pairs WHERE pair_id IN (SELECT pair_id FROM old_pairs EXCEPT SELECT pair_id FROM new_pairs)
  ), kept AS (
    INSERT INTO campaign_quality_pairs (pair_id, campaign_id, outcomes, longer, picked_left)
    SELECT pair_id, campaign_id, outcomes, longer, picked_left FROM new_pairs
    ON CONFLICT (pair_id) DO UPDATE SET outcomes = excluded.outcomes, longer = excluded.longer, picked_left = excluded.picked_left
  )
  -- The kinds' changes, written last (below): every judgment of a campaign may move the same
  -- few kinds, so their rows are held for as short a time as the transaction allows.
  SELECT coalesce(array_agg(ROW(d.campaign_id, d.shard, d.outcomes, d.longer, d.pairs, d.picked_left)::campaign_quality_kinds), '{}') INTO v_kinds
  FROM (
    SELECT campaign_id, (get_byte(uuid_send(pair_id), 15) & 15)::smallint AS shard, outcomes, longer, sum(n)::integer AS pairs, sum(picked_left)::integer AS picked_left
    FROM (
      SELECT pair_id, campaign_id, outcomes, longer, 1 AS n, picked_left FROM new_pairs
      UNION ALL
      SELECT pair_id, campaign_id, outcomes, longer, -1 AS n, -picked_left FROM old_pairs) c
    WHERE EXISTS (SELECT 1 FROM campaigns k WHERE k.id = c.campaign_id)
    GROUP BY 1, 2, 3, 4
    HAVING sum(n) <> 0 OR sum(picked_left) <> 0) d;

  -- Counts, gold answers and the median of each labeler whose judgments changed. The median is
  -- found by stepping from the last lower median through comparisons_campaign_labeler_time: as
  -- many steps as this statement changed judgments, not as many as the labeler has.
  FOR l IN
    SELECT q.campaign_id, q.labeler_id, q.judgments, q.median_lower_ms, q.median_lower_id,
           sum(ch.sign)::integer AS added,
           (count(*) FILTER (WHERE ch.sign = 1 AND (ch.server_ms, ch.id) < (q.median_lower_ms, q.median_lower_id))
             - count(*) FILTER (WHERE ch.sign = -1 AND (ch.server_ms, ch.id) < (q.median_lower_ms, q.median_lower_id)))::integer AS added_below,
           sum(ch.sign * (ch.gold_correct IS NOT NULL)::integer)::integer AS gold_answered,
           sum(ch.sign * (ch.gold_correct IS TRUE)::integer)::integer AS gold_right
    FROM (
      SELECT 1 AS sign, a.id, a.campaign_id, a.labeler_id, a.server_ms, a.gold_correct FROM unnest(added) a
      UNION ALL
      SELECT -1 AS sign, r.id, r.campaign_id, r.labeler_id, r.server_ms, r.gold_correct FROM unnest(removed) r) ch
    JOIN campaign_quality_labelers q ON q.campaign_id = ch.campaign_id AND q.labeler_id = ch.labeler_id
    GROUP BY q.campaign_id, q.labeler_id
    ORDER BY q.campaign_id, q.labeler_id
  LOOP
    v_n := l.judgments + l.added;
    v_lower_ms := NULL;
    v_lower_id := NULL;
    v_upper_ms := NULL;
    IF v_n > 0 THEN
      v_rank := (v_n - 1) / 2;
      -- How many of the labeler's judgments now come before the last lower median.
      v_below := CASE WHEN l.judgments > 0 THEN (l.judgments - 1) / 2 ELSE 0 END + l.added_below;
      IF l.median_lower_ms IS NULL THEN
        SELECT c.server_ms, c.id INTO v_lower_ms, v_lower_id FROM comparisons c
        WHERE c.campaign_id = l.campaign_id AND c.labeler_id = l.labeler_id
        ORDER BY c.server_ms, c.id OFFSET v_rank LIMIT 1;
      ELSIF v_rank >= v_below THEN
        SELECT c.server_ms, c.id INTO v_lower_ms, v_lower_id FROM comparisons c
        WHERE c.campaign_id = l.campaign_id AND c.labeler_id = l.labeler_id AND (c.server_ms, c.id) >= (l.median_lower_ms, l.median_lower_id)
        ORDER BY c.server_ms, c.id OFFSET v_rank - v_below LIMIT 1;
      ELSE
        SELECT c.server_ms, c.id INTO v_lower_ms, v_lower_id FROM comparisons c
        WHERE c.campaign_id = l.campaign_id AND c.labeler_id = l.labeler_id AND (c.server_ms, c.id) < (l.median_lower_ms, l.median_lower_id)
        ORDER BY c.server_ms DESC, c.id DESC OFFSET v_below - 1 - v_rank LIMIT 1;
      END IF;
      IF v_n % 2 = 0 THEN
        SELECT c.server_ms INTO v_upper_ms FROM comparisons c
        WHERE c.campaign_id = l.campaign_id AND c.labeler_id = l.labeler_id AND (c.server_ms, c.id) > (v_lower_ms, v_lower_id)
        ORDER BY c.server_ms, c.id LIMIT 1;
      END IF;
    END IF;
    UPDATE campaign_quality_labelers
    SET judgments = v_n,
        gold_answered = gold_answered + l.gold_answered,
        gold_right = gold_right + l.gold_right,
        median_lower_ms = v_lower_ms,
        median_lower_id = v_lower_id,
        -- percentile_cont(0.5): the middle one, or halfway between the two middle ones.
        median_ms = CASE WHEN v_n % 2 = 1 THEN v_lower_ms ELSE (v_lower_ms::double precision + v_upper_ms) / 2 END
    WHERE campaign_id = l.campaign_id AND labeler_id = l.labeler_id;
  END LOOP;

  INSERT INTO campaign_quality_kinds AS k (campaign_id, shard, outcomes, longer, pairs, picked_left)
  SELECT campaign_id, shard, outcomes, longer, pairs, picked_left FROM unnest(v_kinds)
  ORDER BY campaign_id, longer, outcomes, shard
  ON CONFLICT (campaign_id, longer, outcomes, shard) DO UPDATE SET pairs = k.pairs + excluded.pairs, picked_left = k.picked_left + excluded.picked_left;
END
$$;

--> statement-breakpoint
CREATE FUNCTION comparisons_keep_quality() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM campaign_quality_apply('{}', ARRAY(SELECT n::comparisons FROM new_rows n));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM campaign_quality_apply(ARRAY(SELECT o::comparisons FROM old_rows o), ARRAY(SELECT n::comparisons FROM new_rows n));
  ELSE
    PERFORM campaign_quality_apply(ARRAY(SELECT o::comparisons FROM old_rows o), '{}');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A campaign's non-gold pairs by judgment_count, in the pair's shard. Submits and undos move one pair.
CREATE FUNCTION campaign_pair_counts_apply(removed pairs[], added pairs[]) RETURNS void
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  INSERT INTO campaign_pair_counts AS k (campaign_id, shard, judgment_count, pairs)
  SELECT campaign_id, (get_byte(uuid_send(id), 15) & 15)::smallint AS shard, judgment_count, sum(n)
  FROM (
    SELECT id, campaign_id, judgment_count, 1 AS n FROM unnest(added) WHERE gold_choice IS NULL
    UNION ALL
    SELECT id, campaign_id, judgment_count, -1 AS n FROM unnest(removed) WHERE gold_choice IS NULL) d
  WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = d.campaign_id)
  GROUP BY 1, 2, 3
  HAVING sum(n) <> 0
  ORDER BY 1, 3, 2
  ON CONFLICT (campaign_id, judgment_count, shard) DO UPDATE SET pairs = k.pairs + excluded.pairs;
END
$$;
--> statement-breakpoint
CREATE FUNCTION pairs_keep_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM campaign_pair_counts_apply('{}', ARRAY(SELECT n::pairs FROM new_rows n));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM campaign_pair_counts_apply(ARRAY(SELECT o::pairs FROM old_rows o), ARRAY(SELECT n::pairs FROM new_rows n));
  ELSE
    PERFORM campaign_pair_counts_apply(ARRAY(SELECT o::pairs FROM old_rows o), '{}');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- The triggers first: they lock both tables against writes until this migration commits, so the
-- counts below include every judgment and pair written before, and the triggers every one after.
CREATE TRIGGER comparisons_quality_insert AFTER INSERT ON comparisons REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION comparisons_keep_quality();
--> statement-breakpoint
CREATE TRIGGER comparisons_quality_update AFTER UPDATE ON comparisons REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION comparisons_keep_quality();
--> statement-breakpoint
CREATE TRIGGER comparisons_quality_delete AFTER DELETE ON comparisons REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION comparisons_keep_quality();
--> statement-breakpoint
CREATE TRIGGER pairs_counts_insert AFTER INSERT ON pairs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pairs_keep_counts();
--> statement-breakpoint
CREATE TRIGGER pairs_counts_update AFTER UPDATE ON pairs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pairs_keep_counts();
--> statement-breakpoint
CREATE TRIGGER pairs_counts_delete AFTER DELETE ON pairs REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pairs_keep_counts();
--> statement-breakpoint
-- What is already there, counted as if written now: one campaign at a time.
SELECT campaign_pair_counts_apply('{}', ARRAY(SELECT p FROM pairs p WHERE p.campaign_id = k.id)) FROM campaigns k;
--> statement-breakpoint
SELECT campaign_quality_apply('{}', ARRAY(SELECT c FROM comparisons c WHERE c.campaign_id = k.id)) FROM campaigns k;
