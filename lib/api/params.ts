import { z } from "zod";
import { AppError } from "@/lib/errors";

/** A route's `[id]` segment as a uuid, or 404 (a malformed id names nothing). */
export async function idParam(params: Promise<{ id: string }>, what: string): Promise<string> {
  const parsed = z.uuid().safeParse((await params).id);
  if (!parsed.success) throw new AppError(`not_found:${what}`, `No such ${what}.`);
  return parsed.data;
}

export type IdContext = { params: Promise<{ id: string }> };
