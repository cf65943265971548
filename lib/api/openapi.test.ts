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
});
