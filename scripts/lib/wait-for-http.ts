/** Resolves once `url` answers with a status `accept` takes (any, by default); polls every 100 ms. */
export async function waitForHttp(url: string, timeoutMs: number, accept: (status: number) => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | null = null;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel(); // only the status matters; an unread body would hold its socket
      last = res.status;
      if (accept(last)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(last === null ? `${url} did not answer within ${timeoutMs / 1000} s.` : `${url} still answered ${last} after ${timeoutMs / 1000} s.`);
}
