"use server";
import { revalidatePath } from "next/cache";
import { actionResult, idArg, type ActionResult, type FormResult } from "@/lib/action-result";
import { assertStorableText } from "@/lib/api/storable-text";
import { requireRole } from "@/lib/auth/guard";
import { AppError } from "@/lib/errors";
import { formAction } from "@/lib/forms/form-action";
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

export async function startRunAction(_prev: ActionResult<{ id: string }> | null, formArgument: FormData): Promise<FormResult<{ id: string }>> {
  const user = await requireRole("researcher", "admin");
  // Posted by the browser itself, a started run lands on its own page, as the form sends it there with a script.
  return formAction(formArgument, { answer: ({ id }) => ({ path: `/research/runs/${id}` }) }, async (form) => {
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
}

export async function cancelRunAction(runId: string): Promise<ActionResult> {
  const user = await requireRole("researcher", "admin");
  return actionResult(async () => {
    await cancelRun({ runId: idArg(runId, "run"), actorId: user.id });
    revalidatePath("/research/runs");
    return undefined;
  });
}

/** What the snapshot form says of the snapshot it made. */
export type SnapshotMade = { id: string; hash: string; rows: number };

export async function createSnapshotAction(_prev: ActionResult<SnapshotMade> | null, formArgument: FormData): Promise<FormResult<SnapshotMade>> {
  const user = await requireRole("researcher", "admin");
  return formAction(formArgument, { answer: () => ({ path: "/research/snapshots", flash: "snapshot" }) }, async (form) => {
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
