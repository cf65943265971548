/**
 * `npm run import -- --campaign ID [--format jsonl|csv] [--trl-as label|gold]
 *  [--max-pairs-per-prompt N] FILE`: the same import as the researcher page and the API. The
 * database: DATABASE_URL, else the embedded one `npm start` runs (db/configured.ts).
 */
import { ZodError } from "zod";
import { withAppDatabase } from "@/db/configured";
import { importFormatValues, importTrlAsValues, type ImportFormat, type ImportTrlAs } from "@/db/values";
import { AppError } from "@/lib/errors";
import { importFile } from "@/lib/imports/import";
import { describeGoldConflict } from "@/lib/imports/gold-conflicts";
import { describeIgnoredKey } from "@/lib/imports/keys";
import { parseCliArgs } from "./lib/cli-args";
import { errorText } from "./lib/error-text";

const USAGE = `Usage: npm run import -- --campaign ID [--format ${importFormatValues.join("|")}] [--trl-as ${importTrlAsValues.join("|")}] [--max-pairs-per-prompt N] FILE`;

const { values, positionals } = parseCliArgs(
  {
    allowPositionals: true,
    options: {
      campaign: { type: "string" },
      format: { type: "string" },
      "trl-as": { type: "string" },
      "max-pairs-per-prompt": { type: "string" },
    },
  },
  USAGE,
);

try {
  const file = positionals[0];
  if (!values.campaign || !file) throw new Error(USAGE);
  const format = values.format ?? (file.toLowerCase().endsWith(".csv") ? "csv" : "jsonl");
  const started = Date.now();
  const campaignId = values.campaign;
  const result = await withAppDatabase(() =>
    importFile({
      campaignId,
      file,
      actorId: null,
      options: { format: format as ImportFormat, trlAs: values["trl-as"] as ImportTrlAs | undefined, maxPairsPerPrompt: Number(values["max-pairs-per-prompt"] ?? 0) },
    }),
  );
  if (!result.ok) {
    console.error(`Refused: ${result.errorCount} bad line(s); nothing was written.`);
    // An error with `rows` stands for every line refused for one reason, and names its lines itself.
    for (const e of result.errors) console.error(e.rows ? `  ${e.message}` : `  line ${e.line}: ${e.message}`);
    process.exitCode = 1;
  } else {
    const seconds = (Date.now() - started) / 1000;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `Imported ${result.rows} rows: ${result.pairsCreated} pairs created, ${result.duplicatesSkipped} duplicates skipped ` +
        `in ${seconds.toFixed(1)} s (${Math.round(result.rows / seconds)} rows/s, peak RSS ${peakMb.toFixed(0)} MB).`,
    );
    // The file's gold answers contradict each other (or the campaign's): the skipped ones are named.
    if (result.goldConflictCount) {
      console.error(`${result.goldConflictCount} skipped row(s) repeat a pair with another gold answer; the pair kept keeps its own:`);
      for (const c of result.goldConflicts) console.error(`  line ${c.line}: ${describeGoldConflict(c)}`);
      if (result.goldConflictCount > result.goldConflicts.length) console.error(`  (${result.goldConflictCount - result.goldConflicts.length} more)`);
    }
  }
  // On stderr, like the refusal: a note to the person, kept apart from the counts a script may read.
  if (result.ignoredKeys.length) {
    console.error(`Ignored ${result.ignoredKeys.length} key(s) that Pairwise does not read:`);
    for (const k of result.ignoredKeys) console.error(`  ${describeIgnoredKey(k)}`);
  }
} catch (err) {
  // The options' names as the flags spell them: trlAs -> --trl-as.
  if (err instanceof ZodError) for (const i of err.issues) console.error(`--${i.path.join(".").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`);
  else if (err instanceof AppError && err.code === "not_found:campaign") console.error(`No campaign ${values.campaign}: --campaign takes the id in the campaign page's address (/research/campaigns/<id>).`);
  else console.error(errorText(err));
  process.exitCode = 1;
}
