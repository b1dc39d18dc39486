// The runner service's walls, from outside: no token, a wrong token, another
// project's token, a project token managing tokens, and a forged upload are
// refused, and nothing is leaked or changed by the attempt.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { cli, repo, startRunner, type RunnerProcess } from "./runner-process.ts";

const flows = join(repo, "test/fixtures/engine/flows.ts");

describe("runner service security", () => {
  let runner: RunnerProcess;
  let client: string;
  let alpha: string;
  let beta: string;
  let alphaExecution: { executionId: string; outputs: unknown };
  let alphaBlob: string;

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${runner.url}/api/v1${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body) } : {}),
    });
  const streamStatus = (path: string, token?: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${runner.url.replace("http", "ws")}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("open", () => {
        ws.close();
        resolve(101);
      });
      ws.on("error", reject);
    });
  const runAs = (token: string, ...args: string[]) =>
    spawnSync(process.execPath, [cli, "run", "--remote", "--runner", runner.url, "--token", token, "--json", ...args], {
      cwd: repo,
      env: { ...process.env, ALOFT_WORKSPACE: client, NO_COLOR: "1" },
      encoding: "utf8",
    });

  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-client-"));
    runner = await startRunner();
    const make = async (project: string) => {
      const response = await call("POST", "/tokens", runner.token, { project });
      assert.equal(response.status, 201, await response.clone().text());
      return ((await response.json()) as { token: string }).token;
    };
    alpha = await make("alpha");
    beta = await make("beta");
    const run = runAs(alpha, flows, "diamond", "--x", "5");
    assert.equal(run.status, 0, `${run.stderr}\n${runner.output()}`);
    alphaExecution = JSON.parse(run.stdout);
    const bytes = Buffer.from("alpha's private data\n");
    alphaBlob = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    assert.equal((await call("PUT", `/blobs/${alphaBlob}`, alpha, bytes)).status, 200);
  });
  after(async () => {
    await runner?.stop();
  });

  it("wants a token on every route and stream but the health check", async () => {
    assert.equal((await fetch(`${runner.url}/healthz`)).status, 200);
    for (const [method, path] of [["GET", "/executions"], ["GET", `/executions/${alphaExecution.executionId}`], ["POST", "/executions"], ["POST", "/blobs/missing"], ["GET", `/blobs/${alphaBlob}`], ["GET", "/tokens"]] as const) {
      const response = await call(method, path);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal((await call(method, path, "not-a-token-this-runner-issued")).status, 401, `${method} ${path} with a wrong token`);
    }
    assert.equal(await streamStatus(`/executions/${alphaExecution.executionId}/events`), 401);
    assert.equal(await streamStatus(`/executions/${alphaExecution.executionId}/logs`, "wrong"), 401);
  });

  it("hides one project's executions, streams and blobs from another", async () => {
    const id = alphaExecution.executionId;
    assert.equal((await call("GET", `/executions/${id}`, alpha)).status, 200);
    const asBeta = await call("GET", `/executions/${id}`, beta);
    assert.equal(asBeta.status, 404);
    assert.doesNotMatch(await asBeta.text(), /diamond/);
    const listed = (await (await call("GET", "/executions", beta)).json()) as { executions: unknown[] };
    assert.deepEqual(listed.executions, []);
    assert.equal((await call("POST", `/executions/${id}/cancel`, beta)).status, 404);
    assert.equal(await streamStatus(`/executions/${id}/events`, beta), 404);
    assert.equal(await streamStatus(`/executions/${id}/logs`, beta), 404);
    assert.equal(await streamStatus(`/executions/${id}/events`, alpha), 101);
    assert.equal((await call("GET", `/blobs/${alphaBlob}`, beta)).status, 404);
    assert.equal(await (await call("GET", `/blobs/${alphaBlob}`, alpha)).text(), "alpha's private data\n");
    const missing = (await (await call("POST", "/blobs/missing", beta, { digests: [alphaBlob] })).json()) as { missing: string[] };
    assert.deepEqual(missing.missing, [alphaBlob], "beta cannot learn that alpha holds the blob");
    const asAdmin = await call("GET", `/executions/${id}`, runner.token);
    assert.equal(((await asAdmin.json()) as { project: string }).project, "alpha");
  });

  it("keeps a project in its own project and away from token management", async () => {
    const submit = await call("POST", "/executions", beta, { project: "alpha", file: "x.ts", entity: "e", bundle: { code: alphaBlob }, interfaces: {}, entities: [], graphs: {}, inputs: {} });
    assert.equal(submit.status, 403);
    assert.equal((await call("POST", "/tokens", alpha, { project: "alpha" })).status, 403);
    assert.equal((await call("GET", "/tokens", alpha)).status, 403);
  });

  it("refuses a forged upload and keeps nothing of it", async () => {
    const claimed = `sha256:${createHash("sha256").update("what the client claims").digest("hex")}`;
    const response = await call("PUT", `/blobs/${claimed}`, alpha, Buffer.from("something else entirely"));
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "DIGEST_MISMATCH");
    const missing = (await (await call("POST", "/blobs/missing", alpha, { digests: [claimed] })).json()) as { missing: string[] };
    assert.deepEqual(missing.missing, [claimed]);
    assert.equal((await call("GET", `/blobs/${claimed}`, runner.token)).status, 404);
  });

  it("refuses a submission that names a blob its project never uploaded", async () => {
    const response = await call("POST", "/executions", beta, { file: "x.ts", entity: "e", bundle: { code: alphaBlob }, interfaces: { e: { name: "e", kind: "task", inputs: {}, output: { kind: "number" }, line: 1 } }, entities: [{ name: "e", kind: "task", options: {} }], graphs: {}, inputs: {} });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /BLOB_MISSING/);
  });
});
