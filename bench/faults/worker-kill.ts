/**
 * `npm run fault:worker-kill`: a trainer worker process is SIGKILLed in the middle of a small
 * pretraining run while a second worker is alive. Checked, for a run with attempts left and
 * for one without:
 *   - within the heartbeat timeout (WORKER_HEARTBEAT_TIMEOUT_S, here --heartbeat-timeout) the
 *     run is taken from the dead worker: requeued, or failed with the reason;
 *   - a requeued run is resumed from its last saved state (the step the second worker's log
 *     reports) and succeeds, with exactly one checkpoint row;
 *   - a failed run registers no checkpoint; no run is left "running"; the store lists no
 *     half-written folder as a checkpoint.
 * Exits non-zero when a check fails. Uses DATABASE_URL's server (a scratch database) or an
 * embedded PostgreSQL under --data-dir.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { rules } from "@/lib/config/options";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs, portRule } from "@/scripts/lib/cli-args";
import { lmFixture } from "@/trainer/lm-testing";
import { signalWorker, spawnWorker, until, type WorkerProcess } from "./worker-process";

const USAGE =
  "Usage: npm run fault:worker-kill [-- --heartbeat-timeout S (default 5)] [--data-dir DIR (default .data/faults)] [--pg-port PORT (default 54351)]";
const { values: flags } = parseCliArgs(
  {
    options: {
      "heartbeat-timeout": { type: "string", default: "5" },
      "data-dir": { type: "string", default: ".data/faults" },
      "pg-port": { type: "string", default: "54351" },
    },
  },
  USAGE,
);
const timeoutS = cliNumber("heartbeat-timeout", flags["heartbeat-timeout"], rules.positive, USAGE);
const pgPort = cliNumber("pg-port", flags["pg-port"], portRule, USAGE);
// A worker notices a stale run on its next poll (every second) after the timeout; the dead
// worker's last heartbeat may be up to one second before the kill.
const recoverWithinS = timeoutS + 3;
const say = (msg: string) => console.log(`[worker-kill] ${msg}`);

const server = await testServer({ dataDir: flags["data-dir"], port: pgPort });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_fault_worker`);
await runMigrations(url);
const sql = postgres(url, { max: 2, onnotice: () => {} });
const store = mkdtempSync(path.join(tmpdir(), "pairwise-worker-kill-"));
const fx = await lmFixture();

const workers: WorkerProcess[] = [];
function startWorker(name: string): WorkerProcess {
  const w = spawnWorker(name, { DATABASE_URL: url, CHECKPOINT_DIR: store, WORKER_HEARTBEAT_TIMEOUT_S: String(timeoutS), TRAINER_KINDS: "pretrain" });
  workers.push(w);
  return w;
}
const registered = (w: WorkerProcess) => until(`${w.name} to register`, 60_000, async () => w.log.some((l) => l.includes("worker registered")));

type RunRow = { id: string; status: string; attempts: number; worker_id: string | null; error: string | null; heartbeat_at: Date | null };
const getRun = async (id: string) => (await sql<RunRow[]>`select id, status, attempts, worker_id, error, heartbeat_at from runs where id = ${id}`)[0]!;
const maxStep = async (id: string) => (await sql<{ s: number | null }[]>`select max(step)::int as s from run_metrics where run_id = ${id}`)[0]!.s ?? 0;

const config = {
  corpus: fx.corpus,
  heldout: fx.heldout,
  vocabSize: 300,
  tokenizerChars: 0,
  contextLength: 32,
  layers: 2,
  heads: 2,
  dModel: 32,
  batch: 8,
  lr: 3e-3,
  warmupSteps: 5,
  steps: 150,
  saveEvery: 20,
  evalEvery: 50,
  evalWindows: 4,
};
const KILL_AFTER_STEP = 50;

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  say(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

/** One scenario: a run with `maxAttempts`, its worker killed after KILL_AFTER_STEP steps, a survivor alive. */
async function scenario(maxAttempts: number): Promise<void> {
  say(`--- run with maxAttempts ${maxAttempts}`);
  const [run] = await sql<{ id: string }[]>`insert into runs (kind, config, max_attempts) values ('pretrain', ${sql.json(config)}, ${maxAttempts}) returning id`;
  const runId = run!.id;
  const out = `pretrain-${runId.slice(0, 8)}`;
  const victim = startWorker(`worker A${maxAttempts}`);
  await until("the run to be claimed", 60_000, async () => (await getRun(runId)).status === "running");
  const survivor = startWorker(`worker B${maxAttempts}`);
  await registered(survivor);
  const step = await until(`step ${KILL_AFTER_STEP}`, 120_000, async () => {
    const s = await maxStep(runId);
    return s >= KILL_AFTER_STEP && s;
  });
  const killedAt = Date.now();
  const before = await getRun(runId);
  await signalWorker(victim, "SIGKILL");
  say(`SIGKILLed ${victim.name} at step ${step} (attempt ${before.attempts}); last heartbeat ${((killedAt - before.heartbeat_at!.getTime()) / 1000).toFixed(1)} s before`);

  const taken = await until("the run to leave the dead worker", 60_000, async () => {
    const r = await getRun(runId);
    return r.worker_id !== before.worker_id || r.status !== "running" ? r : null;
  });
  const recoveredS = (Date.now() - killedAt) / 1000;
  check(recoveredS <= recoverWithinS, `taken from the dead worker ${recoveredS.toFixed(1)} s after the kill (heartbeat timeout ${timeoutS} s, allowed ${recoverWithinS} s): now ${taken.status}${taken.worker_id && taken.worker_id !== before.worker_id ? " on the surviving worker" : ""}`);

  const final = await until("the run to finish", 180_000, async () => {
    const r = await getRun(runId);
    return r.status === "succeeded" || r.status === "failed" || r.status === "cancelled" ? r : null;
  });
  const rows = await sql<{ store_key: string }[]>`select store_key from checkpoints where run_id = ${runId} or store_key like ${out + "%"}`;
  if (maxAttempts > 1) {
    check(final.status === "succeeded" && final.attempts === 2, `retried and succeeded: status ${final.status}, attempts ${final.attempts}, error ${final.error ?? "none"}`);
    const resumed = survivor.log.map((l) => /resuming \S+ at step (\d+)\//.exec(l)).find(Boolean);
    const from = resumed ? Number(resumed[1]) : 0;
    check(from > 0 && from % config.saveEvery === 0 && from <= step, `resumed from the saved state at step ${from} (killed at step ${step}, saves every ${config.saveEvery})`);
    check(rows.length === 1 && rows[0]!.store_key === out, `exactly one checkpoint row: ${JSON.stringify(rows.map((r) => r.store_key))}`);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from run_metrics where run_id = ${runId} and name = 'loss/train'`;
    check(n === config.steps, `one loss/train per step: ${n} of ${config.steps}`);
  } else {
    check(final.status === "failed" && /stopped heartbeating/.test(final.error ?? ""), `failed with the reason: ${final.status}: ${final.error}`);
    check(rows.length === 0, `no checkpoint row: ${JSON.stringify(rows.map((r) => r.store_key))}`);
  }
  await signalWorker(survivor, "SIGTERM");
}

try {
  await scenario(2);
  await scenario(1);
  const running = await sql<{ id: string }[]>`select id from runs where status = 'running'`;
  check(running.length === 0, `no run left running: ${running.length}`);
  const entries = readdirSync(store);
  const listed = entries.filter((e) => !e.includes(".tmp-"));
  const halfWritten = entries.filter((e) => e.includes(".tmp-"));
  check(
    listed.every((e) => /^pretrain-[0-9a-f]{8}(-resume)?$/.test(e)),
    `the store lists only whole checkpoints: ${JSON.stringify(listed)}${halfWritten.length ? `; ${halfWritten.length} temporary folder(s) of a write the kill cut short, never listed` : ""}`,
  );
} finally {
  await Promise.all(workers.map((w) => signalWorker(w, "SIGKILL")));
  await sql.end({ timeout: 5 });
  await fx.cleanup();
  rmSync(store, { recursive: true, force: true });
  await server.embedded?.stop();
}

if (failures.length) {
  console.log(`FAIL: ${failures.length} check(s) failed`);
  for (const w of workers) if (w.log.some((l) => l.includes('"level":50'))) console.log(`${w.name} errors:\n${w.log.filter((l) => l.includes('"level":50')).join("\n")}`);
  process.exitCode = 1;
} else {
  console.log("PASS: the killed worker's runs were recovered within the heartbeat timeout, resumed from the saved state or failed with the reason");
}
