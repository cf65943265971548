import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitForHttp } from "./wait-for-http";

let server: Server | undefined;
afterEach(() => server?.close());

/** A server that answers 503 to its first `failures` requests and 200 after; returns its URL and a request counter. */
async function flakyServer(failures: number) {
  let requests = 0;
  server = createServer((_req, res) => {
    requests++;
    res.statusCode = requests <= failures ? 503 : 200;
    res.end("body that waitForHttp does not read");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => requests };
}

describe("waitForHttp", () => {
  it("polls until the server answers a status it accepts", async () => {
    const s = await flakyServer(3);
    await waitForHttp(s.url, 5000, (status) => status === 200);
    expect(s.requests()).toBe(4);
  });
  it("says which status the server kept answering, or that it never answered", async () => {
    const s = await flakyServer(1000);
    await expect(waitForHttp(s.url, 300, (status) => status === 200)).rejects.toThrow(`${s.url} still answered 503 after 0.3 s.`);
    await expect(waitForHttp("http://127.0.0.1:1/", 300)).rejects.toThrow("http://127.0.0.1:1/ did not answer within 0.3 s.");
  });
});
