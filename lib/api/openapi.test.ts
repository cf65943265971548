import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  it("is 3.1 and describes the user routes with the handlers' schemas", () => {
    const doc = buildOpenApiDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths ?? {})).toEqual(expect.arrayContaining(["/api/health", "/api/v1/users", "/api/v1/users/{id}", "/api/v1/me"]));
    const createUser = doc.components?.schemas?.CreateUser as { properties: Record<string, { minLength?: number }>; required: string[] };
    expect(createUser.properties.password?.minLength).toBe(10);
    expect(createUser.required).toEqual(expect.arrayContaining(["email", "password"]));
    expect(doc.paths?.["/api/v1/users/{id}"]?.patch?.responses?.["403"]).toBeDefined();
  });

  it("describes the playground and the checkpoint download's zip and tar formats", () => {
    const doc = buildOpenApiDocument();
    const playground = doc.paths?.["/api/v1/playground"]?.post;
    expect(Object.keys(playground?.responses ?? {})).toEqual(expect.arrayContaining(["200", "202", "400", "403", "404"]));
    const request = doc.components?.schemas?.PlaygroundRequest as { properties: Record<string, { maximum?: number }>; required: string[] };
    expect(request.required).toEqual(expect.arrayContaining(["prompt", "checkpointIds"]));
    expect(request.required).not.toContain("rewardCheckpointId"); // without one the samples come back unscored
    expect(Object.keys(request.properties)).toContain("rewardCheckpointId");
    expect(request.properties.temperature?.maximum).toBe(2);
    const download = doc.paths?.["/api/v1/checkpoints/{id}/download"]?.get;
    const format = (download?.parameters as Array<{ name: string; in: string; schema: { enum: string[]; default: string } }>).find((p) => p.name === "format");
    expect(format).toMatchObject({ in: "query", schema: { enum: ["zip", "tar"], default: "zip" } });
    expect(Object.keys((download?.responses?.["200"] as { content: object }).content)).toEqual(["application/zip", "application/x-tar"]);
  });

  it("describes the checkpoint import: a multipart form with the name, kind, score token and files", () => {
    const post = buildOpenApiDocument().paths?.["/api/v1/checkpoints"]?.post;
    const form = (post?.requestBody as { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }).content["multipart/form-data"]!.schema;
    expect(Object.keys(form.properties)).toEqual(expect.arrayContaining(["name", "kind", "scoreToken", "files"]));
    expect(form.required).toEqual(expect.arrayContaining(["name", "files"]));
    expect(Object.keys(post?.responses ?? {})).toEqual(expect.arrayContaining(["201", "400", "409", "413"]));
  });

  it("gives every route with an id in its path a 404, and the snapshot its creator", () => {
    const doc = buildOpenApiDocument();
    const withId = Object.entries(doc.paths ?? {}).filter(([route]) => route.includes("{id}"));
    expect(withId.length).toBeGreaterThan(10);
    for (const [route, item] of withId) {
      for (const [method, op] of Object.entries(item)) {
        if (op && typeof op === "object" && "responses" in op) expect(Object.keys(op.responses ?? {}), `${method} ${route}`).toContain("404");
      }
    }
    expect(Object.keys((doc.components?.schemas?.Snapshot as { properties: object }).properties)).toContain("createdBy");
  });
});
