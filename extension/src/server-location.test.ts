import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, it } from "node:test";
import { locateServer } from "./server-location.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "aloft-server-location-")));
after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** An installed aloft package with its CLI, as npm lays it out. */
function installAloft(dir: string, bin: unknown = { aloft: "./dist/cli.js" }): string {
  write(join(dir, "package.json"), JSON.stringify({ name: "aloft", version: "0.1.0", bin }));
  return write(join(dir, "dist/cli.js"), "#!/usr/bin/env node\n");
}

it("runs the aloft installed in the folder's node_modules, by its bin", () => {
  const folder = join(root, "project");
  write(join(folder, "package.json"), JSON.stringify({ name: "fraud-models" }));
  const cli = installAloft(join(folder, "node_modules/aloft"));
  assert.deepEqual(locateServer({ folder, configuredPath: "" }), { found: true, cli, how: `aloft installed at ${join(folder, "node_modules/aloft")}` });
});

it("finds aloft in a folder above, as Node resolves `import \"aloft\"` in a monorepo", () => {
  const monorepo = join(root, "monorepo");
  const cli = installAloft(join(monorepo, "node_modules/aloft"));
  const folder = join(monorepo, "packages/training");
  write(join(folder, "package.json"), JSON.stringify({ name: "training" }));
  assert.equal((locateServer({ folder, configuredPath: "" }) as { cli: string }).cli, cli);
});

it("takes the folder's own package when it is aloft (this repository opened in the editor), from a subfolder too", () => {
  const repo = join(root, "aloft-repo");
  const cli = installAloft(repo);
  mkdirSync(join(repo, "samples"), { recursive: true });
  assert.deepEqual(locateServer({ folder: repo, configuredPath: "" }), { found: true, cli, how: `the aloft package ${repo} (the folder's own package)` });
  assert.equal((locateServer({ folder: join(repo, "samples"), configuredPath: "" }) as { cli: string }).cli, cli);
});

it("says where it looked when aloft is not installed", () => {
  const folder = join(root, "no-aloft");
  write(join(folder, "package.json"), JSON.stringify({ name: "web-app" }));
  const location = locateServer({ folder, configuredPath: "" });
  assert.equal(location.found, false);
  const { reason } = location as { reason: string };
  assert.ok(reason.includes(join(folder, "node_modules/aloft/package.json")), reason);
  assert.ok(reason.includes("nor node_modules/aloft in any folder above it"), reason);
  assert.ok(reason.includes(`the folder's own package (${join(folder, "package.json")}) is "web-app", not aloft`), reason);
  assert.ok(reason.includes("aloft.server.path"), reason);
});

it("names the missing CLI of an installed aloft that was never built", () => {
  const folder = join(root, "unbuilt");
  const aloft = join(folder, "node_modules/aloft");
  installAloft(aloft);
  rmSync(join(aloft, "dist"), { recursive: true });
  const location = locateServer({ folder, configuredPath: "" }) as { found: false; reason: string };
  assert.equal(location.found, false);
  assert.match(location.reason, new RegExp(`its CLI ${join(aloft, "dist/cli.js").replace(/[.]/g, "\\.")} is missing`));
});

it("names an aloft without an aloft command", () => {
  const folder = join(root, "old-aloft");
  installAloft(join(folder, "node_modules/aloft"), { "aloft-legacy": "./bin/aloft.js" });
  const location = locateServer({ folder, configuredPath: "" }) as { found: false; reason: string };
  assert.equal(location.found, false);
  assert.match(location.reason, /names no "aloft" command in "bin"/);
});

it("prefers aloft.server.path, relative to the folder, and says when nothing is there", () => {
  const folder = join(root, "configured");
  installAloft(join(folder, "node_modules/aloft"));
  const own = write(join(root, "checkout/dist/cli.js"), "");
  chmodSync(own, 0o755);
  assert.deepEqual(locateServer({ folder, configuredPath: "../checkout/dist/cli.js" }), { found: true, cli: own, how: "aloft.server.path (../checkout/dist/cli.js)" });
  assert.equal((locateServer({ folder, configuredPath: own }) as { cli: string }).cli, own);

  const missing = locateServer({ folder, configuredPath: "nowhere/cli.js" }) as { found: false; reason: string };
  assert.equal(missing.found, false);
  assert.ok(missing.reason.includes(`no file at ${join(folder, "nowhere/cli.js")}`), missing.reason);
  // A folder is not a CLI.
  assert.equal(locateServer({ folder, configuredPath: folder }).found, false);
});
