import { apiRoute } from "@/lib/api/handler";
import { checkHealth } from "@/lib/health/health";

export const dynamic = "force-dynamic";

// Public: load balancers and `npm start` poll it. It names parts, never secrets.
export const GET = apiRoute(async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.db === "down" ? 503 : 200, headers: { "cache-control": "no-store" } });
});
