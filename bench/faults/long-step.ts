/**
 * `npm run fault:long-step`: a live trainer worker in one long stretch of a step is not taken for
 * dead. Two worker processes run against a scratch database with a short heartbeat timeout
 * (WORKER_HEARTBEAT_TIMEOUT_S, here --heartbeat-timeout, default 10 s); the first claims a PPO run
 * of one iteration on the shipped demo-sft whose rollout (`--batch` responses, default 2048)
 * takes well over that timeout, and the second polls for stale runs all along. Checked:
 *   - the stretch was long: the iteration's rollout (its `time/rollout_s`) took longer than the
 *     timeout (else the check proves nothing: raise --batch);
 *   - the run succeeded on attempt 1, on the first worker throughout: the workers' logs hold one
 *     "run claimed", the first worker's, attempt 1; the run's stored log has no "attempt 2" and no
 *     "stopped heartbeating";
 *   - the longest gap between the run's heartbeats, as stored in the database (sampled every
 *     100 ms while it runs, from the claim to the end), is below the timeout.
 * Exits non-zero when a check fails. Before the rollout heartbeated (commit ac49178), the second
 * worker took the run over mid-rollout; docs/reliability.md has both outcomes.
 * Uses DATABASE_URL's server (a scratch database) or an embedded PostgreSQL under --data-dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs, portRule } from "@/scripts/lib/cli-args";
import { initBackend } from "@/trainer/backend";
import { FolderCheckpointStore } from "@/trainer/checkpoint";
import { heldoutPrompts } from "@/trainer/data/corpus";
import { saveToyCheckpoint, toyTokenizer } from "@/trainer/rlhf-testing";
import { installShippedCheckpoints, shippedSftId } from "@/trainer/shipped";
import { signalWorker, spawnWorker, until, type WorkerProcess } from "./worker-process";

const USAGE =
  "Usage: npm run fault:long-step [-- --heartbeat-timeout S (default 10)] [--batch N (default 2048)] [--data-dir DIR (default .data/faults)] [--pg-port PORT (default 54354)]";
const { values: flags } = parseCliArgs(
  {
    options: {
      "heartbeat-timeout": { type: "string", default: "10" },
      batch: { type: "string", default: "2048" },
      "data-dir": { type: "string", default: ".data/faults" },
      "pg-port": { type: "string", default: "54354" },
    },
  },
  USAGE,
);
const timeoutS = cliNumber("heartbeat-timeout", flags["heartbeat-timeout"], rules.positive, USAGE);
const batch = cliNumber("batch", flags.batch, rules.count, USAGE);
const pgPort = cliNumber("pg-port", flags["pg-port"], portRule, USAGE);
const say = (msg: string) => console.log(`[long-step] ${msg}`);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" / ");

const loadAtStart = load();
const server = await testServer({ dataDir: flags["data-dir"], port: pgPort });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_fault_long_step`);
await runMigrations(url);
const sql = postgres(url, { max: 2, onnotice: () => {} });
const dir = mkdtempSync(path.join(tmpdir(), "pairwise-long-step-"));
const storeDir = path.join(dir, "store");

// The policy is the shipped demo-sft; the reward model a tiny random one (what it scores does not
// matter here, only that the job runs as a PPO run does: rollout, log-probs, scores, updates).
await initBackend("wasm");
const store = new FolderCheckpointStore(storeDir);
await installShippedCheckpoints(store);
await saveToyCheckpoint(store, "long-step-rm", toyTokenizer(), { kind: "reward" });
const promptsFile = path.join(dir, "prompts.jsonl");
writeFileSync(promptsFile, heldoutPrompts().map((prompt) => JSON.stringify({ prompt })).join("\n") + "\n");

// One iteration: the rollout of `batch` responses is the long stretch; one pass of updates in
// minibatches of 32 heartbeats after every gradient step.
const config = { sft: shippedSftId, reward: "long-step-rm", prompts: promptsFile, iterations: 1, batchSize: batch, miniBatchSize: Math.min(32, batch), ppoEpochs: 1, saveEvery: 0 };

const workers: WorkerProcess[] = [];
function startWorker(name: string): WorkerProcess {
  const w = spawnWorker(name, { DATABASE_URL: url, CHECKPOINT_DIR: storeDir, WORKER_HEARTBEAT_TIMEOUT_S: String(timeoutS), TRAINER_KINDS: "ppo" });
  workers.push(w);
  return w;
}

type RunRow = { status: string; attempts: number; worker_id: string | null; error: string | null; heartbeat_at: Date | null; finished_at: Date | null; stale_s: number | null };
const getRun = async (id: string) =>
  (await sql<RunRow[]>`select status, attempts, worker_id, error, heartbeat_at, finished_at, extract(epoch from now() - heartbeat_at)::float8 as stale_s from runs where id = ${id}`)[0]!;

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  say(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

try {
  say(`load average at the start ${loadAtStart}; heartbeat timeout ${timeoutS} s; PPO, 1 iteration of ${batch} responses on ${shippedSftId}`);
  const [run] = await sql<{ id: string }[]>`insert into runs (kind, config, max_attempts) values ('ppo', ${sql.json(config)}, 2) returning id`;
  const runId = run!.id;
  startWorker("worker A");
  const claimed = await until("the run to be claimed", 120_000, async () => {
    const r = await getRun(runId);
    return r.status === "running" && r.worker_id ? r : null;
  });
  const owner = claimed.worker_id!;
  const claimedAt = Date.now();
  say(`worker A claimed the run (worker ${owner.slice(0, 8)}); starting worker B`);
  const second = startWorker("worker B");
  await until("worker B to register", 120_000, async () => second.log.some((l) => l.includes("worker registered")));
  say(`worker B registered ${((Date.now() - claimedAt) / 1000).toFixed(1)} s after the claim and polls for stale runs every second`);

  // Every heartbeat the database stored while the run was running, and each change of its holder.
  const beats: number[] = [claimed.heartbeat_at!.getTime()];
  const holders = new Set<string>([owner]);
  const holder = (id: string | null) => (id === null ? "no worker" : id === owner ? "worker A" : "worker B");
  let state = `running on worker A, attempt ${claimed.attempts}`;
  const timeline = [`0.0 s: ${state}`];
  let maxStale = 0;
  const final = await until("the run to finish", 900_000, async () => {
    const r = await getRun(runId);
    if (r.worker_id) holders.add(r.worker_id);
    if (r.status === "running" && r.heartbeat_at) {
      if (r.heartbeat_at.getTime() !== beats.at(-1)) beats.push(r.heartbeat_at.getTime());
      maxStale = Math.max(maxStale, r.stale_s ?? 0);
    }
    const now = `${r.status} on ${holder(r.worker_id)}, attempt ${r.attempts}`;
    if (now !== state) timeline.push(`${((Date.now() - claimedAt) / 1000).toFixed(1)} s: ${(state = now)}`);
    return r.status === "succeeded" || r.status === "failed" || r.status === "cancelled" ? r : null;
  });
  say(`the run after the claim: ${timeline.join("; ")}`);
  // A worker that lost its run finds out at its next heartbeat: how long it worked on without one.
  const timeOf = (w: WorkerProcess, text: string) => {
    const line = w.log.find((l) => l.includes(text));
    const time = line && /"time":(\d+)/.exec(line);
    return time ? Number(time[1]) : null;
  };
  const [a] = workers;
  const aClaimed = timeOf(a!, "run claimed");
  const aLost = timeOf(a!, "run stopped: another worker took it over");
  if (aClaimed && aLost) say(`worker A found the run taken ${((aLost - aClaimed) / 1000).toFixed(1)} s after its claim, at its first heartbeat since`);
  const ends = [...beats, final.finished_at!.getTime()];
  const gaps = ends.slice(1).map((t, i) => (t - ends[i]!) / 1000);
  const longest = Math.max(...gaps);
  const [rollout] = await sql<{ v: number }[]>`select value::float8 as v from run_metrics where run_id = ${runId} and name = 'time/rollout_s'`;
  // The workers' own logs (written as it happens) and the run's stored log (which a worker flushes
  // at the end of its attempt, so a worker killed mid-attempt may not have stored its lines).
  const claims = workers.flatMap((w) => w.log.filter((l) => l.includes("run claimed")).map((l) => `${w.name}: ${/run claimed[^"]*/.exec(l)?.[0] ?? l}`));
  const runLog = (await sql<{ message: string }[]>`select message from run_logs where run_id = ${runId} order by seq`).map((r) => r.message);
  const loadAtEnd = load();

  check(rollout !== undefined && rollout.v > timeoutS, `the step held one long stretch: its rollout took ${rollout ? `${rollout.v.toFixed(1)} s` : "(not recorded: the iteration never ended)"}, against the ${timeoutS} s timeout`);
  check(final.status === "succeeded" && final.attempts === 1, `succeeded on attempt 1: status ${final.status}, attempts ${final.attempts}, error ${final.error ?? "none"}`);
  check(
    holders.size === 1 && claims.length === 1 && claims[0]!.startsWith("worker A") && / attempt 1 of /.test(claims[0]!),
    `claimed once, by worker A, never by worker B: ${holders.size} worker(s) held the run; the workers logged ${JSON.stringify(claims)}`,
  );
  const retaken = runLog.filter((l) => /run claimed .*attempt [2-9]|stopped heartbeating/.test(l));
  check(retaken.length === 0, `the run's stored log has no "run claimed … attempt 2" and no "stopped heartbeating"${retaken.length ? `: ${JSON.stringify(retaken)}` : ""}`);
  check(longest < timeoutS, `longest gap between the run's heartbeats ${longest.toFixed(2)} s (${beats.length} heartbeats seen over ${((ends.at(-1)! - ends[0]!) / 1000).toFixed(1)} s from the claim to the end; stalest the database saw it ${maxStale.toFixed(2)} s), under the ${timeoutS} s timeout`);
  say(`load average at the end ${loadAtEnd}`);
} finally {
  await Promise.all(workers.map((w) => signalWorker(w, "SIGKILL")));
  await sql.end({ timeout: 5 });
  rmSync(dir, { recursive: true, force: true });
  await server.embedded?.stop();
}

if (failures.length) {
  console.log(`FAIL: ${failures.length} check(s) failed`);
  for (const w of workers) if (w.log.some((l) => l.includes('"level":50') || l.includes('"level":40'))) console.log(`${w.name} warnings and errors:\n${w.log.filter((l) => l.includes('"level":50') || l.includes('"level":40')).join("\n")}`);
  process.exitCode = 1;
} else {
  console.log("PASS: a live worker in a stretch longer than the heartbeat timeout kept its run; the other worker never took it");
}
