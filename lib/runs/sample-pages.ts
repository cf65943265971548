import type { RunSampleDto } from "./schema";

export type SamplePage = { samples: RunSampleDto[]; lastIteration: number | null };

/**
 * The samples held plus every newer one: asks `page` for the iterations after the last one held,
 * again and again, until it holds `lastIteration` (a long run has more than one page) or a page
 * comes back empty.
 */
export async function readNewSamples(held: RunSampleDto[], page: (after: number) => Promise<SamplePage>): Promise<RunSampleDto[]> {
  let all = held;
  for (;;) {
    const { samples, lastIteration } = await page(all.at(-1)?.iteration ?? -1);
    all = [...all, ...samples];
    if (samples.length === 0 || lastIteration === null || all.at(-1)!.iteration >= lastIteration) return all;
  }
}
