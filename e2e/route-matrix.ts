/**
 * The access rules of every page and route handler under app/, and the discovery that
 * finds them. A route that is not listed here makes the matrix test fail, so a new route
 * cannot ship without someone deciding who may reach it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { roleValues, type Role } from "@/db/values";

export type Caller = "anonymous" | Role;
export const callers: Caller[] = ["anonymous", ...roleValues];

/** `public`: anyone; otherwise the roles allowed (anonymous never is); per method where they differ. */
type Rule = "public" | Exclude<Caller, "anonymous">[];
type RouteRule = Rule | Record<string, Rule>;
const anyone: Rule = ["labeler", "researcher", "admin"];
const research: Rule = ["researcher", "admin"];

const rules: Record<string, RouteRule> = {
  "/": anyone,
  "/signin": "public",
  // One-time links: the token in the URL is the authorisation; an unknown one gets a message.
  "/invite/[token]": "public",
  "/reset-password/[token]": "public",
  "/label": anyone,
  "/label/[campaignId]": anyone,
  "/admin": ["admin"],
  "/admin/audit": ["admin"],
  "/exports": research,
  "/research": research,
  "/research/campaigns": research,
  "/research/campaigns/new": research,
  "/research/campaigns/[campaignId]": research,
  "/research/runs": research,
  "/research/runs/[runId]": research,
  "/research/snapshots": research,
  "/research/checkpoints": research,
  "/research/playground": research,
  "/research/dashboard": research,
  "/settings": research,
  "/settings/tokens": research,
  "/api/health": "public",
  "/api/v1/openapi.json": "public",
  "/api/v1/me": anyone,
  "/api/v1/me/stats": anyone,
  "/api/v1/users": ["admin"],
  "/api/v1/users/[id]": ["admin"],
  "/api/v1/users/[id]/reset-link": ["admin"],
  "/api/v1/invites": ["admin"],
  "/api/v1/campaigns": { GET: anyone, POST: research },
  "/api/v1/campaigns/[id]": { GET: anyone, PATCH: research },
  "/api/v1/campaigns/[id]/tasks": anyone,
  "/api/v1/campaigns/[id]/import": research,
  "/api/v1/campaigns/[id]/quality": research,
  "/api/v1/judgments": anyone,
  "/api/v1/judgments/[id]": anyone,
  "/api/v1/assignments/[id]/skip": anyone,
  "/api/v1/snapshots": research,
  "/api/v1/snapshots/[id]": research,
  "/api/v1/snapshots/[id]/export": research,
  "/api/v1/snapshots/[id]/export/manifest": research,
  "/api/v1/runs": research,
  "/api/v1/score": research,
  "/api/v1/playground": research,
  "/api/v1/checkpoints": research,
  "/api/v1/checkpoints/[id]/download": research,
  "/api/v1/runs/[id]": research,
  "/api/v1/runs/[id]/metrics": research,
  "/api/v1/runs/[id]/logs": research,
  "/api/v1/runs/[id]/samples": research,
  "/api/v1/runs/[id]/cancel": research,
};

/** next-auth's own endpoints: public by design, and not ours to guard. */
const exempt = ["/api/auth/[...nextauth]"];

export type Route = { path: string; kind: "page" | "api"; methods: string[] };

export function discoverRoutes(appDir = "app"): Route[] {
  const out: Route[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        // Route groups "(x)" and private folders "_x" add no URL segment / no routes.
        if (entry.name.startsWith("_")) continue;
        walk(full, /^\(.*\)$/.test(entry.name) ? segments : [...segments, entry.name]);
      } else if (entry.name === "page.tsx" || entry.name === "route.ts") {
        const p = "/" + segments.join("/");
        if (exempt.includes(p)) continue;
        const kind = entry.name === "page.tsx" ? "page" : "api";
        const source = readFileSync(full, "utf8");
        const methods = kind === "page" ? ["GET"] : [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
        out.push({ path: p, kind, methods });
      }
    }
  };
  walk(appDir, []);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** A concrete URL for a route: dynamic segments get `id`, by default a well-formed id that names nothing. */
export function concretePath(route: string, id = "00000000-0000-4000-8000-000000000000"): string {
  return route.replace(/\[[^\]]+\]/g, id);
}

export type Outcome = { status: number; location?: string };

/** What must happen when `caller` sends `method` to `route`; returns a reason when the outcome breaks the rule. */
export function violation(route: Route, caller: Caller, outcome: Outcome, method = "GET"): string | null {
  const entry = rules[route.path];
  const rule = entry === undefined || entry === "public" || Array.isArray(entry) ? entry : entry[method];
  if (rule === undefined) return `${method} ${route.path} has no access rule in e2e/route-matrix.ts`;
  if (outcome.status >= 500) return `${route.path} answered ${outcome.status} to ${caller}`;
  const allowed = rule === "public" || (caller !== "anonymous" && rule.includes(caller));
  if (allowed) return outcome.status === 401 || outcome.status === 403 ? `${route.path} refused ${caller}, who is allowed` : null;
  if (caller === "anonymous") {
    const toSignin = outcome.status >= 300 && outcome.status < 400 && (outcome.location ?? "").includes("/signin");
    if (route.kind === "page" ? !toSignin : outcome.status !== 401) return `${route.path} let an anonymous caller through (${outcome.status})`;
    return null;
  }
  return outcome.status === 403 ? null : `${route.path} let ${caller} through (${outcome.status})`;
}

/** The records that fill the dynamic pages: a campaign to label, a run, live invite and reset links. */
export type PageIds = { campaignId: string; runId: string; inviteToken: string; resetToken: string };

/** Every page under app/ that `caller` may open, as a URL; a dynamic page without an id here fails the test. */
export function pagesFor(caller: Caller, ids: PageIds): string[] {
  const idFor: Record<string, string> = {
    "[campaignId]": ids.campaignId,
    "[runId]": ids.runId,
  };
  return discoverRoutes()
    .filter((r) => r.kind === "page")
    .filter((r) => {
      const rule = rules[r.path];
      return rule === "public" ? caller === "anonymous" : Array.isArray(rule) && caller !== "anonymous" && rule.includes(caller);
    })
    .flatMap((r) => {
      if (r.path === "/invite/[token]") return [`/invite/${ids.inviteToken}`, concretePath(r.path, "unknown-token")];
      if (r.path === "/reset-password/[token]") return [`/reset-password/${ids.resetToken}`, concretePath(r.path, "unknown-token")];
      return [r.path.replace(/\[\w+\]/g, (segment) => idFor[segment] ?? `(no id for ${segment})`)];
    });
}
