/**
 * `npm run user:create -- --email E [--role R] [--name N]` (role default labeler). The password
 * comes from PAIRWISE_NEW_USER_PASSWORD, or is asked for on the terminal (not echoed). The
 * database: DATABASE_URL, else the embedded one `npm start` runs (db/configured.ts).
 */
import { withAppDatabase } from "@/db/configured";
import { roleValues } from "@/db/values";
import { env } from "@/lib/env";
import { createUserSchema } from "@/lib/users/schema";
import { createUser } from "@/lib/users/users";
import { parseCliArgs } from "./lib/cli-args";
import { errorText } from "./lib/error-text";

async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error("No terminal to ask for a password: set PAIRWISE_NEW_USER_PASSWORD.");
  process.stdout.write(question);
  process.stdin.setRawMode(true);
  process.stdin.resume();
  let value = "";
  return new Promise((resolve, reject) => {
    process.stdin.on("data", (buf: Buffer) => {
      for (const ch of buf.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdout.write("\n");
          resolve(value);
          return;
        }
        if (ch === "\u0003") reject(new Error("Cancelled."));
        else if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    });
  });
}

const { values } = parseCliArgs(
  {
    options: { email: { type: "string" }, role: { type: "string", default: "labeler" }, name: { type: "string", default: "" } },
    strict: true,
  },
  `Usage: npm run user:create -- --email E [--role ${roleValues.join("|")}] [--name N]   (password: asked for, or PAIRWISE_NEW_USER_PASSWORD)`,
);

try {
  const password = env.PAIRWISE_NEW_USER_PASSWORD ?? (await promptHidden("Password (10+ characters): "));
  const input = createUserSchema.parse({ email: values.email, role: values.role, name: values.name, password });
  const user = await withAppDatabase(() => createUser({ input, actorId: null }));
  console.log(`Created ${user.email} (${user.role}).`);
} catch (err) {
  const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  console.error(issues ? issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n") : errorText(err));
  process.exitCode = 1;
}
