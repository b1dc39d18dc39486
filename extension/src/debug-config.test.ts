import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { it } from "node:test";
import { attachConfiguration, debuggableEntities, relayReady, type RelayReady } from "./debug-config.ts";

const ready: RelayReady = {
  executionId: "e1",
  nodeId: "trainIterative/trainModel",
  entity: "trainModel",
  attempt: 1,
  port: 41234,
  websocketAddress: "ws://127.0.0.1:41234/0f1e",
  bundlePath: "/tmp/aloft-attempt-x/bundle/ab12/bundle.mjs",
  localBundlePath: "/w/.aloft/bundles/ab12/bundle.mjs",
};

it("attaches to the relay's exact address, with source maps", () => {
  const config = attachConfiguration({ ...ready, localBundlePath: ready.bundlePath });
  assert.deepEqual(config, {
    type: "node",
    request: "attach",
    name: "aloft: trainModel (e1)",
    address: "127.0.0.1",
    port: 41234,
    websocketAddress: "ws://127.0.0.1:41234/0f1e",
    sourceMaps: true,
    skipFiles: ["<node_internals>/**"],
  });
});

it("maps a bundle unpacked elsewhere (a pod's) to the local copy", () => {
  const config = attachConfiguration(ready);
  assert.equal(config.remoteRoot, "/tmp/aloft-attempt-x/bundle/ab12");
  assert.equal(config.localRoot, "/w/.aloft/bundles/ab12");
  assert.equal(attachConfiguration({ ...ready, localBundlePath: null }).remoteRoot, undefined, "no local copy: nothing to map to");
});

it("offers each task and dynamic of the file once, not workflows", () => {
  const lens = (entity: string, kind: string, command = "aloft.debug") => ({ command: { command, arguments: [{ file: "/w/f.ts", entity, kind, interface: { inputs: {}, output: { kind: "null" } } }] } });
  const offered = debuggableEntities([lens("load", "task", "aloft.runLocally"), lens("load", "task"), lens("flow", "workflow"), lens("loop", "dynamic"), lens("load", "task")]);
  assert.deepEqual(offered.map((e) => [e.entity, e.kind]), [["load", "task"], ["loop", "dynamic"]]);
});

it("reads the relay's first line, and what the CLI said when it ends without one", async () => {
  const printing = spawn(process.execPath, ["-e", `console.log(${JSON.stringify(JSON.stringify(ready))}); setTimeout(() => {}, 200)`]);
  assert.deepEqual(await relayReady(printing), ready);
  const failing = spawn(process.execPath, ["-e", `process.stderr.write("error [DEBUGGER_NOT_WAITING] execution e1 has succeeded before node \\"x\\" paused"); process.exit(2)`]);
  await assert.rejects(relayReady(failing), /^Error: execution e1 has succeeded before node "x" paused$/);
});
