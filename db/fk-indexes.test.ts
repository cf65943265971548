/**
 * A campaign's delete cascades through prompts, responses, pairs, assignments and judgments, and for every row it
 * deletes PostgreSQL looks up the rows that reference it, by each foreign key into its table. A key without an index
 * led by its column turns each lookup into a read of the whole table: deleting a campaign then costs its rows times
 * the table's rows (bench/pairs-delete). The keys into `campaigns` itself are looked up once per deleted campaign.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "./client";

describe("foreign keys a campaign's delete looks up (real Postgres)", () => {
  it("each has an index led by its column", async () => {
    const unindexed = await db.execute<{ fk: string }>(sql`
      with recursive fk as (
        select c.conrelid as child, c.confrelid as parent, c.confdeltype, c.conkey from pg_constraint c where c.contype = 'f'
      ), deleted(tbl) as (
        select child from fk where parent = 'campaigns'::regclass and confdeltype = 'c'
        union
        select fk.child from fk join deleted d on fk.parent = d.tbl where fk.confdeltype = 'c'
      )
      select fk.child::regclass::text || '.' || a.attname as fk
      from fk join deleted d on fk.parent = d.tbl
      join pg_attribute a on a.attrelid = fk.child and a.attnum = fk.conkey[1]
      where not exists (select 1 from pg_index i where i.indrelid = fk.child and i.indkey[0] = fk.conkey[1])
      order by 1`);
    expect(unindexed.map((r) => r.fk)).toEqual([]);
  });
});
