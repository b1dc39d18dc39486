import assert from "node:assert/strict";
import { it } from "node:test";
import { LogLines, noticeLine } from "./log-lines.ts";

const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

it("prefixes every line with its node, with terminal line endings", () => {
  const lines = new LogLines();
  assert.equal(plain(lines.push("prepareBatches", "stdout", "read 4 files\nwrote 6 batches\n")), "prepareBatches │ read 4 files\r\nprepareBatches │ wrote 6 batches\r\n");
  assert.equal(plain(lines.push("evaluate", "stderr", "warning: few rows\r\n")), "evaluate ┃ warning: few rows\r\n");
});

it("holds a line cut between chunks until it ends, per node and stream", () => {
  const lines = new LogLines();
  assert.equal(lines.push("a", "stdout", "hal"), "");
  assert.equal(plain(lines.push("b", "stdout", "other\n")), "b │ other\r\n");
  assert.equal(plain(lines.push("a", "stdout", "f a line\nand mo")), "a │ half a line\r\n");
  assert.equal(plain(lines.flush()), "a │ and mo\r\n");
  assert.equal(lines.flush(), "");
});

it("keeps the task's own colours, and gives each node one colour of its own", () => {
  const lines = new LogLines();
  const green = "\u001b[32mok\u001b[39m";
  const first = lines.push("a", "stdout", `${green}\n`);
  assert.ok(first.includes(green));
  const again = lines.push("a", "stdout", "x\n");
  const other = lines.push("b", "stdout", "x\n");
  const colourOf = (text: string) => /^\u001b\[0m(\u001b\[\d+m)/.exec(text)?.[1];
  assert.equal(colourOf(first), colourOf(again));
  assert.notEqual(colourOf(first), colourOf(other));
  assert.equal(plain(noticeLine("trainingWorkflow succeeded")), "── trainingWorkflow succeeded\r\n");
});
