/**
 * The database, for the few CLI commands that touch it: DATABASE_URL, else the embedded one
 * `npm start` runs (db/configured.ts). Imported lazily, so commands that need no database run
 * without one; the pool is closed afterwards, since an open one keeps the process alive after
 * the command has printed its result.
 */
export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  const { withAppDatabase } = await import("@/db/configured");
  return withAppDatabase(work);
}
