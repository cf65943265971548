/**
 * The name the snapshot form proposes: `snapshot 2026-11-28`, or, when a snapshot already has that
 * name, `snapshot 2026-11-28 (2)`, `(3)` … the first one free. A counter rather than the time of
 * day: the list shows when each was taken, and two snapshots in one minute still get two names.
 */
export function defaultSnapshotName({ existingNames, today }: { existingNames: Iterable<string>; today: Date }): string {
  const base = `snapshot ${today.toISOString().slice(0, 10)}`;
  const taken = new Set(existingNames);
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} (${n})`)) n++;
  return `${base} (${n})`;
}
