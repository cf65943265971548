/**
 * formAction answers a form the way it was sent: to the page's script, the plain result; to a form the browser
 * posted itself (no `Next-Action` header), a refusal with the fields sent back (never a secret) or, on success, a
 * 303 to the answer's page with the result in a flash cookie scoped to it.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { inRequestScope } from "@/lib/testing/request-scope";
import { flashResult, formAction, sentFields } from "./form-action";
import { z } from "zod";

function form(entries: [string, string][]): FormData {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
}

const fields = form([
  ["$ACTION_REF_1", ""],
  ["$ACTION_1:0", '{"id":"7f00","bound":"$@1"}'],
  ["email", "ada@pairwise.local"],
  ["password", "correct-horse-battery"],
  ["campaignIds", "a"],
  ["campaignIds", "b"],
  ["toString", "x"],
]);

const post = (headers: Record<string, string> = {}) => new Request("http://localhost:3000/admin", { method: "POST", headers });
const refuse = async (): Promise<never> => {
  throw new AppError("bad_request:email", "That address is taken.");
};
const answer = () => ({ path: "/admin", flash: "new-user" });

describe("formAction", () => {
  it("sends back what was sent, less React's fields and secrets, with repeated names in order", () => {
    expect(sentFields(fields)).toEqual({ email: ["ada@pairwise.local"], campaignIds: ["a", "b"], toString: ["x"] });
  });

  it("refuses the page's script as before: no fields sent back", async () => {
    const result = await inRequestScope(post({ "next-action": "7f00" }), () => formAction(fields, { answer }, refuse));
    expect(result).toEqual({ ok: false, error: "That address is taken.", fieldErrors: { email: "That address is taken." } });
  });

  it("refuses a form the browser posted itself with its fields, never the password", async () => {
    const result = await inRequestScope(post(), () => formAction(fields, { answer }, refuse));
    expect(result.ok).toBe(false);
    expect(result.sent).toEqual({ email: ["ada@pairwise.local"], campaignIds: ["a", "b"], toString: ["x"] });
  });

  it("answers the page's script's success with the result, and sets no flash", async () => {
    const request = post({ "next-action": "7f00" });
    const result = await inRequestScope(request, (r) => formAction(fields, { answer }, async () => ({ email: "ada@pairwise.local" })).then((x) => [x, r] as const));
    expect(result[0]).toEqual({ ok: true, data: { email: "ada@pairwise.local" } });
    expect(result[1].cookies.has("pairwise-flash-new-user")).toBe(false);
  });

  it("redirects a form the browser posted itself after its success (303), the result in the flash", async () => {
    let redirect = "";
    let flash: string | undefined;
    await inRequestScope(post(), async (request) => {
      try {
        await formAction(fields, { answer }, async () => ({ email: "ada@pairwise.local" }));
      } catch (err) {
        redirect = String((err as { digest?: unknown }).digest);
      }
      flash = request.cookies.get("pairwise-flash-new-user")?.value;
    });
    expect(redirect).toMatch(/^NEXT_REDIRECT;\w+;\/admin;\d+;/);
    expect(JSON.parse(flash!)).toEqual({ email: "ada@pairwise.local" });
  });

  it("reads the flash its cookie carries, and ignores one of the wrong shape or not JSON", async () => {
    const page = (raw: string) => new Request("http://localhost:3000/admin", { headers: { cookie: `pairwise-flash-new-user=${encodeURIComponent(raw)}` } });
    const schema = z.object({ email: z.string() });
    expect(await inRequestScope(page(JSON.stringify({ email: "ünï@pairwise.local" })), () => flashResult("new-user", schema))).toEqual({ ok: true, data: { email: "ünï@pairwise.local" } });
    expect(await inRequestScope(page(JSON.stringify({ email: 5 })), () => flashResult("new-user", schema))).toBeNull();
    expect(await inRequestScope(page("{not json"), () => flashResult("new-user", schema))).toBeNull();
    expect(await inRequestScope(new Request("http://localhost:3000/admin"), () => flashResult("new-user", schema))).toBeNull();
  });
});
