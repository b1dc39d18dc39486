import assert from "node:assert/strict";
import { test } from "node:test";
import { captureOutput } from "./output-capture.ts";
import { sayToPodLog } from "./pod-log.ts";

test("the worker's own lines stay out of the log of the attempt it runs", () => {
  const captured: string[] = [];
  const release = captureOutput((_stream, text) => captured.push(text));
  try {
    sayToPodLog("ignored a message the runner sent that is not a job");
    process.stderr.write("the task's own line\n");
  } finally {
    release();
  }
  assert.deepEqual(captured, ["the task's own line\n"]);
});
