import assert from "node:assert/strict";
import { it } from "node:test";
import { fileArgument, readSubmitOutcome, settingsProblem, submit, submitArgs } from "./submission.ts";

it("puts the options before the file and the inputs after the entity, and never the token", () => {
  const args = submitArgs({
    runtime: "node",
    cli: "/w/node_modules/aloft/dist/cli.js",
    folder: "/w",
    endpoint: { url: "http://127.0.0.1:4000", token: "secret-token" },
    file: "/w/fraud/training.ts",
    entity: "trainingWorkflow",
    inputArgs: ["--data=fraud/data"],
    project: "fraud",
    domain: "production",
    skipCheck: true,
  });
  assert.deepEqual(args, [
    "/w/node_modules/aloft/dist/cli.js",
    "run", "--remote", "--detach", "--json",
    "--runner", "http://127.0.0.1:4000",
    "--project", "fraud",
    "--domain", "production",
    "--skip-check",
    "fraud/training.ts", "trainingWorkflow", "--data=fraud/data",
  ]);
  assert.ok(!args.join(" ").includes("secret-token"));
});

it("names a file outside the folder by its absolute path", () => {
  assert.equal(fileArgument("/w", "/w/a/b.ts"), "a/b.ts");
  assert.equal(fileArgument("/w", "/elsewhere/b.ts"), "/elsewhere/b.ts");
});

it("reads the execution id of a submitted run", () => {
  assert.deepEqual(readSubmitOutcome(0, '{"executionId":"mx1abc","status":"running","outputs":null}\n', "▲ uploaded 2 blobs\n"), { kind: "submitted", executionId: "mx1abc" });
  assert.equal(readSubmitOutcome(0, "nothing\n", "").kind, "failed");
});

it("tells errors in the file (which Run anyway skips) from other refusals that also exit 2", () => {
  const check = readSubmitOutcome(
    2,
    "",
    "fraud/training.ts:10:27 error TS2591 Cannot find name 'node:fs/promises'.\nfraud/training.ts has 1 error(s); fix them or pass --skip-check to run anyway\n",
  );
  assert.deepEqual(check, {
    kind: "check-failed",
    diagnostics: ["fraud/training.ts:10:27 error TS2591 Cannot find name 'node:fs/promises'."],
    summary: "fraud/training.ts has 1 error(s); fix them or pass --skip-check to run anyway",
  });
  assert.deepEqual(readSubmitOutcome(2, "", "\u001b[31merror\u001b[39m [RUNNER_UNREACHABLE] cannot reach the aloft runner at http://h:1\n"), {
    kind: "failed",
    message: "cannot reach the aloft runner at http://h:1",
  });
});

it("leaves the domain to the runner when aloft.domain is empty", () => {
  const args = submitArgs({ runtime: "node", cli: "cli.js", folder: "/w", endpoint: { url: "http://h", token: "t" }, file: "/w/a.ts", entity: "a", inputArgs: [], domain: "", skipCheck: false });
  assert.ok(!args.includes("--domain"), args.join(" "));
  assert.equal(settingsProblem({ domain: "" }), undefined);
  assert.equal(settingsProblem({ domain: "staging" }), undefined);
});

it("refuses an aloft.domain that is no domain name, naming the setting, without starting the CLI", async () => {
  assert.match(settingsProblem({ domain: "Production" }) ?? "", /^the aloft\.domain setting must be 1 to 63 lowercase letters.*; got "Production"; change it in the settings/);
  // A runtime that does not exist: had submit started it, the outcome would say it cannot start it.
  const outcome = await submit({ runtime: "/nonexistent/node", cli: "cli.js", folder: "/", endpoint: { url: "http://h", token: "t" }, file: "/a.ts", entity: "a", inputArgs: [], domain: "my domain", skipCheck: false });
  assert.equal(outcome.kind, "failed");
  assert.match(outcome.kind === "failed" ? outcome.message : "", /^the aloft\.domain setting must be .*got "my domain"/);
});
