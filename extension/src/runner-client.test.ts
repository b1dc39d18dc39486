// The editor's runner client and submission against a real runner service:
// this checkout's CLI (dist/cli.js, built by `npm run build`) started as the
// extension starts it, in a workspace holding the fraud sample.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { EventMessage, LogStreamMessage } from "../../runner/service/protocol.ts";
import { startLocalRunner, type LocalRunnerService } from "./local-runner-service.ts";
import { RunnerClient, RunnerError } from "./runner-client.ts";
import { submit, type Submission } from "./submission.ts";

const repo = resolve(import.meta.dirname, "../..");
const cli = join(repo, "dist/cli.js");

describe("a local runner service, as the extension runs it", () => {
  let folder: string;
  let runner: LocalRunnerService;
  let client: RunnerClient;
  const log: string[] = [];
  const submission = (inputArgs: string[], file = "fraud/training.ts", entity = "trainingWorkflow"): Submission => ({
    runtime: process.execPath,
    cli,
    folder,
    endpoint: runner,
    file: join(folder, file),
    entity,
    inputArgs,
    skipCheck: false,
  });

  before(async () => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    folder = realpathSync(mkdtempSync(join(tmpdir(), "aloft-extension-runner-")));
    cpSync(join(repo, "samples/fraud"), join(folder, "fraud"), { recursive: true });
    cpSync(join(repo, "test/fixtures/check/planted.ts"), join(folder, "planted.ts"));
    mkdirSync(join(folder, "node_modules/@types"), { recursive: true });
    symlinkSync(repo, join(folder, "node_modules/aloft"), "dir");
    symlinkSync(join(repo, "node_modules/@types/node"), join(folder, "node_modules/@types/node"), "dir");
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "fraud-models", private: true, type: "module" }));
    writeFileSync(join(folder, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "preserve", moduleResolution: "bundler", allowImportingTsExtensions: true, noEmit: true, types: ["node"] } }));
    runner = await startLocalRunner({ runtime: process.execPath, cli, folder }, (line) => log.push(line));
    client = new RunnerClient(runner);
  });

  after(async () => {
    await runner?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("listens on a loopback URL with the admin token of the folder's .aloft/", async () => {
    assert.match(runner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(runner.token, readFileSync(join(folder, ".aloft/runner-token"), "utf8").trim());
    assert.match(runner.replicaId, /^vscode-[0-9a-f]{12}$/);
    assert.equal((await client.health()).ok, true);
  });

  it("runs a submitted workflow to its end, with its events and its logs streamed", async () => {
    const outcome = await submit(submission(["--data=fraud/data"]));
    assert.equal(outcome.kind, "submitted", JSON.stringify(outcome));
    const id = (outcome as { executionId: string }).executionId;

    const events: EventMessage[] = [];
    await client.events(id, (message) => events.push(message)).done;
    assert.equal(events[0]?.type, "snapshot");
    const end = events.at(-1);
    assert.ok(end?.type === "end", `last event: ${JSON.stringify(end)}`);
    assert.equal(end.execution.status, "succeeded");
    assert.deepEqual(
      end.execution.nodes.filter((n) => n.parentId === null).map((n) => [n.id, n.status]),
      [["prepareBatches", "succeeded"], ["trainIterative", "succeeded"], ["evaluate", "succeeded"]],
    );

    // The logs stream replays what was stored, then ends with the execution.
    const logs: LogStreamMessage[] = [];
    await client.logs(id, undefined, (message) => logs.push(message)).done;
    const text = logs.flatMap((m) => (m.type === "log" ? [`${m.nodeId}: ${m.text}`] : []));
    assert.ok(text.some((line) => line.startsWith("prepareBatches: prepareBatches: 6000 transactions")), text.join(""));
    assert.ok(text.some((line) => line.startsWith("evaluate: evaluate: 6000 transactions")), text.join(""));
    assert.deepEqual(logs.at(-1), { type: "end", status: "succeeded" });
    const onlyEvaluate: LogStreamMessage[] = [];
    await client.logs(id, "evaluate", (message) => onlyEvaluate.push(message)).done;
    assert.deepEqual([...new Set(onlyEvaluate.flatMap((m) => (m.type === "log" ? [m.nodeId] : [])))], ["evaluate"]);

    const { executions } = await client.listExecutions(10);
    assert.deepEqual(executions.map((e) => [e.executionId, e.entity, e.file, e.status]), [[id, "trainingWorkflow", "fraud/training.ts", "succeeded"]]);
  });

  it("says an execution is not found, by its JSON route and by its streams", async () => {
    const refused = await client.getExecution("mx0nothing").catch((error: unknown) => error);
    assert.ok(refused instanceof RunnerError && refused.notFound, String(refused));
    const stream = await client.events("mx0nothing", () => {}).done.catch((error: unknown) => error);
    assert.ok(stream instanceof RunnerError && stream.notFound, String(stream));
  });

  it("reports errors in the file apart from other refusals", async () => {
    const planted = await submit(submission([], "planted.ts", "training"));
    assert.equal(planted.kind, "check-failed", JSON.stringify(planted));
    assert.ok((planted as { diagnostics: string[] }).diagnostics.some((line) => line.includes("ALOFT_WIRING_MISMATCH")), JSON.stringify(planted));

    const badInput = await submit(submission(["--data=fraud/nowhere"]));
    assert.equal(badInput.kind, "failed");
    assert.match((badInput as { message: string }).message, /data/);
  });

  it("cannot reach a runner that is not there, and says which", async () => {
    const nobody = new RunnerClient({ url: "http://127.0.0.1:9", token: "x" });
    const error = await nobody.health().catch((e: unknown) => e);
    assert.ok(error instanceof RunnerError && error.code === "RUNNER_UNREACHABLE");
    assert.match(error.message, /cannot reach the aloft runner at http:\/\/127\.0\.0\.1:9/);
  });

  it("stops when asked, and its process ends", async () => {
    await runner.stop();
    assert.match(await runner.exited, /^(exit 0|signal SIGTERM)$/);
  });
});
