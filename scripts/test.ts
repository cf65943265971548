/**
 * `npm test`: typecheck, lint, unused code (knip), unit + integration tests (Vitest, real Postgres), then the
 * browser tests (Playwright + Debian's Chromium). Stops at the first failing step.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { databaseName } from "@/db/urls";
import { recreateDatabase } from "@/lib/testing/databases";

const CHROMIUM = "/usr/bin/chromium";

/**
 * The browser tests start the app with `npm start` on a fresh database: `<db>_e2e` on
 * DATABASE_URL's server, or a new embedded cluster under .data/e2e.
 */
async function prepareE2eDatabase(): Promise<Record<string, string>> {
  const given = process.env.DATABASE_URL;
  if (!given) {
    rmSync(".data/e2e", { recursive: true, force: true });
    return {};
  }
  const name = `${databaseName(given)}_e2e`;
  return { E2E_DATABASE_URL: await recreateDatabase(given, name) };
}

const steps: { name: string; cmd: string[]; before?: () => string | null; env?: () => Promise<Record<string, string>> }[] = [
  { name: "typecheck", cmd: ["npx", "tsc", "--noEmit"] },
  { name: "lint", cmd: ["npx", "eslint", "--max-warnings=0", "."] },
  { name: "unused code (knip)", cmd: ["npx", "knip"] },
  { name: "unit + integration (vitest)", cmd: ["npx", "vitest", "run"] },
  {
    name: "browser (playwright)",
    cmd: ["npx", "playwright", "test"],
    env: prepareE2eDatabase,
    before: () =>
      existsSync(CHROMIUM)
        ? null
        : `Chromium is missing at ${CHROMIUM}. Install Debian's package: sudo apt-get update && sudo apt-get install -y chromium`,
  },
];

for (const step of steps) {
  const problem = step.before?.();
  if (problem) {
    console.error(`\n✗ ${step.name}: ${problem}`);
    process.exit(1);
  }
  console.log(`\n▶ ${step.name}: ${step.cmd.join(" ")}`);
  const started = Date.now();
  const extraEnv = step.env ? await step.env() : {};
  const result = spawnSync(step.cmd[0]!, step.cmd.slice(1), { stdio: "inherit", env: { ...process.env, ...extraEnv } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${step.name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${step.name} (${seconds}s)`);
}
