// The runner's debugger tunnel under faults: only the execution's project
// may open it (another project's token sees no such execution, a pod's
// attempt token is refused, no token is unauthorised), and a relay killed
// while the debugger is stopped at a breakpoint loses nothing: the attempt
// runs on and the execution succeeds.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { aloftAsync, cli, repo, startRunner, type RunnerProcess } from "../remote/runner-process.ts";
import { breakAndInspect, bundlePositionOf } from "./inspector-session.ts";

const training = join(repo, "samples/fraud/training.ts");
const data = join(repo, "samples/fraud/data");
const TRAIN_LINE = readFileSync(training, "utf8").split("\n").findIndex((l) => l.includes("const model = trainOnBatch(")) + 1;

/** The tunnel's answer to an upgrade with `token`: the HTTP status of a refusal, or 101. */
function tunnelStatus(runner: RunnerProcess, executionId: string, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${runner.url.replace(/^http/, "ws")}/api/v1/executions/${executionId}/debugger?node=trainModel`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    ws.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("error", reject);
  });
}

describe("the debugger tunnel", () => {
  let runner: RunnerProcess;
  let client: string;
  before(async () => {
    client = mkdtempSync(join(tmpdir(), "aloft-tunnel-client-"));
    runner = await startRunner();
  });
  after(async () => {
    await runner?.stop();
  });
  const remote = (token: string, ...args: string[]) => ["--runner", runner.url, "--token", token, ...args];

  async function projectToken(project: string): Promise<string> {
    const response = await fetch(`${runner.url}/api/v1/tokens`, { method: "POST", headers: { authorization: `Bearer ${runner.token}`, "content-type": "application/json" }, body: JSON.stringify({ project }) });
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as { token: string }).token;
  }

  it("opens only for the execution's project, and a relay killed mid-session loses nothing", async () => {
    const [fraud, other] = [await projectToken("fraud"), await projectToken("other")];
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--debug", "trainModel", ...remote(fraud, training, "trainingWorkflow", "--data", data)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const { executionId } = JSON.parse(submitted.stdout) as { executionId: string };

    const relay = spawn(process.execPath, [cli, "debug", executionId, "trainModel", "--json", ...remote(fraud)], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: client, NO_COLOR: "1" } });
    let relayOutput = "";
    relay.stderr.on("data", (chunk: Buffer) => (relayOutput += chunk.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      relay.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
      });
      relay.on("close", (code) => reject(new Error(`aloft debug exited with ${code}: ${relayOutput}`)));
    });
    const target = JSON.parse(line) as { websocketAddress: string };

    // The attempt is paused now: who may reach it.
    assert.equal(await tunnelStatus(runner, executionId, other), 404, "another project's token does not even see the execution");
    assert.equal(await tunnelStatus(runner, executionId, undefined), 401);
    assert.equal(await tunnelStatus(runner, executionId, "not-a-token"), 401);
    const refusal = await aloftAsync(client, ["debug", executionId, "trainModel", ...remote(other)]);
    assert.equal(refusal.code, 2);
    assert.match(refusal.stderr, /no execution/);

    // Stopped at the breakpoint, then the relay dies under the debugger.
    let stopped = false;
    const session = breakAndInspect(target.websocketAddress, await bundlePositionOf(training, TRAIN_LINE), "(() => { globalThis.__stopped = true; return batchName; })()", 60_000, async () => {
      stopped = true;
      relay.kill("SIGKILL");
    });
    await assert.rejects(session, /WebSocket|closed|socket|disconnect/i, "the debugger's connection ends with the relay");
    assert.ok(stopped, "the debugger had stopped at the breakpoint before the relay died");

    const followed = await aloftAsync(client, ["logs", executionId, "--follow", ...remote(fraud)]);
    assert.equal(followed.code, 0, followed.stderr);
    const ended = JSON.parse((await aloftAsync(client, ["executions", "get", executionId, "--json", ...remote(fraud)])).stdout) as { status: string; nodes: { id: string; attempts: number }[] };
    assert.equal(ended.status, "succeeded", "the attempt ran on once its debugger was gone");
    assert.equal(ended.nodes.find((n) => n.id === "trainIterative/trainModel")?.attempts, 1, "nothing ran twice");
  });
});
