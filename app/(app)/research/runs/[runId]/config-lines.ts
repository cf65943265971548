/**
 * A run's config as the run page prints it: the lines of JSON.stringify(config, null, 2), except
 * that config.campaignId, when it names a campaign, is that campaign's name (a link, with its id
 * beside it), as the lineage names checkpoints rather than printing their ids.
 */
export type ConfigLine = { text: string } | { before: string; campaign: { id: string; name: string }; after: string };

export function configLines(config: Record<string, unknown>, campaign: { id: string; name: string } | null): ConfigLine[] {
  const entries = Object.entries(config);
  if (entries.length === 0) return [{ text: "{}" }];
  const lines = entries.map(([key, value], i): ConfigLine => {
    const before = `  ${JSON.stringify(key)}: `;
    const after = i < entries.length - 1 ? "," : "";
    if (key === "campaignId" && campaign && value === campaign.id) return { before, campaign, after };
    // A nested value's own lines one level in, as JSON.stringify indents them.
    return { text: `${before}${JSON.stringify(value, null, 2).replaceAll("\n", "\n  ")}${after}` };
  });
  return [{ text: "{" }, ...lines, { text: "}" }];
}
