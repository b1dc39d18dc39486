// The garbage collection a one-shot check gives its tsgo (`oneShotTsgoEnv`):
// set for `aloft check`'s tsgo, left to Go's defaults for the language
// server's, and never over a setting of the user's.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { join, resolve } from "node:path";
import { it } from "node:test";
import { TypeScriptSession } from "./ts-api.ts";
import { oneShotTsgoEnv, startTsgo } from "./tsgo-start.ts";

const repo = resolve(import.meta.dirname, "..");
const sample = join(repo, "samples/fraud/training.ts");

it("turns Go's collector off for a one-shot check, under a memory limit of half the machine's", () => {
  const env = oneShotTsgoEnv({ PATH: "/bin" });
  assert.equal(env.PATH, "/bin");
  assert.equal(env.GOGC, "off");
  const limit = /^(\d+)MiB$/.exec(env.GOMEMLIMIT ?? "");
  assert.ok(limit, `GOMEMLIMIT ${env.GOMEMLIMIT}`);
  const mib = Number(limit[1]);
  assert.ok(mib >= 256 && mib <= Math.max(256, totalmem() / 2 / 2 ** 20), `${mib} MiB of ${totalmem() / 2 ** 20} MiB`);
});

it("leaves a GOGC or GOMEMLIMIT of the user's as it is", () => {
  for (const own of [{ GOGC: "50" }, { GOMEMLIMIT: "1GiB" }, { GOGC: "200", GOMEMLIMIT: "2GiB" }]) {
    assert.deepEqual(oneShotTsgoEnv({ PATH: "/bin", ...own }), { PATH: "/bin", ...own });
  }
});

/** The environments of this process's live tsgo children (Linux's /proc). */
function tsgoEnvironments(): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // `pid (name) state ppid …`: the name may hold spaces, so fields are counted after its ")".
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid || !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--api")) continue;
      const pairs = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
      found.push(Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])));
    } catch {
      // The process ended while it was read.
    }
  }
  return found;
}

it("starts the check's tsgo with it, and the language server's without", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  const before = tsgoEnvironments().length;
  const started = startTsgo([sample], repo);
  assert.ok(started);
  try {
    const [env, ...more] = tsgoEnvironments();
    assert.equal(before, 0);
    assert.equal(more.length, 0);
    assert.equal(env?.GOGC, process.env.GOGC ?? "off");
  } finally {
    started.connection.close();
  }
  const session = new TypeScriptSession({ cwd: repo });
  try {
    session.open(sample);
    const [env] = tsgoEnvironments();
    assert.ok(env);
    assert.equal(env.GOGC, process.env.GOGC);
    assert.equal(env.GOMEMLIMIT, process.env.GOMEMLIMIT);
  } finally {
    session.close();
  }
});
