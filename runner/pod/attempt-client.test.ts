import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { AttemptClient } from "./attempt-client.ts";

test("a try the runner never answers is dropped and made again on a fresh connection", { timeout: 20_000 }, async () => {
  let requests = 0;
  const server = createServer((_request, response) => {
    // The first request is taken and never answered, as on a connection that died without closing.
    if (++requests === 1) return;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ answered: requests }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new AttemptClient(url, "token", "exec/node/1", { totalMs: 30_000, firstDelayMs: 10, maxDelayMs: 50, answerMs: 1000 }, () => {});
    // On a busy machine a later try may be dropped too; whichever answer comes is the last try's. A try
    // made behind the unanswered one, on its connection, would never be answered: the test would time out.
    assert.deepEqual(await client.spec(), { answered: requests });
    assert.ok(requests >= 2);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
