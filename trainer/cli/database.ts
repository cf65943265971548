/**
 * The database, for the few CLI commands that touch it. The client is imported only here, so
 * commands that need no database run without DATABASE_URL; the pool is closed afterwards,
 * since an open one keeps the process alive after the command has printed its result.
 */
export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  const { closeDatabase } = await import("@/db/client");
  try {
    return await work();
  } finally {
    await closeDatabase();
  }
}
