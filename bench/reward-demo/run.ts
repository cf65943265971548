/**
 * `npm run bench:reward-demo`: the reward model at demo scale, end to end. A campaign of
 * `Define: <word>` prompts pairs WordNet's gloss with an answer sampled from the shipped SFT
 * model; three simulated labelers judge every pair through the labeling queue (each picks
 * the gloss 90% of the time); a snapshot freezes the ~2,000 judgments; a reward model is
 * trained from demo-sft on it. Prints the judgment count, the reward run's time, its
 * validation accuracy and tokens/s. Uses DATABASE_URL's server (a scratch database) or an
 * embedded PostgreSQL under .data/bench.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs } from "@/scripts/lib/cli-args";

const USAGE = "Usage: npm run bench:reward-demo [-- --prompts N (default 700)] [--labelers N (default 3)]";
const { values } = parseCliArgs({ options: { prompts: { type: "string", default: "700" }, labelers: { type: "string", default: "3" } } }, USAGE);
const promptCount = cliNumber("prompts", values.prompts, rules.count, USAGE);
const labelerCount = cliNumber("labelers", values.labelers, rules.count, USAGE);

const server = await testServer({ dataDir: ".data/bench", port: 54335 });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_bench_reward`);
await runMigrations(url);
const { setDatabaseUrl } = await import("@/lib/env");
setDatabaseUrl(url);
const { createCampaign } = await import("@/lib/campaigns/campaigns");
const { importFile } = await import("@/lib/imports/import");
const { leaseTasks, submitJudgment } = await import("@/lib/labeling/queue");
const { createSnapshot, snapshotPreferenceRows } = await import("@/lib/snapshots/snapshots");
const { makeUser } = await import("@/lib/testing/fixtures");
const { closeDatabase } = await import("@/db/client");
const { initBackend } = await import("@/trainer/backend");
const { FolderCheckpointStore } = await import("@/trainer/checkpoint");
const { sampleDemoAnswers } = await import("./demo-answers");
const { corpusFiles, readSftJsonl } = await import("@/trainer/data/corpus");
const { trainRewardModel } = await import("@/trainer/reward");
const { scoreRows } = await import("@/trainer/score");
const { splitByPrompt } = await import("@/trainer/preferences");
const { installShippedCheckpoints, shippedSftId } = await import("@/trainer/shipped");
const { createRng } = await import("@/trainer/rng");

const backend = await initBackend();
const store = new FolderCheckpointStore(mkdtempSync(path.join(tmpdir(), "pairwise-reward-bench-")));
await installShippedCheckpoints(store);

// 1. Prompts with WordNet's answer, and demo-sft's own answer to compare it with.
const examples = readSftJsonl(corpusFiles().sftTrain).slice(0, promptCount);
let t = performance.now();
const sampled = await sampleDemoAnswers(store, examples.map((e) => e.prompt));
console.log(`sampled ${sampled.length} answers from demo-sft in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// 2. Import them as a campaign and label every pair three times through the queue.
const researcher = await makeUser("researcher");
const campaign = await createCampaign({ input: { name: "reward demo bench", status: "active", overlap: labelerCount, settings: { goldRate: 0, askStrength: false } }, actorId: researcher.id });
const file = path.join(mkdtempSync(path.join(tmpdir(), "pairwise-reward-bench-")), "pairs.jsonl");
writeFileSync(file, examples.map((e, i) => JSON.stringify({ prompt: e.prompt, response_a: e.response, response_b: sampled[i]! })).join("\n") + "\n");
const imported = await importFile({ campaignId: campaign.id, file, options: {}, actorId: researcher.id });
const gloss = new Set(examples.map((e) => e.response));
const rng = createRng(7);
let judgments = 0;
for (let l = 0; l < labelerCount; l++) {
  const labeler = await makeUser("labeler");
  for (;;) {
    const [task] = await leaseTasks({ campaign, labeler, count: 1 });
    if (!task) break;
    const leftIsGloss = gloss.has(task.left.text);
    const pickGloss = rng.next() < 0.9;
    await submitJudgment({ labeler, campaign, input: { clientSubmissionId: randomUUID(), assignmentId: task.assignmentId, choice: leftIsGloss === pickGloss ? "left" : "right" } });
    judgments++;
  }
}
const snapshot = await createSnapshot({ input: { name: "reward demo bench", filters: { campaignIds: [campaign.id] } }, actorId: researcher.id });
const rows = await snapshotPreferenceRows({ snapshotId: snapshot.id });
console.log(`${imported.pairsCreated} pairs, ${judgments} judgments by ${labelerCount} simulated labelers (90% pick the gloss), snapshot of ${rows.length} rows`);

// 3. The reward run, timed.
t = performance.now();
const result = await trainRewardModel({ rows, baseCheckpointId: shippedSftId, store, config: { epochs: 1, batchSize: 16, lr: 3e-4 } });
const seconds = (performance.now() - t) / 1000;
const m = result.metrics;
console.log(
  `reward run on ${backend}: ${result.steps} steps in ${seconds.toFixed(1)} s; val accuracy ${m["reward/accuracy_val"]?.toFixed(3)}, ` +
    `val loss ${m["loss/val"]?.toFixed(3)}, ECE ${m["reward/ece"]?.toFixed(3)}, ${Math.round(m["tokens/s"] ?? 0)} tokens/s`,
);

// 4. `score` on the held-out pairs agrees with what validation reported: same split, same model.
const { val } = splitByPrompt(rows.filter((r) => !r.tie && r.chosen !== r.rejected), 0.1, "");
const scored = await scoreRows({ store, checkpointId: result.record.id, rows: val.map((r) => ({ prompt: r.prompt, response_a: r.chosen, response_b: r.rejected })) });
const agree = scored.filter((s) => "p_a_better" in s && s.p_a_better > 0.5).length / scored.length;
console.log(`score on the ${scored.length} validation pairs: P(chosen preferred) > 0.5 for ${(agree * 100).toFixed(1)}% (validation accuracy ${(m["reward/accuracy_val"]! * 100).toFixed(1)}%)`);
await closeDatabase();
await server.embedded?.stop();
