/**
 * The digest Next puts on a server error: the error page shows it as a reference, and the
 * server logs the cause under it (lib/request-errors.ts). A client-side error has none.
 */
export function digestOf(err: unknown): string | null {
  const digest = typeof err === "object" && err !== null ? (err as { digest?: unknown }).digest : undefined;
  return typeof digest === "string" && digest ? digest : null;
}
