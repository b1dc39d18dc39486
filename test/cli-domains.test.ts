// Domains from the command line: `aloft run [--remote] --domain D` records
// the execution in D (a flag before FILE; an input named `domain` after
// ENTITY stays the entity's), `aloft executions list --domain D` shows only
// D's, `get` names it; locally and on a runner service; bad names refused
// naming the flag.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cli, repo, startRunner, type RunnerProcess } from "./remote/runner-process.ts";

const fixture = join(repo, "test/fixtures/cli/domains.ts");

interface Listed {
  executionId: string;
  domain: string;
}

function aloftIn(workspace: string, env: NodeJS.ProcessEnv = {}) {
  return (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, ...args], { cwd: repo, env: { ...process.env, ALOFT_WORKSPACE: workspace, NO_COLOR: "1", ...env }, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
}

const ids = (stdout: string) => (JSON.parse(stdout) as Listed[]).map((e) => e.executionId);

describe("aloft run --domain, locally", () => {
  const aloft = aloftIn(mkdtempSync(join(tmpdir(), "aloft-cli-domains-")));

  it("records the run's domain, keeps an input named domain the entity's, and lists one domain", () => {
    const production = aloft("run", "--json", "--domain", "production", fixture, "deploy", "--domain", "staging");
    assert.equal(production.code, 0, production.stderr);
    const ran = JSON.parse(production.stdout) as { executionId: string; outputs: string };
    assert.equal(ran.outputs, "deployed to staging", "--domain after ENTITY is the entity's input");
    const plain = aloft("run", "--json", fixture, "deploy", "--domain", "production");
    assert.equal(plain.code, 0, plain.stderr);
    const { executionId: developmentId } = JSON.parse(plain.stdout) as { executionId: string };

    assert.equal(JSON.parse(aloft("executions", "get", ran.executionId, "--json").stdout).domain, "production");
    assert.equal(JSON.parse(aloft("executions", "get", developmentId, "--json").stdout).domain, "development");
    assert.match(aloft("executions", "get", ran.executionId).stdout, /project default, domain production/);
    assert.deepEqual(ids(aloft("executions", "list", "--json", "--domain", "production").stdout), [ran.executionId]);
    assert.deepEqual(ids(aloft("executions", "list", "--domain", "development", "--json").stdout), [developmentId]);
    assert.deepEqual(ids(aloft("executions", "list", "--json").stdout), [developmentId, ran.executionId]);
    assert.match(aloft("executions", "list", "--domain", "staging").stdout, /no executions in domain staging/);
  });

  it("refuses a domain that is no name, naming the flag, before running anything", () => {
    const run = aloft("run", "--domain", "Prod", fixture, "deploy", "--domain", "x");
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--domain must be 1 to 63 lowercase letters, digits, "\.", "_" or "-".*; got "Prod"/);
    const list = aloft("executions", "list", "--domain", "under_score_");
    assert.equal(list.code, 2);
    assert.match(list.stderr, /--domain must be .*; got "under_score_"/);
  });
});

describe("aloft run --remote --domain", () => {
  let runner: RunnerProcess;
  let aloft: ReturnType<typeof aloftIn>;

  before(async () => {
    runner = await startRunner();
    aloft = aloftIn(mkdtempSync(join(tmpdir(), "aloft-cli-domains-client-")), { ALOFT_RUNNER: runner.url, ALOFT_TOKEN: runner.token });
  });
  after(async () => {
    await runner?.stop();
  });

  it("submits in the domain, which the runner stores, lists by and shows", async () => {
    const staged = aloft("run", "--remote", "--domain", "staging", fixture, "deploy", "--domain", "production");
    assert.equal(staged.code, 0, staged.stderr);
    assert.match(staged.stderr, /project default, domain staging/);
    assert.match(staged.stdout, /deployed to production/);
    const plain = aloft("run", "--remote", "--detach", "--json", fixture, "deploy", "--domain", "x");
    assert.equal(plain.code, 0, plain.stderr);
    const developmentId = (JSON.parse(plain.stdout) as { executionId: string }).executionId;

    const [stagedId] = ids(aloft("executions", "list", "--remote", "--json", "--domain", "staging").stdout);
    assert.ok(stagedId && stagedId !== developmentId);
    assert.deepEqual(ids(aloft("executions", "list", "--remote", "--json", "--domain", "development").stdout), [developmentId]);
    assert.equal(JSON.parse(aloft("executions", "get", stagedId, "--remote", "--json").stdout).domain, "staging");
    assert.match(aloft("executions", "get", stagedId, "--remote").stdout, /project default, domain staging/);
    assert.match(aloft("executions", "list", "--remote").stdout, new RegExp(`${stagedId} .*default/staging`));

    // The API itself refuses what the CLI would have: a bad name in a submission or a listing.
    const call = (path: string, body?: unknown) =>
      fetch(`${runner.url}/api/v1${path}`, { method: body ? "POST" : "GET", headers: { authorization: `Bearer ${runner.token}`, "content-type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const listing = await call("/executions?domain=Staging");
    assert.equal(listing.status, 400);
    assert.match(((await listing.json()) as { error: { message: string } }).error.message, /^domain must be .*; got "Staging"$/);
    const submission = await call("/executions", { domain: "-x", file: "x.ts", entity: "e", bundle: { code: `sha256:${"0".repeat(64)}` }, interfaces: {}, entities: [], graphs: {}, inputs: {} });
    assert.equal(submission.status, 400);
    assert.deepEqual(((await submission.json()) as { error: { code: string } }).error.code, "BAD_SUBMISSION");
  });
});
