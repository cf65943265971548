/** `npm run seed`: adds the demo accounts and campaign; running it twice changes nothing. */
import { closeDatabase } from "@/db/client";
import { env } from "@/lib/env";
import { seedDemo } from "@/lib/seed/demo";

const result = await seedDemo({ password: env.PAIRWISE_DEMO_PASSWORD });
console.log(`Seeded: ${result.users} new accounts, ${result.pairs} new pairs.`);
await closeDatabase();
