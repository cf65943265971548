import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { count } from "@/app/_components/count";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { requireRole } from "@/lib/auth/guard";
import { campaignDto } from "@/lib/campaigns/campaigns";
import type { CampaignStatus } from "@/db/values";
import { isAppError } from "@/lib/errors";
import { flashResult } from "@/lib/forms/form-action";
import { campaignQuality } from "@/lib/labeling/quality";
import { listUsers } from "@/lib/users/users";
import { CampaignForm } from "../campaign-form";
import { ImportPanel } from "./import-panel";

type Params = { params: Promise<{ campaignId: string }> };

/** The campaign the URL names, read once per request for the title and the page; a 404 when it names none. */
const campaignFor = cache(async (campaignId: string) => {
  const id = z.uuid().safeParse(campaignId);
  if (!id.success) notFound();
  return campaignDto({ campaignId: id.data }).catch((err) => {
    if (isAppError(err) && err.kind === "not_found") notFound();
    throw err;
  });
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  // The title names the record, so it is guarded as the page is: a 403 or 404 must not name it.
  await requireRole("researcher", "admin");
  return { title: (await campaignFor((await params).campaignId)).name };
}

/**
 * Said under the name of a campaign labelers cannot work on: a new campaign starts as a draft, and
 * nothing else on its page said that its labelers see none of it (the status sits in Settings, at the bottom).
 */
const notLabelable: Record<Exclude<CampaignStatus, "active">, string> = {
  draft: "Draft: labelers do not see this campaign. Set its status to active in Settings, below, when its pairs are ready.",
  paused: "Paused: labelers do not see this campaign until its status is active again (Settings, below).",
  done: "Done: labelers no longer see this campaign. Set its status to active in Settings, below, to collect more judgments.",
};

const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 3) => (v === null ? "—" : v.toFixed(digits));
const p = (v: number) => (v < 0.001 ? v.toExponential(1) : v.toFixed(3));

/** A bias figure's binomial test: its p-value and the judgments it is on; on none there is no test, so no p (it would read 1.000). */
function BiasTest({ pValue, n }: { pValue: number; n: number }) {
  return <span className="text-xs font-normal text-slate-500">{n > 0 ? `p = ${p(pValue)}, n = ${n}` : "n = 0"}</span>;
}

export default async function CampaignPage({ params }: Params) {
  await requireRole("researcher", "admin");
  const campaign = await campaignFor((await params).campaignId);
  const campaignId = campaign.id;
  const [quality, users, saved] = await Promise.all([campaignQuality({ campaignId }), listUsers(), flashResult("campaign", z.object({ id: z.literal(campaignId) }))]);
  const labelers = users.filter((u) => u.role === "labeler" && !u.disabledAt).map((u) => ({ id: u.id, email: u.email }));
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">{campaign.name}</h1>
      {campaign.status !== "active" ? (
        <p role="note" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {notLabelable[campaign.status]}
        </p>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Quality</CardTitle>
          <CardDescription>
            {quality.completePairs} of {count(quality.pairs, "pair")} complete
            {quality.goldPairs ? ` (and ${count(quality.goldPairs, "gold pair")}, which check answers and are not counted)` : ""} · {count(quality.judgments, "judgment")}
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-slate-500">Krippendorff&apos;s α (ordinal)</dt>
              <dd className="text-lg font-semibold" data-testid="alpha">{num(quality.alphaOrdinal)}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Raw pairwise agreement</dt>
              <dd className="text-lg font-semibold">{pct(quality.pairwiseAgreement)}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Left picks (position bias)</dt>
              <dd className="text-lg font-semibold" data-testid="position-bias">
                {pct(quality.positionBias.leftShare)} <BiasTest {...quality.positionBias} />
              </dd>
            </div>
            <div>
              <dt className="text-slate-500">Longer picked (length bias)</dt>
              <dd className="text-lg font-semibold" data-testid="length-bias">
                {pct(quality.lengthBias.longerShare)} <BiasTest {...quality.lengthBias} />
              </dd>
            </div>
          </dl>
          {campaign.settings.goldRate > 0 && quality.goldPairs === 0 ? (
            // A gold rate with nothing to serve checks no one, and no figure on this page would show it.
            <p role="note" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
              The gold rate is {Math.round(campaign.settings.goldRate * 100)}%, but this campaign has no gold pairs, so no answer is checked: import rows with a{" "}
              <code>gold</code> answer (<code>a</code>, <code>b</code>, <code>tie</code> or <code>both_bad</code>).
            </p>
          ) : null}
          {quality.labelers.length === 0 ? (
            <p className="text-sm text-slate-600">No judgments yet: each labeler who submits one gets a row here with their count, speed, gold accuracy and agreement.</p>
          ) : (
            <Table>
              <THead>
                <Tr>
                  <Th>Labeler</Th>
                  <Th>Judgments</Th>
                  <Th>Median s</Th>
                  <Th>Gold accuracy</Th>
                  <Th>Agreement with majority</Th>
                </Tr>
              </THead>
              <TBody>
                {quality.labelers.map((l) => (
                  <Tr key={l.labelerId}>
                    <Td>{l.name}</Td>
                    <Td>{l.judgments}</Td>
                    <Td>{num(l.medianSeconds, 1)}</Td>
                    <Td>{l.goldAnswered ? `${pct(l.goldAccuracy)} of ${l.goldAnswered}` : "—"}</Td>
                    <Td>{pct(l.agreementWithMajority)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
          {quality.judgments > 0 ? (
            <p className="text-sm">
              <Link className={`underline ${inlineTapTarget}`} href={`/research/snapshots?campaign=${campaignId}`}>
                Freeze these judgments as a snapshot
              </Link>{" "}
              <span className="text-slate-600">to train a reward model or DPO on them, or to export them.</span>
            </p>
          ) : null}
          {quality.labelers.length > 0 ? (
            <p className="text-xs text-slate-600">
              Agreement with majority compares each judgment with the majority of the other judgments of its pair, once there are at least two: it shows — until then, and
              always under an overlap of 2. Gold accuracy counts after 5 gold answers.
            </p>
          ) : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Import pairs</CardTitle>
          <CardDescription>
            JSONL or CSV rows of <code>{"{prompt, response_a, response_b}"}</code>, <code>{"{prompt, responses: [...]}"}</code> (every pair) or TRL{" "}
            <code>{"{prompt, chosen, rejected}"}</code>. A file with any bad line is refused whole.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ImportPanel campaignId={campaign.id} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
        </CardHeader>
        <CardContent>
          <CampaignForm labelers={labelers} values={campaign} saved={saved} />
        </CardContent>
      </Card>
    </div>
  );
}
