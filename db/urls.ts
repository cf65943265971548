/**
 * Connection URLs that differ only in the database they name: scratch databases for tests
 * and benches, a restore target on the configured server, the maintenance database.
 */

/** The same server, user and options as `url`, naming database `name` instead. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** The database `url` names, decoded; `fallback` when it names none. */
export function databaseName(url: string, fallback = "postgres"): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || fallback;
}
