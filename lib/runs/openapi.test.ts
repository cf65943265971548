import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/api/openapi";

describe("runs in the OpenAPI document", () => {
  it("describes the log tail route and the run's progress and ETA", () => {
    const doc = buildOpenApiDocument();
    const logs = doc.paths?.["/api/v1/runs/{id}/logs"]?.get;
    expect(logs?.parameters?.map((p) => ("name" in p ? p.name : null))).toEqual(expect.arrayContaining(["id", "after"]));
    expect(logs?.responses?.["403"]).toBeDefined();
    const line = doc.components?.schemas?.RunLogLine as { properties: Record<string, unknown> };
    expect(Object.keys(line.properties).sort()).toEqual(["at", "level", "message", "seq"]);
    const run = doc.components?.schemas?.Run as { properties: Record<string, unknown> };
    expect(run.properties).toHaveProperty("eta");
    expect(run.properties).toHaveProperty("progress");
    expect(doc.paths?.["/api/v1/runs"]?.get?.parameters?.map((p) => ("name" in p ? p.name : null))).toEqual(["limit"]);
  });
});
