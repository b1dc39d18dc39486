// Attempts that run longer than their token lasts: the agent renews the token
// at half its life, in a pod of its own and on a warm worker pod alike. The
// runner runs with `--attempt-token-ttl 5s` on the API simulator; each task
// sleeps well past two tokens' lives, then uploads and reports its result
// with the token it holds by then.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutionDetailResponse } from "../../runner/service/protocol.ts";
import { aloftAsync, attemptPodEnv, repo, startRunnerOnSimulator, type SimulatedCluster } from "./runner-process.ts";

const fixture = join(repo, "test/fixtures/remote/long-attempts.ts");
const TTL_MS = 5000;

describe("attempt tokens renewed while the attempt runs", () => {
  let cluster: SimulatedCluster;

  before(async () => {
    cluster = await startRunnerOnSimulator({ podStartLatencyMs: 50, args: ["--attempt-token-ttl", `${TTL_MS / 1000}s`] });
  });
  after(() => cluster?.stop());

  it("lets a task run past its first token's expiry and report with the renewed one", { timeout: 120_000 }, async () => {
    const { runner, client, sim } = cluster;
    const submitted = await aloftAsync(client, ["run", "--remote", "--detach", "--json", "--runner", runner.url, "--token", runner.token, fixture, "napBoth", "--ms", String(TTL_MS * 2.5)]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const executionId = (JSON.parse(submitted.stdout) as { executionId: string }).executionId;

    // The first token, as the pod of napInPod was given it.
    const env = await attemptPodEnv(sim, "napInPod");

    const get = async (path: string, token = runner.token) => fetch(`${runner.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    let detail: ExecutionDetailResponse;
    for (const deadline = Date.now() + 90_000; ; await sleep(250)) {
      detail = (await (await get(`/executions/${executionId}`)).json()) as ExecutionDetailResponse;
      if (detail.status !== "running") break;
      assert.ok(Date.now() < deadline, `the execution is still ${detail.status}\n--- runner\n${runner.output()}`);
    }
    assert.equal(detail.status, "succeeded", `${JSON.stringify(detail.error)}\n--- runner\n${runner.output()}`);
    assert.deepEqual(detail.outputs, { pod: "pod", worker: "worker" });
    for (const node of ["napInPod", "napOnWorker"]) {
      const attempts = detail.nodes.find((n) => n.id === node)?.attempts;
      assert.equal(attempts, 1, `${node} ran in ${attempts} attempts: its token was not renewed in time\n--- runner\n${runner.output()}`);
    }

    // The pod's first token did expire: the renewed ones carried the attempt to its report.
    const first = await get(`/attempts/${encodeURIComponent(env.ALOFT_ATTEMPT!)}`, env.ALOFT_ATTEMPT_TOKEN);
    assert.equal(first.status, 401);
    assert.match(await first.text(), /expired/);
  });
});
