"use server";
import { revalidatePath } from "next/cache";
import { actionResult, formArg, idArg, type ActionResult } from "@/lib/action-result";
import { assertStorableText } from "@/lib/api/storable-text";
import { requireRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { cancelRun, startRun } from "@/lib/runs/queue";
import { createRunSchema } from "@/lib/runs/schema";
import { createSnapshotSchema } from "@/lib/snapshots/schema";
import { createSnapshot } from "@/lib/snapshots/snapshots";

function parseConfig(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // fall through to the message below
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("bad_request:config", "The config must be a JSON object, e.g. {\"epochs\": 2}.");
  }
  assertStorableText(value, { prefix: "config.", code: "bad_request:config" });
  return value as Record<string, unknown>;
}

/** The run form's fields as they were sent: a refusal returns them, for a form sent before the page's script ran. */
type SentRunForm = { kind: string; snapshotId: string; parentCheckpointId: string; config: string };
export type StartRunResult = ActionResult<{ id: string }> & { sent?: SentRunForm };

/**
 * A form sent before the page's script has run is posted by the browser itself and answered with a new page,
 * rendered from what this returns: without its fields in the refusal the person would find the form reset to
 * its defaults. A form sent by the page's script keeps its fields and ignores them.
 */
function sentRunForm(formArgument: unknown): SentRunForm | undefined {
  if (!(formArgument instanceof FormData)) return undefined;
  const text = (key: string) => {
    const value = formArgument.get(key);
    return typeof value === "string" ? value : "";
  };
  return { kind: text("kind"), snapshotId: text("snapshotId"), parentCheckpointId: text("parentCheckpointId"), config: text("config") };
}

export async function startRunAction(_prev: ActionResult<{ id: string }> | null, formArgument: FormData): Promise<StartRunResult> {
  const user = await requireRole("researcher", "admin");
  const result = await actionResult(async () => {
    const form = formArg(formArgument);
    const input = createRunSchema.parse({
      kind: form.get("kind"),
      snapshotId: form.get("snapshotId") || undefined,
      parentCheckpointId: form.get("parentCheckpointId") || undefined,
      config: parseConfig(String(form.get("config") ?? "")),
    });
    const run = await startRun({ input, actorId: user.id });
    revalidatePath("/research/runs");
    return { id: run.id };
  });
  return result.ok ? result : { ...result, sent: sentRunForm(formArgument) };
}

export async function cancelRunAction(runId: string): Promise<ActionResult> {
  const user = await requireRole("researcher", "admin");
  return actionResult(async () => {
    await cancelRun({ runId: idArg(runId, "run"), actorId: user.id });
    revalidatePath("/research/runs");
    return undefined;
  });
}

export async function createSnapshotAction(_prev: ActionResult<{ id: string; hash: string; rows: number }> | null, formArgument: FormData): Promise<ActionResult<{ id: string; hash: string; rows: number }>> {
  const user = await requireRole("researcher", "admin");
  return actionResult(async () => {
    const form = formArg(formArgument);
    const input = createSnapshotSchema.parse({
      name: form.get("name"),
      filters: {
        campaignIds: form.getAll("campaignIds").map(String),
        aggregate: form.get("aggregate"),
        includeTies: form.get("includeTies") === "on",
        includeBothBad: form.get("includeBothBad") === "on",
        weightByReliability: form.get("weightByReliability") === "on",
        ...(form.get("minGoldAccuracy") ? { minGoldAccuracy: Number(form.get("minGoldAccuracy")) } : {}),
      },
    });
    const snapshot = await createSnapshot({ input, actorId: user.id });
    revalidatePath("/research/snapshots");
    revalidatePath("/research/runs");
    return { id: snapshot.id, hash: snapshot.contentHash, rows: snapshot.counts.rows ?? 0 };
  });
}
