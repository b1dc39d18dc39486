// `aloft lsp` as an editor starts it: the built CLI in a child process, a real LSP client on its stdio.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { it } from "node:test";
import { TextDocumentSyncKind } from "vscode-languageserver-protocol";
import { LspClient, repo } from "./lsp-client.ts";

it("announces incremental sync, code lenses and hovers, and exits 0 after shutdown", async () => {
  const client = await LspClient.start();
  try {
    const { capabilities, serverInfo } = client.initializeResult;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: TextDocumentSyncKind.Incremental });
    assert.deepEqual(capabilities.codeLensProvider, { resolveProvider: false });
    assert.equal(capabilities.hoverProvider, true);
    assert.equal(serverInfo?.name, "aloft");
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.protocolErrors, [], "the server wrote something other than LSP messages to stdout");
  } finally {
    client.kill();
  }
});

it("starts without --stdio too (the transport is always stdio)", async () => {
  const client = await LspClient.start({ args: [] });
  try {
    assert.equal(client.initializeResult.serverInfo?.name, "aloft");
    assert.equal(await client.stop(), 0);
  } finally {
    client.kill();
  }
});

it("exits when the editor goes away without a shutdown", async () => {
  const client = await LspClient.start();
  try {
    client.child.stdin!.end();
    assert.equal(await client.exited(), 1);
  } finally {
    client.kill();
  }
});

it("rejects an unknown option on stderr, leaving stdout empty", () => {
  const result = spawnSync(process.execPath, [join(repo, "dist/cli.js"), "lsp", "--tcp"], { cwd: repo, encoding: "utf8", input: "" });
  assert.equal(result.status, 2);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /unknown option --tcp for aloft lsp/);
});
