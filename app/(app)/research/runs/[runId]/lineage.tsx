import Link from "next/link";
import type { ReactNode } from "react";
import { count } from "@/app/_components/count";
import { cn } from "@/app/_components/ui/cn";
import { tapTarget } from "@/app/_components/ui/tap-target";
import { runInputs } from "@/lib/runs/inputs";
import type { CheckpointRef, RunLineage } from "@/lib/runs/lineage";

/** Kinds a generate-pairs run can sample from: only their lineage has "pairs from its samples" (a reward model answers nothing). */
const sampledKinds: string[] = runInputs["generate-pairs"].start!.kinds;

/** A fingertip's size on a touch screen, where a line with a link grows to 44 px: links sit a line apart here. */
const link = cn("underline", tapTarget);

const runLink = (id: string, text?: string) => (
  <Link className={cn("font-mono text-xs", link)} href={`/research/runs/${id}`}>
    {text ?? id.slice(0, 8)}
  </Link>
);

function Checkpoint({ c }: { c: CheckpointRef }) {
  return (
    <span>
      <span className="font-mono text-xs">{c.name}</span> <span className="text-slate-500">({c.kind})</span>
      {c.runId ? <> · made by run {runLink(c.runId)}</> : <> · imported or shipped</>} ·{" "}
      <a className={link} href={`/api/v1/checkpoints/${c.id}/download`} aria-label={`Download ${c.name}`}>
        download
      </a>
    </span>
  );
}

function Item({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs font-medium text-slate-500">{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Snapshot -> checkpoints read -> checkpoints written -> runs started from them and pairs sampled from them. */
export function Lineage({ lineage }: { lineage: RunLineage }) {
  const { snapshot, dataFile, inputs, produced, addedTo } = lineage;
  return (
    <dl className="flex flex-col gap-3 text-sm" aria-label="Lineage">
      <Item term="Dataset snapshot">
        {snapshot ? (
          <span>
            <Link className={link} href="/research/snapshots">
              {snapshot.name}
            </Link>{" "}
            · {count(snapshot.rows, "row")} · <span className="font-mono text-xs">{snapshot.contentHash.slice(0, 12)}</span>
            {snapshot.campaigns.length ? (
              <>
                {" "}
                · from{" "}
                {snapshot.campaigns.map((c, i) => (
                  <span key={c.id}>
                    {i ? ", " : ""}
                    <Link className={link} href={`/research/campaigns/${c.id}`}>
                      {c.name}
                    </Link>
                  </span>
                ))}
              </>
            ) : null}
          </span>
        ) : dataFile ? (
          <span>
            none; it read the preference file <span className="font-mono text-xs break-all">{dataFile}</span>
          </span>
        ) : (
          "—"
        )}
      </Item>
      <Item term="Started from">
        {inputs.length ? (
          <ul className="flex flex-col gap-1">
            {inputs.map((i) => (
              <li key={i.role}>
                <span className="text-xs text-slate-500">{i.role === "parent" ? "parent checkpoint" : i.role}:</span>{" "}
                {i.checkpoint ? <Checkpoint c={i.checkpoint} /> : <span className="font-mono text-xs">{i.storeKey} (not registered)</span>}
              </li>
            ))}
          </ul>
        ) : (
          "—"
        )}
      </Item>
      <Item term="Produced checkpoint">
        {produced.length ? (
          <ul className="flex flex-col gap-2">
            {produced.map((c) => (
              <li key={c.id} data-checkpoint-id={c.id}>
                <Checkpoint c={c} />
                <ul className="mt-1 flex flex-col gap-0.5 pl-4 text-xs">
                  <li>
                    Runs started from it:{" "}
                    <Joined items={c.usedBy} keyOf={(r) => r.id} empty="none yet">
                      {(r) => (
                        <>
                          {runLink(r.id, `${r.kind} ${r.id.slice(0, 8)}`)} ({r.status})
                        </>
                      )}
                    </Joined>
                  </li>
                  {sampledKinds.includes(c.kind) ? (
                    <li>
                      Pairs from its samples:{" "}
                      <Joined items={c.pairs} keyOf={(p) => p.campaignId} empty="none yet (start a generate-pairs run from it)">
                        {(p) => (
                          <>
                            {p.pairs} in{" "}
                            <Link className={link} href={`/research/campaigns/${p.campaignId}`}>
                              {p.campaignName}
                            </Link>
                          </>
                        )}
                      </Joined>
                    </li>
                  ) : null}
                </ul>
              </li>
            ))}
          </ul>
        ) : (
          "—"
        )}
      </Item>
      {addedTo ? (
        <Item term="Added pairs to">
          <Link className={link} href={`/research/campaigns/${addedTo.campaignId}`}>
            {addedTo.campaignName ?? addedTo.campaignId}
          </Link>
          {addedTo.pairs !== null ? ` · ${addedTo.pairs} new pairs` : null}
        </Item>
      ) : null}
    </dl>
  );
}

/** Items separated by commas, or `empty` when there are none. */
function Joined<T>({ items, keyOf, empty, children }: { items: T[]; keyOf: (item: T) => string; empty: string; children: (item: T) => ReactNode }) {
  if (!items.length) return <>{empty}</>;
  return items.map((item, i) => (
    <span key={keyOf(item)}>
      {i ? ", " : ""}
      {children(item)}
    </span>
  ));
}
