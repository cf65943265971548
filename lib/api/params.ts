import { z } from "zod";
import { AppError } from "@/lib/errors";

/** An id as a uuid, or "no such <what>" (a malformed id names nothing). */
export function parseId(value: unknown, what: string): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) throw new AppError(`not_found:${what}`, `No such ${what}.`);
  return parsed.data;
}

/** A route's `[id]` segment as a uuid, or 404. */
export async function idParam(params: Promise<{ id: string }>, what: string): Promise<string> {
  return parseId((await params).id, what);
}

export type IdContext = { params: Promise<{ id: string }> };
