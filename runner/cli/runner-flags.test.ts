import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { takeRunnerFlags } from "./runner-flags.ts";
import { UsageError } from "./usage.ts";

describe("the runner flags", () => {
  it("take --runner and --token with their values, leaving the command's own arguments", () => {
    assert.deepEqual(takeRunnerFlags(["--runner", "http://r:8080", "--token", "aloft-token.abc", "list", "--domain", "prod"]), {
      remote: true,
      runner: "http://r:8080",
      token: "aloft-token.abc",
      rest: ["list", "--domain", "prod"],
    });
    assert.deepEqual(takeRunnerFlags(["--remote", "list"]), { remote: true, rest: ["list"] });
    assert.deepEqual(takeRunnerFlags(["list"]), { remote: false, rest: ["list"] });
  });

  it("take --flag=VALUE, whatever the value starts with", () => {
    // A token issued before tokens had their prefix may start with "--".
    assert.deepEqual(takeRunnerFlags(["--token=--xY_z", "--runner=http://r:8080/", "list"]), {
      remote: true,
      runner: "http://r:8080/",
      token: "--xY_z",
      rest: ["list"],
    });
    assert.equal(takeRunnerFlags(["--token=a=b"]).token, "a=b");
  });

  it("say which flag lacks its value", () => {
    for (const args of [["--token"], ["--token", "--runner", "http://r"], ["--runner="], ["--token="]]) {
      assert.throws(() => takeRunnerFlags(args), (error: unknown) => error instanceof UsageError && /^--(token|runner) needs a value \(--(token|runner) VALUE or --(token|runner)=VALUE\)$/.test(error.message), args.join(" "));
    }
  });
});
