/**
 * `npm run seed`: adds the demo accounts and campaign; running it twice changes nothing. The
 * database: DATABASE_URL, else the embedded one `npm start` runs (db/configured.ts).
 */
import { withAppDatabase } from "@/db/configured";
import { env } from "@/lib/env";
import { seedDemo } from "@/lib/seed/demo";
import { errorText } from "./lib/error-text";

try {
  const result = await withAppDatabase(() => seedDemo({ password: env.PAIRWISE_DEMO_PASSWORD }));
  console.log(`Seeded: ${result.users} new accounts, ${result.pairs} new pairs.`);
} catch (err) {
  console.error(errorText(err));
  process.exitCode = 1;
}
