/**
 * Bodies that pass validation, for the routes that read one, and small mutations of them:
 * a field replaced by something hostile, removed, or joined by an unknown one. Random
 * JSON alone rarely gets past the zod schemas; these reach the data layer behind them.
 * A route missing here is still fuzzed with random bodies.
 */
import fc from "fast-check";
import { campaignOrderingValues, campaignStatusValues, rationaleModeValues, roleValues, skipReasonValues, snapshotAggregateValues } from "@/db/values";
import { apiShapedValue, oddString } from "./fuzz";
import type { FuzzWorld } from "./fuzz-world";

/** Any text, NUL and lone surrogates included, of a length the schema allows. */
const text = (minLength = 0, maxLength = 200) => fc.string({ unit: "binary", minLength, maxLength });
const isoDate = fc.date({ min: new Date("1900-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }).map((d) => d.toISOString());

export function validBodies(world: FuzzWorld): Record<string, fc.Arbitrary<Record<string, unknown>>> {
  const campaignIds = fc.constantFrom(world.campaign.id);
  const someId = fc.oneof(fc.constantFrom(...world.ids), fc.uuid().map(String));
  const settings = fc.record(
    {
      allowTie: fc.boolean(),
      allowBothBad: fc.boolean(),
      askStrength: fc.boolean(),
      rationale: fc.constantFrom(...rationaleModeValues),
      goldRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      leaseMinutes: fc.integer({ min: 1, max: 1440 }),
      ordering: fc.constantFrom(...campaignOrderingValues),
      undoMinutes: fc.integer({ min: 0, max: 1440 }),
    },
    { requiredKeys: [] },
  );
  const campaign = fc.record(
    {
      name: text(1),
      guidelines: text(0, 2000),
      overlap: fc.integer({ min: 1, max: 20 }),
      status: fc.constantFrom(...campaignStatusValues),
      settings,
      labelerIds: fc.array(fc.oneof(fc.constant(world.users.labeler.id), fc.uuid().map(String)), { maxLength: 3 }),
    },
    { requiredKeys: ["name"] },
  );
  const judgmentEdit = {
    choice: fc.constantFrom("left", "right", "tie", "both_bad"),
    strength: fc.constantFrom(1, 2, 3, 4, null),
    rationale: fc.option(text(0, 5000), { nil: null }),
  };
  return {
    "POST /api/v1/campaigns": campaign,
    // Status and members stay as they are, so the labeler can keep working on the campaign.
    "PATCH /api/v1/campaigns/[id]": campaign.map(({ status: _status, labelerIds: _labelerIds, ...rest }) => rest),
    "POST /api/v1/campaigns/[id]/tasks": fc.record({ count: fc.integer({ min: 1, max: 2 }) }),
    "POST /api/v1/judgments": fc.record(
      {
        clientSubmissionId: fc.uuid().map(String),
        assignmentId: fc.oneof(fc.constant(world.assignmentId), someId),
        ...judgmentEdit,
        activeMs: fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: null }),
      },
      { requiredKeys: ["clientSubmissionId", "assignmentId", "choice"] },
    ),
    "PATCH /api/v1/judgments/[id]": fc.record(judgmentEdit, { requiredKeys: ["choice"] }),
    "POST /api/v1/assignments/[id]/skip": fc.record({ reason: fc.constantFrom(...skipReasonValues), text: fc.option(text(1, 2000), { nil: null }) }),
    "POST /api/v1/snapshots": fc.record({
      name: text(1),
      filters: fc.record(
        {
          campaignIds: fc.array(fc.oneof(campaignIds, someId), { minLength: 1, maxLength: 3 }),
          from: isoDate,
          to: isoDate,
          labelerIds: fc.array(someId, { maxLength: 3 }),
          excludeLabelerIds: fc.array(someId, { maxLength: 3 }),
          minGoldAccuracy: fc.double({ min: 0, max: 1, noNaN: true }),
          includeTies: fc.boolean(),
          includeBothBad: fc.boolean(),
          aggregate: fc.constantFrom(...snapshotAggregateValues),
          weightByReliability: fc.boolean(),
        },
        { requiredKeys: ["campaignIds"] },
      ),
    }),
    "POST /api/v1/runs": fc.record(
      {
        kind: fc.constantFrom("healthcheck", "pretrain", "sft", "reward", "dpo", "ppo", "eval", "score", "generate-pairs"),
        snapshotId: fc.oneof(fc.constant(world.snapshot.id), someId),
        parentCheckpointId: fc.oneof(fc.constant(world.checkpoint.id), someId),
        config: fc.dictionary(fc.string({ unit: "binary", maxLength: 20 }), apiShapedValue(world.ids), { maxKeys: 4 }),
      },
      { requiredKeys: ["kind"] },
    ),
    "POST /api/v1/score": fc.record({
      checkpointId: fc.oneof(fc.constant(world.checkpoint.id), someId),
      rows: fc.array(fc.oneof(fc.record({ prompt: text(1), response: text() }), fc.record({ prompt: text(1), response_a: text(), response_b: text() })), { minLength: 1, maxLength: 3 }),
    }),
    "POST /api/v1/users": fc.record(
      {
        email: fc.oneof(fc.emailAddress(), oddString()),
        name: text(),
        role: fc.constantFrom(...roleValues),
        password: text(10, 256),
      },
      { requiredKeys: ["email", "password"] },
    ),
    "PATCH /api/v1/users/[id]": fc.record(
      { name: text(), role: fc.constantFrom(...roleValues), disabled: fc.boolean(), password: text(10, 256) },
      { requiredKeys: [] },
    ),
  };
}

type Mutation = { op: "keep" | "replace" | "delete" | "add"; at: number; key: string; value: unknown };

export function mutationArb(ids: string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    op: fc.constantFrom<Mutation["op"]>("keep", "keep", "replace", "replace", "delete", "add"),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom("__proto__", "constructor", "extra", "id", "createdAt"), fc.string({ maxLength: 10 })),
    value: apiShapedValue(ids),
  });
}

/** Applies one mutation at the `at`-th (mod count) object or array field anywhere in `value`. */
export function mutate(value: Record<string, unknown>, m: Mutation): unknown {
  if (m.op === "keep") return value;
  const copy = structuredClone(value);
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push([v, i]);
        visit(x);
      });
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        slots.push([v as Record<string, unknown>, k]);
        visit(x);
      }
    }
  };
  visit(copy);
  if (m.op === "add") {
    const objects = [copy, ...slots.map(([p, k]) => (p as Record<string | number, unknown>)[k]).filter((x) => x && typeof x === "object" && !Array.isArray(x))] as Record<string, unknown>[];
    Object.defineProperty(objects[m.at % objects.length]!, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  if (slots.length === 0) return copy;
  const [parent, key] = slots[m.at % slots.length]!;
  if (m.op === "replace") (parent as Record<string | number, unknown>)[key] = m.value;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, unknown>)[key as string];
  return copy;
}
