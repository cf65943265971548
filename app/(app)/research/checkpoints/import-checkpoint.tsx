"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/app/_components/ui/button";
import { Input, NativeSelect } from "@/app/_components/ui/input";
import { Label } from "@/app/_components/ui/label";
import { ValueOptions } from "@/app/_components/ui/value-options";
import { apiErrorMessage, postWithProgress, UploadProgress } from "@/app/_components/upload";
import { checkpointImportKindValues, scoreTokenValues, type CheckpointImportKind, type ScoreToken } from "@/db/values";
import { checkpointFilesToSend, checkpointUploadFiles } from "@/lib/checkpoints/upload-files";

const kindLabels: Record<CheckpointImportKind, string> = { base: "base", sft: "SFT", reward: "reward" };
const scoreTokenLabels: Record<ScoreToken, string> = { "before-end-of-text": "last token (TRL)", "end-of-text": "end-of-text (OpenRLHF)" };

type Imported = { name: string; kind: string; paramCount: number };
type State = { kind: "idle" } | { kind: "uploading"; percent: number } | { kind: "done"; checkpoint: Imported } | { kind: "failed"; message: string };

/**
 * Uploads a checkpoint folder's files (model.safetensors, config.json, tokenizer.json) to
 * POST /api/v1/checkpoints, with upload progress, and lists the new checkpoint on success.
 */
export function ImportCheckpoint() {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: "idle" });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const picked = checkpointFilesToSend([...form.getAll("picked"), ...form.getAll("folder")].filter((f): f is File => f instanceof File));
    form.delete("picked");
    form.delete("folder");
    if (!picked.length) return setState({ kind: "failed", message: `Choose the folder, or its files: ${checkpointUploadFiles.join(", ")}.` });
    for (const f of picked) form.append("files", f);
    postWithProgress("/api/v1/checkpoints", form, (percent) => setState({ kind: "uploading", percent })).then(
      ({ status, body }) => {
        if (status !== 201) return setState({ kind: "failed", message: apiErrorMessage(body, `Import failed (${status}).`) });
        setState({ kind: "done", checkpoint: body as Imported });
        router.refresh();
      },
      (err: Error) => setState({ kind: "failed", message: err.message }),
    );
  }

  return (
    <div className="flex flex-col gap-3">
      {/* The two file inputs share a row of their own: in a sixth of the row Chrome's "Choose File No file chosen" was cut to "No …sen". */}
      {/* method="post": sent before the page's script has run, the browser sends the form itself, and as a GET its fields landed in the URL. */}
      <form method="post" onSubmit={onSubmit} className="grid grid-cols-1 gap-3 sm:grid-cols-2 sm:items-end lg:grid-cols-4">
        <div className="flex flex-col gap-1 lg:col-span-2">
          <Label htmlFor="checkpoint-folder">Folder</Label>
          {/* webkitdirectory: every browser's folder picker, though not in React's types */}
          <Input id="checkpoint-folder" name="folder" type="file" {...{ webkitdirectory: "" }} />
        </div>
        <div className="flex flex-col gap-1 lg:col-span-2">
          <Label htmlFor="checkpoint-files">or its files</Label>
          <Input id="checkpoint-files" name="picked" type="file" multiple accept=".safetensors,.json" />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="checkpoint-name">Name</Label>
          <Input id="checkpoint-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,127}" placeholder="my-reward-model" />
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="checkpoint-kind">Kind</Label>
          <NativeSelect id="checkpoint-kind" name="kind" defaultValue="">
            <option value="">from its weights</option>
            <ValueOptions values={checkpointImportKindValues} labels={kindLabels} />
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1">
          <Label htmlFor="checkpoint-score-token">Reward read at</Label>
          <NativeSelect id="checkpoint-score-token" name="scoreToken" defaultValue={"before-end-of-text" satisfies ScoreToken}>
            <ValueOptions values={scoreTokenValues} labels={scoreTokenLabels} />
          </NativeSelect>
        </div>
        <Button type="submit" disabled={state.kind === "uploading"}>
          Import
        </Button>
      </form>
      {state.kind === "uploading" ? <UploadProgress percent={state.percent} /> : null}
      {state.kind === "failed" ? (
        <p role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      {state.kind === "done" ? (
        <p role="status" className="text-sm text-emerald-700">
          Imported {state.checkpoint.name} as a {state.checkpoint.kind} checkpoint ({state.checkpoint.paramCount.toLocaleString("en")} parameters).
        </p>
      ) : null}
    </div>
  );
}
