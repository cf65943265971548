/**
 * A snapshot's aggregate in words, for the snapshot form's choice and the exports page's badge.
 * Imports only db/values.ts, so the (client) snapshot form can take it without server code.
 */
import type { SnapshotAggregate } from "@/db/values";

export const aggregateLabels: Record<SnapshotAggregate, string> = { all: "every vote", majority: "majority per pair" };
