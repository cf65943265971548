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

  it("documents the 409s the routes answer, the 404 of an unknown checkpoint to score, and 413 wherever a JSON body is read", () => {
    // Each of these was answered by the running app with a status its operation did not list.
    const doc = buildOpenApiDocument();
    const documented = (method: string, route: string, status: string) => {
      const op = (doc.paths?.[route] as Record<string, { responses?: Record<string, { description: string }> }> | undefined)?.[method];
      return op?.responses?.[status]?.description ?? "";
    };
    const conflicts: [string, string, string][] = [
      ["post", "/api/v1/users", "conflict:user_email"],
      ["patch", "/api/v1/users/{id}", "conflict:self_lockout"],
      ["post", "/api/v1/users/{id}/reset-link", "conflict:user_disabled"],
      ["post", "/api/v1/invites", "conflict:user_email"],
      ["post", "/api/v1/campaigns/{id}/import", "conflict:import_changed"],
      ["post", "/api/v1/campaigns/{id}/tasks", "conflict:campaign_not_active"],
      ["post", "/api/v1/judgments", "conflict:lease_expired"],
      ["post", "/api/v1/judgments", "conflict:already_judged"],
      ["patch", "/api/v1/judgments/{id}", "conflict:undo_window"],
      ["delete", "/api/v1/judgments/{id}", "conflict:undo_window"],
      ["post", "/api/v1/assignments/{id}/skip", "conflict:already_judged"],
      ["post", "/api/v1/runs/{id}/cancel", "conflict:run_finished"],
    ];
    for (const [method, route, code] of conflicts) expect(documented(method, route, "409"), `${method} ${route}`).toContain(code);
    expect(documented("post", "/api/v1/score", "404")).toBe("No such checkpoint.");
    expect(documented("post", "/api/v1/judgments", "404")).toContain("not_found:assignment");
    let jsonBodies = 0;
    for (const [route, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item as Record<string, { requestBody?: { content?: Record<string, unknown> } }>)) {
        if (!op?.requestBody?.content?.["application/json"]) continue;
        jsonBodies++;
        expect(documented(method, route, "413"), `${method} ${route}`).toBe("The JSON body is over 1000000 bytes.");
      }
    }
    expect(jsonBodies).toBeGreaterThan(8);
  });
});
