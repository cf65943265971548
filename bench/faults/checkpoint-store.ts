/**
 * `npm run fault:checkpoint-store`: a trainer worker process runs a small pretraining job whose
 * checkpoint store cannot be written, on real file systems:
 *   - read-only: a tmpfs mounted read-only (EROFS); without root, a chmod 555 folder (EACCES);
 *   - full: a 64 KiB tmpfs, smaller than one checkpoint (ENOSPC in the middle of a file); needs
 *     root (mount), skipped with a message otherwise.
 * Checked: the run fails with a reason naming the store and the cause, no checkpoint row is
 * registered, and nothing is left in the store (no half-written folder). Exits non-zero when
 * a check fails. trainer/jobs/checkpoint-store-faults.test.ts checks the same in Vitest with
 * the faults injected. Uses DATABASE_URL's server (a scratch database) or an embedded
 * PostgreSQL under --data-dir.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { databaseName } from "@/db/urls";
import { recreateDatabase, testServer } from "@/lib/testing/databases";
import { cliNumber, parseCliArgs, portRule } from "@/scripts/lib/cli-args";
import { lmFixture } from "@/trainer/lm-testing";
import { signalWorker, spawnWorker, until } from "./worker-process";

const USAGE = "Usage: npm run fault:checkpoint-store [-- --data-dir DIR (default .data/faults)] [--pg-port PORT (default 54352)]";
const { values: flags } = parseCliArgs(
  {
    options: {
      "data-dir": { type: "string", default: ".data/faults" },
      "pg-port": { type: "string", default: "54352" },
    },
  },
  USAGE,
);
const pgPort = cliNumber("pg-port", flags["pg-port"], portRule, USAGE);
const say = (msg: string) => console.log(`[checkpoint-store] ${msg}`);

const server = await testServer({ dataDir: flags["data-dir"], port: pgPort });
const url = await recreateDatabase(server.url, `${databaseName(server.url)}_fault_store`);
await runMigrations(url);
const sql = postgres(url, { max: 2, onnotice: () => {} });
const fx = await lmFixture();

const isRoot = userInfo().uid === 0;
const mount = (args: string[]) => spawnSync("mount", args, { encoding: "utf8" });

type Store = { dir: string; how: string; expect: RegExp; cleanup: () => void };

/** A folder the worker cannot write, or null (with the reason) where this machine cannot make one. */
function unwritableStore(kind: "read-only" | "full"): Store | string {
  const dir = mkdtempSync(path.join(tmpdir(), `pairwise-store-${kind}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const unmount = () => {
    spawnSync("umount", [dir]);
    remove();
  };
  if (isRoot) {
    const options = kind === "read-only" ? "ro,size=1m" : "size=64k";
    const r = mount(["-t", "tmpfs", "-o", options, "tmpfs", dir]);
    if (r.status === 0) {
      return kind === "read-only"
        ? { dir, how: "tmpfs mounted read-only", expect: /read-only file system \(EROFS\)/, cleanup: unmount }
        : { dir, how: "64 KiB tmpfs", expect: /no space left on the device \(ENOSPC\)/, cleanup: unmount };
    }
    if (kind === "full") {
      remove();
      return `cannot mount a tmpfs here (${r.stderr.trim()})`;
    }
  }
  if (kind === "full") {
    remove();
    return "a full disk needs root to mount a small tmpfs";
  }
  if (isRoot) {
    remove();
    return "running as root without mount: a chmod'ed folder stays writable";
  }
  chmodSync(dir, 0o555);
  return { dir, how: "folder with mode 555", expect: /permission denied \(EACCES\)/, cleanup: () => (chmodSync(dir, 0o755), remove()) };
}

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  say(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

async function scenario(kind: "read-only" | "full"): Promise<void> {
  const store = unwritableStore(kind);
  if (typeof store === "string") {
    say(`--- ${kind}: skipped, ${store}`);
    return;
  }
  say(`--- ${kind}: ${store.how} at ${store.dir}`);
  const worker = spawnWorker(`worker (${kind})`, { DATABASE_URL: url, CHECKPOINT_DIR: store.dir, TRAINER_KINDS: "pretrain" });
  try {
    const config = { corpus: fx.corpus, heldout: fx.heldout, vocabSize: 300, tokenizerChars: 0, contextLength: 32, layers: 2, heads: 2, dModel: 32, batch: 8, steps: 30, warmupSteps: 5, saveEvery: 10, evalEvery: 10, evalWindows: 4 };
    const [run] = await sql<{ id: string }[]>`insert into runs (kind, config) values ('pretrain', ${sql.json(config)}) returning id`;
    const final = await until("the run to finish", 120_000, async () => {
      const [r] = await sql<{ status: string; error: string | null; output_checkpoint_id: string | null }[]>`select status, error, output_checkpoint_id from runs where id = ${run!.id}`;
      return r && r.status !== "queued" && r.status !== "running" ? r : null;
    });
    const out = `pretrain-${run!.id.slice(0, 8)}`;
    check(final.status === "failed" && final.error !== null && store.expect.test(final.error) && final.error.includes(`could not write ${out}-resume in ${store.dir}`), `the run failed with the reason: ${final.status}: ${final.error}`);
    const rows = await sql`select id from checkpoints where run_id = ${run!.id} or store_key like ${out + "%"}`;
    check(rows.length === 0 && final.output_checkpoint_id === null, `no checkpoint row registered: ${rows.length}`);
    const left = readdirSync(store.dir, { recursive: true });
    check(left.length === 0, `nothing left in the store: ${JSON.stringify(left)}`);
  } finally {
    await signalWorker(worker, "SIGTERM");
    store.cleanup();
  }
}

try {
  await scenario("read-only");
  await scenario("full");
} finally {
  await sql.end({ timeout: 5 });
  await fx.cleanup();
  await server.embedded?.stop();
}
if (failures.length) {
  console.log(`FAIL: ${failures.length} check(s) failed`);
  process.exitCode = 1;
} else {
  console.log("PASS: an unwritable checkpoint store fails the run with its reason and leaves no checkpoint behind");
}
