/**
 * A run's place in the chain comparison -> snapshot -> run -> checkpoint -> run -> ... ->
 * generated responses -> new pairs: what it read (snapshot and its campaigns, the checkpoints
 * it started from) and what came of what it wrote (runs started from its checkpoints, pairs
 * sampled from them, the campaign a generate-pairs run added to).
 */
import "server-only";
import { eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/db/client";
import { campaigns, checkpoints, datasetSnapshots, runs, type Checkpoint, type Run } from "@/db/schema";

/** run.config keys whose value is a checkpoint's store key (see trainer/jobs). */
const checkpointConfigKeys = ["base", "sft", "reward", "policy", "baseline", "checkpoint"] as const;

export type CheckpointRef = { id: string; name: string; kind: string; storeKey: string; runId: string | null };
type RunRef = { id: string; kind: string; status: string; createdAt: string };
type CampaignPairs = { campaignId: string; campaignName: string; pairs: number };

export type RunLineage = {
  snapshot: { id: string; name: string; contentHash: string; rows: number; campaigns: Array<{ id: string; name: string }> } | null;
  /** Checkpoints the run read: `parent` (the run's parent checkpoint) or the config key naming it. */
  inputs: Array<{ role: string; checkpoint: CheckpointRef | null; storeKey: string }>;
  produced: Array<CheckpointRef & { usedBy: RunRef[]; pairs: CampaignPairs[] }>;
  /** generate-pairs: the campaign it added pairs to. */
  addedTo: { campaignId: string; campaignName: string | null; pairs: number | null } | null;
  /** The campaign config.campaignId names (PPO's or eval's prompts, the one generate-pairs answers), for the config card to show by name; null when none is named or no campaign has the id. */
  configCampaign: { id: string; name: string } | null;
  /** reward and DPO: the preference file config.data names, which the run reads when it has no snapshot; null otherwise. */
  dataFile: string | null;
};

const ref = (c: Checkpoint): CheckpointRef => ({ id: c.id, name: c.name, kind: c.kind, storeKey: c.storeKey, runId: c.runId });

export async function runLineage({ run }: { run: Run }): Promise<RunLineage> {
  const configKeys = checkpointConfigKeys
    .map((key) => [key, run.config[key]] as const)
    .filter((e): e is readonly [(typeof checkpointConfigKeys)[number], string] => typeof e[1] === "string" && e[1] !== "");
  const [snapshot, inputRows, produced] = await Promise.all([
    run.snapshotId ? db.query.datasetSnapshots.findFirst({ where: eq(datasetSnapshots.id, run.snapshotId) }) : undefined,
    run.parentCheckpointId || configKeys.length
      ? db.query.checkpoints.findMany({
          where: or(
            run.parentCheckpointId ? eq(checkpoints.id, run.parentCheckpointId) : undefined,
            configKeys.length ? inArray(checkpoints.storeKey, configKeys.map(([, v]) => v)) : undefined,
          ),
        })
      : [],
    db.query.checkpoints.findMany({
      where: or(eq(checkpoints.runId, run.id), run.outputCheckpointId ? eq(checkpoints.id, run.outputCheckpointId) : undefined),
      orderBy: (c, { asc }) => [asc(c.createdAt)],
    }),
  ]);

  const snapshotCampaignIds = ((snapshot?.filters.campaignIds as string[] | undefined) ?? []).filter((id) => typeof id === "string");
  const configCampaignId = typeof run.config.campaignId === "string" ? run.config.campaignId : null;
  const addedToId = run.kind === "generate-pairs" ? configCampaignId : null;
  // Only ids: a run queued without startRun's checks may name a campaign any way, and a non-uuid would fail the query.
  const campaignIds = [...new Set([...snapshotCampaignIds, ...(configCampaignId ? [configCampaignId] : [])])].filter((id) => z.uuid().safeParse(id).success);
  const [campaignRows, usedBy, pairs] = await Promise.all([
    campaignIds.length ? db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).where(inArray(campaigns.id, campaignIds)) : [],
    runsStartedFrom(produced),
    pairsFromCheckpoints(produced.map((c) => c.id)),
  ]);
  const campaignName = new Map(campaignRows.map((c) => [c.id, c.name]));

  const byId = new Map(inputRows.map((c) => [c.id, c]));
  const byKey = new Map(inputRows.map((c) => [c.storeKey, c]));
  const parent = run.parentCheckpointId ? byId.get(run.parentCheckpointId) : undefined;
  return {
    snapshot: snapshot
      ? {
          id: snapshot.id,
          name: snapshot.name,
          contentHash: snapshot.contentHash,
          rows: snapshot.counts.rows ?? 0,
          campaigns: snapshotCampaignIds.map((id) => ({ id, name: campaignName.get(id) ?? id.slice(0, 8) })),
        }
      : null,
    inputs: [
      ...(run.parentCheckpointId ? [{ role: "parent", checkpoint: parent ? ref(parent) : null, storeKey: parent?.storeKey ?? run.parentCheckpointId }] : []),
      ...configKeys.map(([key, storeKey]) => ({ role: `config.${key}`, checkpoint: byKey.has(storeKey) ? ref(byKey.get(storeKey)!) : null, storeKey })),
    ],
    produced: produced.map((c) => ({ ...ref(c), usedBy: usedBy.get(c.id) ?? [], pairs: pairs.get(c.id) ?? [] })),
    addedTo: addedToId
      ? { campaignId: addedToId, campaignName: campaignName.get(addedToId) ?? null, pairs: typeof run.result?.pairsCreated === "number" ? run.result.pairsCreated : null }
      : null,
    configCampaign: configCampaignId && campaignName.has(configCampaignId) ? { id: configCampaignId, name: campaignName.get(configCampaignId)! } : null,
    dataFile: !snapshot && typeof run.config.data === "string" && run.config.data ? run.config.data : null,
  };
}

/** Runs that start from each checkpoint: as their parent, or by store key in a checkpoint config key. Newest first. */
async function runsStartedFrom(produced: Checkpoint[]): Promise<Map<string, RunRef[]>> {
  const out = new Map<string, RunRef[]>();
  if (produced.length === 0) return out;
  const keys = produced.map((c) => c.storeKey);
  const rows = await db
    .select({ id: runs.id, kind: runs.kind, status: runs.status, createdAt: runs.createdAt, parentCheckpointId: runs.parentCheckpointId, config: runs.config })
    .from(runs)
    .where(
      or(
        inArray(
          runs.parentCheckpointId,
          produced.map((c) => c.id),
        ),
        ...checkpointConfigKeys.map((k) => inArray(sql<string>`${runs.config}->>${k}`, keys)),
      ),
    )
    .orderBy(sql`${runs.createdAt} desc`)
    .limit(200);
  for (const c of produced) {
    const list = rows
      .filter((r) => r.parentCheckpointId === c.id || checkpointConfigKeys.some((k) => r.config[k] === c.storeKey))
      .map((r) => ({ id: r.id, kind: r.kind, status: r.status, createdAt: r.createdAt.toISOString() }));
    out.set(c.id, list);
  }
  return out;
}

/** Per checkpoint, the pairs (by campaign) with a response sampled from it. */
async function pairsFromCheckpoints(checkpointIds: string[]): Promise<Map<string, CampaignPairs[]>> {
  const out = new Map<string, CampaignPairs[]>();
  if (checkpointIds.length === 0) return out;
  // Two equi-joins rather than one join on (a or b), so each can use a hash join.
  const rows = await db.execute<{ checkpoint_id: string; campaign_id: string; name: string; pairs: number }>(sql`
    with generated as (select id, checkpoint_id from responses where checkpoint_id in ${checkpointIds}),
    hits as (
      select g.checkpoint_id, p.id as pair_id, p.campaign_id from pairs p join generated g on g.id = p.response_a_id
      union
      select g.checkpoint_id, p.id, p.campaign_id from pairs p join generated g on g.id = p.response_b_id
    )
    select h.checkpoint_id, h.campaign_id, c.name, count(*)::int as pairs
    from hits h join campaigns c on c.id = h.campaign_id
    group by h.checkpoint_id, h.campaign_id, c.name
    order by c.name`);
  for (const r of rows) {
    const list = out.get(r.checkpoint_id) ?? [];
    list.push({ campaignId: r.campaign_id, campaignName: r.name, pairs: r.pairs });
    out.set(r.checkpoint_id, list);
  }
  return out;
}
