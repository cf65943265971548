import { describe, expect, it } from "vitest";
import { databaseName, withDatabase } from "./urls";

describe("database URLs", () => {
  it("swap the database and keep the server, user, password and options", () => {
    expect(withDatabase("postgres://ada:s%40cret@db.example:6543/main?sslmode=require", "main_e2e")).toBe("postgres://ada:s%40cret@db.example:6543/main_e2e?sslmode=require");
    expect(withDatabase("postgres://postgres@127.0.0.1:5432", "test")).toBe("postgres://postgres@127.0.0.1:5432/test");
  });
  it("encode a name that is not URL-safe and decode it back", () => {
    const url = withDatabase("postgres://postgres@127.0.0.1/x", "my db/ü");
    expect(url).toBe("postgres://postgres@127.0.0.1/my%20db%2F%C3%BC");
    expect(databaseName(url)).toBe("my db/ü");
  });
  it("fall back when the URL names no database", () => {
    expect(databaseName("postgres://postgres@127.0.0.1:5432")).toBe("postgres");
    expect(databaseName("postgres://postgres@127.0.0.1:5432/", "none")).toBe("none");
  });
});
