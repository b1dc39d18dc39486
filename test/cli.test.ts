// The `aloft` command as a user runs it: the built CLI in a child process,
// its own workspace, real inputs, exit codes and messages.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { before, describe, it } from "node:test";

const repo = resolve(import.meta.dirname, "..");
const cli = join(repo, "dist/cli.js");
const flows = join(repo, "test/fixtures/engine/flows.ts");

describe("aloft CLI", () => {
  let workspace: string;
  const aloft = (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, ...args], {
      cwd: repo,
      env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" },
      encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  before(() => {
    workspace = mkdtempSync(join(tmpdir(), "aloft-cli-"));
  });

  it("runs a workflow and prints the documented JSON", () => {
    const { code, stdout, stderr } = aloft("run", "--json", flows, "diamond", "--x", "5");
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.status, "succeeded");
    assert.equal(result.outputs, 40);
    assert.match(result.executionId, /^[a-z0-9]+$/);
  });

  it("lists an entity's inputs and types with --help after the entity", () => {
    const { code, stdout } = aloft("run", flows, "countedTwice", "--help");
    assert.equal(code, 0);
    assert.match(stdout, /--x\s+number/);
    assert.match(stdout, /--counter\s+string/);
  });

  it("parses arrays as JSON and validates them against the interface", () => {
    const ok = aloft("run", "--json", flows, "namedOutputs", "--xs", "[1,2,3]");
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).outputs, { doubledTotal: 12, count: 3 });
    const bad = aloft("run", flows, "namedOutputs", "--xs", '["a"]');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /input "xs".*number\[\]/);
  });

  it("names the input, the expected type and what was given", () => {
    const { code, stderr } = aloft("run", flows, "diamond", "--x", "abc");
    assert.equal(code, 2);
    assert.match(stderr, /input "x".*expects number.*"abc"/);
  });

  it("reports missing and unknown inputs", () => {
    const missing = aloft("run", flows, "diamond");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /x/);
    assert.match(missing.stderr, /INPUT_MISSING/);
    const unknown = aloft("run", flows, "diamond", "--x", "1", "--y", "2");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /INPUT_UNKNOWN/);
  });

  it("lists the entities that exist when the entity is unknown", () => {
    const { code, stderr } = aloft("run", flows, "diamnd");
    assert.equal(code, 2);
    assert.match(stderr, /no exported task, workflow or dynamic named "diamnd".*diamond \(workflow\)/s);
  });

  it("says so when the file does not exist", () => {
    const { code, stderr } = aloft("run", "nope/missing.ts", "wf");
    assert.equal(code, 2);
    assert.match(stderr, /nope\/missing\.ts: no such file/);
  });

  it("rejects a File input whose path does not exist", () => {
    const { code, stderr } = aloft("run", flows, "readReport", "--report", "/no/such/file.txt");
    assert.equal(code, 2);
    assert.match(stderr, /\/no\/such\/file\.txt/);
  });

  it("exits 1 with the task's message and a .ts position when a task throws", () => {
    const { code, stderr } = aloft("run", flows, "throws", "--reason", "disk full");
    assert.equal(code, 1);
    assert.match(stderr, /cannot proceed: disk full/);
    assert.match(stderr, /flows\.ts:\d+:\d+/);
  });

  it("lists and shows executions, and replays a node's logs", () => {
    const counter = join(workspace, "flaky-counter");
    const run = aloft("run", "--json", flows, "flaky", "--counter", counter, "--failTimes", "0");
    const { executionId } = JSON.parse(run.stdout);
    const list = aloft("executions", "list");
    assert.equal(list.code, 0);
    assert.match(list.stdout, new RegExp(executionId));
    const get = aloft("executions", "get", executionId, "--json");
    assert.equal(JSON.parse(get.stdout).nodes[0].status, "succeeded");
    const logs = aloft("logs", executionId, "flaky");
    assert.equal(logs.code, 0);
    assert.match(logs.stdout, /attempt 1/);
    const missing = aloft("executions", "get", "nosuchid");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no execution "nosuchid"/);
  });

  /**
   * Starts `aloft run` on an entity whose steps write `marker`, kills the
   * runner with SIGKILL once the second step has started (so the first has
   * finished), and returns the id of the execution it left running.
   */
  async function killMidRun(entity: string, marker: string, inputs: string[]): Promise<string> {
    const child = spawn(process.execPath, [cli, "run", flows, entity, "--marker", marker, ...inputs], {
      cwd: repo,
      env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" },
      stdio: "ignore",
    });
    for (let i = 0; i < 200 && !(existsSync(marker) && readFileSync(marker, "utf8").split("\n").length > 2); i++) await sleep(50);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const list = JSON.parse(aloft("executions", "list", "--json").stdout) as { executionId: string; entity: string; status: string }[];
    const interrupted = list.find((e) => e.entity === entity);
    assert.ok(interrupted, "the killed run was recorded");
    assert.equal(interrupted.status, "running");
    return interrupted.executionId;
  }

  it("resumes an execution whose runner was killed with SIGKILL, without re-running finished nodes", async () => {
    const marker = join(workspace, "chain-marker");
    const executionId = await killMidRun("chain", marker, ["--ms", "400"]);
    const resumed = aloft("executions", "resume", executionId);
    assert.equal(resumed.code, 0, resumed.stderr);
    const steps = readFileSync(marker, "utf8").trim().split("\n");
    assert.equal(steps.filter((s) => s === "1").length, 1, `step 1 ran once: ${steps}`);
    assert.deepEqual([...new Set(steps)], ["1", "2", "3", "4"].filter((s) => steps.includes(s)));
    assert.ok(steps.includes("4"));
    const get = JSON.parse(aloft("executions", "get", executionId, "--json").stdout);
    assert.equal(get.status, "succeeded");
    assert.equal(get.outputs, 4);
  });

  it("resumes an interrupted dynamic from its stored graph, without re-running finished steps", async () => {
    const marker = join(workspace, "dynamic-marker");
    const executionId = await killMidRun("slowSteps", marker, ["--n", "4", "--ms", "400"]);
    const resumed = aloft("executions", "resume", executionId);
    assert.equal(resumed.code, 0, resumed.stderr);
    const steps = readFileSync(marker, "utf8").trim().split("\n");
    assert.equal(steps.filter((s) => s === "1").length, 1, `step 1 ran once: ${steps}`);
    assert.ok(steps.includes("4"));
    const get = JSON.parse(aloft("executions", "get", executionId, "--json").stdout);
    assert.equal(get.outputs, 4);
  });

  it("prints a workflow's graph as JSON, Mermaid or dot", () => {
    const json = aloft("graph", flows, "diamond");
    assert.equal(json.code, 0, json.stderr);
    const graph = JSON.parse(json.stdout);
    assert.deepEqual(graph.nodes.map((n: { id: string }) => n.id), ["double", "double-2", "double-3", "add"]);
    assert.deepEqual(graph.nodes[1].inputs, { x: { ref: { node: "double" } } });
    const dot = aloft("graph", flows, "diamond", "--format", "dot");
    assert.match(dot.stdout, /"double" -> "double-2" \[label="x"\];/);
    const mermaid = aloft("graph", flows, "diamond", "--format=mermaid");
    assert.match(mermaid.stdout, /^flowchart LR/);
    const notWorkflow = aloft("graph", flows, "double");
    assert.equal(notWorkflow.code, 2);
    assert.match(notWorkflow.stderr, /"double" is a task/);
    const traced = aloft("graph", flows, "diamond", "--traced");
    assert.equal(traced.code, 0, traced.stderr);
    assert.deepEqual(JSON.parse(traced.stdout), graph, "the traced graph is the static one");
  });

  it("says why a workflow that breaks a rule has no graph", () => {
    const broken = aloft("graph", join(import.meta.dirname, "fixtures/rules/workflow-body.ts"), "arithmetic");
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /the graph of workflow "arithmetic" cannot be read/);
    assert.match(broken.stderr, /ALOFT_COMPUTES_ON_OUTPUT/);
  });
});
