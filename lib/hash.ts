import { createHash } from "node:crypto";
import type { PromptContent } from "@/db/schema";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** What identifies a prompt within a campaign: its text, or its messages as JSON. */
export function promptHash(content: PromptContent): string {
  return sha256(typeof content === "string" ? content : JSON.stringify(content));
}
