import { describe, expect, it } from "vitest";
import { shippedMigrationCount } from "@/db/migrate";
import { registerWorker } from "@/lib/workers/workers";
import { checkHealth } from "./health";

describe("health", () => {
  it("reports the database, applied migrations and the freshest worker's backend", async () => {
    await registerWorker({ backend: "wasm", kinds: ["healthcheck"] });
    const health = await checkHealth();
    expect(health.db).toBe("ok");
    expect(health.migrations).toEqual({ applied: shippedMigrationCount(), shipped: shippedMigrationCount(), pending: 0 });
    expect(health.worker.backend).toBe("wasm");
    expect(health.worker.lastHeartbeatSeconds).toBeLessThan(5);
    expect(health.status).toBe("ok");
  });
});
