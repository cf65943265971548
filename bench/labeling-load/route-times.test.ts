import { describe, expect, it } from "vitest";
import { nearestRank, routeTimes } from "./route-times";

const line = (time: number, method: string, route: string, ms: number, msg = "request") => JSON.stringify({ level: 30, time, service: "web", msg, method, route, status: 200, ms });

describe("routeTimes", () => {
  it("groups the web log's request lines by method and route with ids folded, inside the window only", () => {
    const a = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    const b = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
    const log = [
      line(900, "POST", "/api/v1/judgments", 999), // before the window
      line(1000, "POST", "/api/v1/judgments", 40),
      line(1001, "POST", "/api/v1/judgments", 10),
      line(1002, "POST", "/api/v1/judgments", 20),
      `${line(1003, "GET", `/api/v1/campaigns/${a}/tasks`, 7)}`,
      line(1004, "GET", `/api/v1/campaigns/${b}/tasks`, 3),
      line(1005, "GET", "/api/v1/me", 1, "unhandled error while serving a request"),
      "  ▲ Next.js 16 (not JSON)",
      "{not json either",
      line(2001, "POST", "/api/v1/judgments", 999), // after it
    ].join("\n");
    expect(routeTimes({ log, from: 1000, to: 2000 })).toEqual([
      { route: "POST /api/v1/judgments", requests: 3, medianMs: 20, p99Ms: 40 },
      { route: "GET /api/v1/campaigns/:id/tasks", requests: 2, medianMs: 5, p99Ms: 7 },
    ]);
  });

  it("takes the nearest-rank percentile: the smallest value with at least p of the values at or below it", () => {
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([0.5, 0.95, 0.99, 1].map((p) => nearestRank(ten, p))).toEqual([5, 10, 10, 10]);
    expect(nearestRank([7], 0.99)).toBe(7);
  });
});
