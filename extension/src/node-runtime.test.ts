import assert from "node:assert/strict";
import { it } from "node:test";
import { nodeRuntime } from "./node-runtime.ts";

it("runs the server on the editor's own executable only when it is plain Node", () => {
  assert.equal(nodeRuntime("", { execPath: "/usr/lib/code-server/lib/node", versions: { node: "20.18.2" } }).command, "/usr/lib/code-server/lib/node");
  assert.equal(nodeRuntime("", { execPath: "/usr/share/code/code", versions: { node: "20.18.2", electron: "34.5.1" } }).command, "node");
});

it("lets aloft.server.runtime choose the Node", () => {
  assert.deepEqual(nodeRuntime(" /opt/node-22/bin/node ", { execPath: "/usr/share/code/code", versions: { electron: "34.5.1" } }), {
    command: "/opt/node-22/bin/node",
    how: "aloft.server.runtime",
  });
});

it("the Node running this test is plain Node, and would run the server", () => {
  assert.equal(nodeRuntime("", { execPath: process.execPath, versions: process.versions }).command, process.execPath);
});
