// `aloft runner start` as a user runs it: the built CLI in a child process, its
// own workspace, real HTTP on loopback, executions made by real local runs.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ErrorResponse, ExecutionDetailResponse, ExecutionListResponse, HealthResponse } from "../runner/service/protocol.ts";
import { TestSchemas } from "../runner/store/postgres-test-support.ts";
import { aloftAsync } from "./remote/runner-process.ts";

const repo = resolve(import.meta.dirname, "..");
const cli = join(repo, "dist/cli.js");
const flows = join(repo, "test/fixtures/engine/flows.ts");

interface StartedRunner {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  /** Everything it printed, stdout then stderr. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function env(workspace: string) {
  return { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1" };
}

/** Starts `aloft runner start ARGS` and resolves once it prints the URL it listens on. */
function startRunner(workspace: string, ...args: string[]): Promise<StartedRunner> {
  const child = spawn(process.execPath, [cli, "runner", "start", "--port", "0", ...args], { cwd: repo, env: env(workspace), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("exit", (code, signal) => done({ code, signal })));
  return new Promise((resolveStarted, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not say it was listening within 20 s:\n${stdout}\n${stderr}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk;
      const match = /aloft runner listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolveStarted({ child, url: match[1]!, stdout: () => stdout, output: () => `${stdout}${stderr}`, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });
}

async function stopRunner(runner: StartedRunner) {
  runner.child.kill("SIGTERM");
  return runner.exited;
}

describe("aloft runner start", () => {
  let workspace: string;
  let runner: StartedRunner;
  let token: string;
  const executionIds: Record<string, string> = {};

  const aloft = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: env(workspace), encoding: "utf8" });
  const get = async <T = ErrorResponse>(path: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
    let response: Response;
    try {
      response = await fetch(runner.url + path, { headers });
    } catch (error) {
      const { exitCode, signalCode } = runner.child;
      const state = exitCode !== null || signalCode !== null ? `exited (${exitCode ?? signalCode})` : "still runs";
      throw new Error(`GET ${path}: ${(error as Error).message}; the runner ${state}:\n${runner.output()}`, { cause: error });
    }
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "aloft-runner-"));
    runner = await startRunner(workspace);
    token = readFileSync(join(workspace, ".aloft/runner-token"), "utf8").trim();
  });

  after(() => {
    if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill("SIGKILL");
  });

  it("creates an admin token in .aloft/runner-token, mode 0600, and says so without printing it", () => {
    const tokenFile = join(workspace, ".aloft/runner-token");
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.match(token, /^aloft-token\.[A-Za-z0-9_-]{43}$/);
    assert.ok(runner.stdout().includes(`created an admin token and wrote it to ${tokenFile}`), runner.stdout());
    assert.ok(!runner.stdout().includes(token), "the token must never be printed");
    assert.match(runner.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers the health check without a token", async () => {
    const { status, body } = await get<HealthResponse>("/healthz", {});
    assert.equal(status, 200);
    assert.deepEqual(body, { ok: true, version: JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version });
  });

  it("answers 401 with WWW-Authenticate: Bearer without a token, with a wrong one, and with a malformed header", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /wants an "Authorization: Bearer TOKEN" header/],
      [{ authorization: `Bearer ${token.slice(0, -2)}xx` }, /not one this runner issued/],
      [{ authorization: `Basic ${Buffer.from(`admin:${token}`).toString("base64")}` }, /uses the "Basic" scheme/],
      [{ authorization: token }, /Authorization header/],
    ];
    for (const [headers, message] of cases) {
      const { status, headers: answer, body } = await get("/api/v1/executions", headers);
      assert.equal(status, 401, JSON.stringify(headers));
      assert.match(answer.get("www-authenticate") ?? "", /^Bearer\b/);
      assert.equal(body.error.code, "UNAUTHENTICATED");
      assert.match(body.error.message, message);
    }
  });

  it("lists and gets executions that local runs made in the same workspace", async () => {
    const empty = await get<ExecutionListResponse>("/api/v1/executions");
    assert.deepEqual(empty.body, { executions: [] });

    for (const [name, args] of [["diamond", ["diamond", "--x", "5"]], ["checkPositive", ["checkPositive", "--x", "-1"]]] as const) {
      // Not spawnSync: this process's event loop must keep serving its kept-alive connections to the runner meanwhile.
      const run = await aloftAsync(workspace, ["run", "--json", flows, ...args]);
      executionIds[name] = JSON.parse(run.stdout).executionId;
    }

    const listed = await get<ExecutionListResponse>("/api/v1/executions");
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.executions.map((e: { executionId: string; entity: string; status: string }) => [e.executionId, e.entity, e.status]),
      [
        [executionIds.checkPositive, "checkPositive", "failed"],
        [executionIds.diamond, "diamond", "succeeded"],
      ],
    );
    const failed = await get<ExecutionListResponse>("/api/v1/executions?status=failed&limit=5");
    assert.deepEqual(failed.body.executions.map((e: { executionId: string }) => e.executionId), [executionIds.checkPositive]);
    assert.equal((await get<ExecutionListResponse>("/api/v1/executions?limit=1")).body.executions.length, 1);

    const diamond = await get<ExecutionDetailResponse>(`/api/v1/executions/${executionIds.diamond}`);
    assert.equal(diamond.status, 200);
    assert.equal(diamond.body.outputs, 40);
    assert.deepEqual(diamond.body.inputs, { x: 5 });
    assert.equal(diamond.body.file, flows);
    assert.ok(diamond.body.nodes.length >= 3, JSON.stringify(diamond.body.nodes));
    assert.ok(diamond.body.nodes.every((n: { status: string }) => n.status === "succeeded"));

    const failing = await get<ExecutionDetailResponse>(`/api/v1/executions/${executionIds.checkPositive}`);
    assert.equal(failing.body.status, "failed");
    assert.match(failing.body.error?.message ?? "", /negative input -1/);
  });

  it("answers 404 naming an unknown execution id", async () => {
    const { status, body } = await get("/api/v1/executions/nosuchexecution");
    assert.equal(status, 404);
    assert.equal(body.error.code, "EXECUTION_NOT_FOUND");
    assert.match(body.error.message, /no execution "nosuchexecution"/);
  });

  it("keeps its token across a restart, and exits 0 on SIGTERM", async () => {
    assert.deepEqual(await stopRunner(runner), { code: 0, signal: null });
    runner = await startRunner(workspace);
    assert.equal(readFileSync(join(workspace, ".aloft/runner-token"), "utf8").trim(), token);
    assert.match(runner.stdout(), /using the admin token in .*runner-token/);
    const listed = await get<ExecutionListResponse>("/api/v1/executions");
    assert.equal(listed.status, 200);
    assert.equal(listed.body.executions.length, 2);
    assert.deepEqual(await stopRunner(runner), { code: 0, signal: null });
  });

  it("stops on SIGINT too", async () => {
    runner = await startRunner(workspace);
    runner.child.kill("SIGINT");
    assert.deepEqual(await runner.exited, { code: 0, signal: null });
  });

  it("says clearly what it does not support or cannot use, with exit code 2", () => {
    for (const [args, message] of [
      [["--db", "postgres://aloft:hunter2@db:port/aloft"], /--db: postgres:\/\/aloft@db:port\/aloft is not a PostgreSQL URL aloft can use/],
      [["--store", "s3://bucket"], /--store s3:\/\/… is not supported yet/],
      [["--kubeconfig", "kube.yaml"], /kube\.yaml/],
      [["--max-pods", "0"], /--max-pods expects a positive whole number/],
      [["--heartbeat", "200ms"], /--heartbeat expects a duration of at least 1s, like 10s; got "200ms"/],
      [["--attempt-token-ttl", "1s"], /--attempt-token-ttl expects a duration of at least 2s, like 1h; got "1s"/],
      [["--advertise-url", "runner:7878"], /--advertise-url expects the runner's URL/],
      [["--db", "state.db"], /--db expects sqlite:PATH/],
      [["--port", "http"], /--port expects a port number/],
      [["--verbose"], /does not take "--verbose"/],
    ] as const) {
      const result = aloft("runner", "start", ...args);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it("uses the database --db names, and says so when its port is taken", async () => {
    const database = join(workspace, "other.db");
    runner = await startRunner(workspace, "--db", `sqlite:${database}`);
    try {
      assert.match(runner.stdout(), new RegExp(`state in ${database}`));
      assert.deepEqual((await get<ExecutionListResponse>("/api/v1/executions", { authorization: `Bearer ${readFileSync(join(workspace, ".aloft/runner-token"), "utf8").trim()}` })).body, { executions: [] });
      const port = new URL(runner.url).port;
      const taken = aloft("runner", "start", "--port", port, "--db", `sqlite:${database}`);
      assert.notEqual(taken.status, 0);
      assert.match(taken.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      await stopRunner(runner);
    }
  });

  it("keeps its state in PostgreSQL with --db postgres://…, shared by a second replica", async () => {
    const schemas = new TestSchemas();
    const database = schemas.url();
    const shared = mkdtempSync(join(tmpdir(), "aloft-runner-pg-"));
    const replicas: StartedRunner[] = [];
    try {
      replicas.push(await startRunner(shared, "--db", database));
      assert.ok(replicas[0]!.stdout().includes(`state in ${database}`), replicas[0]!.stdout());
      assert.match(replicas[0]!.stdout(), /created an admin token/);
      const sharedToken = readFileSync(join(shared, ".aloft/runner-token"), "utf8").trim();
      replicas.push(await startRunner(shared, "--db", database));
      assert.match(replicas[1]!.stdout(), /using the admin token/, "the second replica knows the token the first one issued");
      for (const replica of replicas) {
        const response = await fetch(`${replica.url}/api/v1/executions`, { headers: { authorization: `Bearer ${sharedToken}` } });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { executions: [] });
      }
    } finally {
      for (const replica of replicas) await stopRunner(replica);
      await schemas.dropAll();
    }
  });

  it("says which PostgreSQL database it cannot reach, without its password", () => {
    const result = aloft("runner", "start", "--port", "0", "--db", "postgres://aloft:hunter2@127.0.0.1:1/aloft");
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /cannot reach the PostgreSQL database postgres:\/\/aloft@127\.0\.0\.1:1\/aloft/);
    assert.ok(!result.stderr.includes("hunter2"), result.stderr);
  });
});
