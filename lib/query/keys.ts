/** Query key factories, one per domain, so mutations invalidate exactly what they change. */
export const labelingKeys = {
  all: ["labeling"] as const,
  queues: () => [...labelingKeys.all, "queue"] as const,
  queue: (campaignId: string) => [...labelingKeys.queues(), campaignId] as const,
  stats: () => [...labelingKeys.all, "stats"] as const,
  campaign: (campaignId: string) => [...labelingKeys.all, "campaign", campaignId] as const,
  /** Mutations: the judgments and skips of a campaign on their way to the server. */
  sending: (campaignId: string) => [...labelingKeys.all, "sending", campaignId] as const,
};

export const runKeys = {
  all: ["runs"] as const,
  lists: () => [...runKeys.all, "list"] as const,
  list: (filters: { limit: number }) => [...runKeys.lists(), filters] as const,
  detail: (runId: string) => [...runKeys.all, "detail", runId] as const,
  metrics: (runId: string) => [...runKeys.all, "metrics", runId] as const,
  logs: (runId: string) => [...runKeys.all, "logs", runId] as const,
  samples: (runId: string) => [...runKeys.all, "samples", runId] as const,
};
