"use client";
import Link from "next/link";
import type { ReactElement, ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import type { ResearchDashboard } from "@/lib/dashboard/dashboard";

const fmt = (v: number | null, digits = 3) => (v === null ? "—" : v.toFixed(digits));
const shortDay = (day: string) => day.slice(5); // MM-DD
const axis = { tick: { fontSize: 10 } };
/** Rounds 1..n with half a round of margin, so a single round is a visible point rather than a degenerate axis. */
const roundAxis = (n: number) => ({
  dataKey: "round",
  type: "number" as const,
  domain: [0.5, n + 0.5],
  ticks: n <= 12 ? Array.from({ length: n }, (_, i) => i + 1) : undefined,
  allowDecimals: false,
  ...axis,
});
const dot = { r: 3 };

function Chart({ name, summary, children }: { name: string; summary: string; children: ReactElement }) {
  return (
    <figure aria-label={`Chart of ${name}`} className="rounded-md border border-slate-100 p-2">
      <figcaption className="mb-1 text-xs font-medium text-slate-600">
        {name} <span className="font-normal text-slate-500">{summary}</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-md bg-slate-50 p-4 text-sm text-slate-600">{children}</p>;
}

export function DashboardCharts({ dashboard }: { dashboard: Omit<ResearchDashboard, "campaigns"> }) {
  const { days, campaign, activity, rewardRounds, ppoRounds, evaluations } = dashboard;
  const totalLabels = activity.reduce((n, d) => n + d.labels, 0);
  const busiest = activity.reduce((best, d) => (d.labels > best.labels ? d : best), activity[0]!);
  const peakLabelers = Math.max(0, ...activity.map((d) => d.labelers));
  const lastReward = rewardRounds.at(-1);
  const lastPpo = ppoRounds.at(-1);

  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle>Labeling</CardTitle>
          <CardDescription>
            {campaign ? `Judgments on ${campaign.name}'s pairs, the` : "The"} last {days} days, {dashboard.from} to {dashboard.to} (UTC days). A label is a submitted judgment; skips do not
            count.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {totalLabels === 0 ? (
            <Empty>
              No judgments{campaign ? ` on ${campaign.name}` : ""} in the last {days} days. Once labelers submit judgments, the number per day and the number of labelers active each day appear here.
            </Empty>
          ) : (
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Chart name="labels per day" summary={`${totalLabels.toLocaleString("en")} in ${days} days; most on ${busiest.day} (${busiest.labels.toLocaleString("en")})`}>
                <BarChart data={activity} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                  <XAxis dataKey="day" tickFormatter={shortDay} {...axis} />
                  <YAxis allowDecimals={false} width={40} {...axis} />
                  <Tooltip />
                  <Bar dataKey="labels" name="labels" fill="#0f172a" isAnimationActive={false} />
                </BarChart>
              </Chart>
              <Chart name="active labelers per day" summary={`at most ${peakLabelers} on one day`}>
                <BarChart data={activity} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                  <XAxis dataKey="day" tickFormatter={shortDay} {...axis} />
                  <YAxis allowDecimals={false} width={40} {...axis} />
                  <Tooltip />
                  <Bar dataKey="labelers" name="labelers" fill="#475569" isAnimationActive={false} />
                </BarChart>
              </Chart>
            </div>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Reward model rounds</CardTitle>
          <CardDescription>
            Each succeeded reward run{campaign ? ` that trained on a snapshot of ${campaign.name}` : ""} is a round, numbered by when it finished; accuracy is on its validation pairs
            (reward/accuracy_val of the kept weights).
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {rewardRounds.length === 0 ? (
            <Empty>
              {campaign ? `No reward run on a snapshot of ${campaign.name} has finished yet.` : "No reward run has finished yet."} Each reward run that succeeds adds a round here with its validation accuracy, so you can see whether more labels help.
            </Empty>
          ) : (
            <>
              <Chart name="validation accuracy by reward round" summary={`round ${lastReward!.round}: ${fmt(lastReward!.accuracy)}`}>
                <LineChart data={rewardRounds} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                  <XAxis {...roundAxis(rewardRounds.length)} />
                  <YAxis domain={[0, 1]} width={40} {...axis} />
                  <Tooltip />
                  <Line type="monotone" dataKey="accuracy" name="validation accuracy" stroke="#0f172a" dot={dot} isAnimationActive={false} />
                </LineChart>
              </Chart>
              <Table aria-label="Reward rounds">
                <THead>
                  <Tr>
                    <Th>Round</Th>
                    <Th>Checkpoint</Th>
                    <Th>Validation accuracy</Th>
                    <Th>Validation pairs</Th>
                    <Th>Finished</Th>
                  </Tr>
                </THead>
                <TBody>
                  {rewardRounds.map((r) => (
                    <Tr key={r.runId}>
                      <Td>{r.round}</Td>
                      <Td className="font-mono text-xs">{r.checkpointName ?? "—"}</Td>
                      <Td>{fmt(r.accuracy)}</Td>
                      <Td>{r.valPairs ?? "—"}</Td>
                      <Td className="text-xs">{r.finishedAt.replace("T", " ").slice(0, 16)}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            </>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>PPO rounds</CardTitle>
          <CardDescription>
            Each succeeded PPO run{campaign ? ` on ${campaign.name}'s prompts or scored by a reward model trained on a snapshot of it` : ""} is a round; its figures are those of
            its last iteration: the reward model&apos;s mean score of the samples (objective/scores), the RLHF reward (score minus the KL penalty, objective/rlhf_reward) and the
            KL to the SFT model per response in nats (objective/kl).
          </CardDescription>
        </CardHeader>
        <CardContent>
          {ppoRounds.length === 0 ? (
            <Empty>
              {campaign ? `No PPO run tied to ${campaign.name} has finished yet.` : "No PPO run has finished yet."} Each PPO run that succeeds adds a round here with its reward and its KL to the SFT model.
            </Empty>
          ) : (
            <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
              <Chart name="reward by PPO round" summary={`round ${lastPpo!.round}: score ${fmt(lastPpo!.score)}, RLHF reward ${fmt(lastPpo!.rlhfReward)}`}>
                <LineChart data={ppoRounds} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                  <XAxis {...roundAxis(ppoRounds.length)} />
                  <YAxis domain={["auto", "auto"]} width={48} {...axis} />
                  <Tooltip />
                  <Legend wrapperStyle={{ fontSize: 11 }} />
                  <Line type="monotone" dataKey="score" name="objective/scores" stroke="#0f172a" dot={dot} isAnimationActive={false} />
                  <Line type="monotone" dataKey="rlhfReward" name="objective/rlhf_reward" stroke="#059669" dot={dot} isAnimationActive={false} />
                </LineChart>
              </Chart>
              <Chart name="KL by PPO round" summary={`round ${lastPpo!.round}: ${fmt(lastPpo!.kl)} nats`}>
                <LineChart data={ppoRounds} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
                  <XAxis {...roundAxis(ppoRounds.length)} />
                  <YAxis domain={[0, "auto"]} width={48} {...axis} />
                  <Tooltip />
                  <Line type="monotone" dataKey="kl" name="objective/kl" stroke="#b45309" dot={dot} isAnimationActive={false} />
                </LineChart>
              </Chart>
            </div>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Policy evaluations</CardTitle>
          <CardDescription>
            Each succeeded eval run{campaign ? ` on ${campaign.name}'s prompts or judged by a reward model trained on a snapshot of it` : ""}, oldest first: policy A against
            baseline B on held-out prompts, judged by a reward model. Win rate: how often the reward model scores A&apos;s answer above B&apos;s; KL: A&apos;s to B per response;
            share of the optimum: A&apos;s part of the gain the best policy at A&apos;s KL would have.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {evaluations.length === 0 ? (
            <Empty>
              {campaign ? `No eval run tied to ${campaign.name} has finished yet.` : "No eval run has finished yet."} Start one from a PPO run&apos;s page (Evaluate it against its SFT
              model); each that succeeds adds a row here.
            </Empty>
          ) : (
            <Table aria-label="Policy evaluations">
              <THead>
                <Tr>
                  <Th>A</Th>
                  <Th>B</Th>
                  <Th>Judged by</Th>
                  <Th>Prompts</Th>
                  <Th>Win rate</Th>
                  <Th>Score gain</Th>
                  <Th>KL (nats)</Th>
                  <Th>Share of the optimum</Th>
                  <Th>Finished</Th>
                </Tr>
              </THead>
              <TBody>
                {evaluations.map((e) => (
                  <Tr key={e.runId}>
                    <Td className="font-mono text-xs">
                      <Link className="underline" href={`/research/runs/${e.runId}`}>
                        {e.policy ?? e.runId.slice(0, 8)}
                      </Link>
                    </Td>
                    <Td className="font-mono text-xs">{e.baseline ?? "—"}</Td>
                    <Td className="font-mono text-xs">{e.reward ?? "—"}</Td>
                    <Td>{e.prompts ?? "—"}</Td>
                    <Td>{e.winRate === null ? "—" : `${(100 * e.winRate).toFixed(1)}%`}</Td>
                    <Td>{fmt(e.gain)}</Td>
                    <Td>{fmt(e.kl)}</Td>
                    <Td>{e.shareOfOptimum === null ? "—" : `${(100 * e.shareOfOptimum).toFixed(0)}%`}</Td>
                    <Td className="text-xs">{e.finishedAt.replace("T", " ").slice(0, 16)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </>
  );
}
