// The compiler's static graph of every workflow must be the graph the runner
// traces when it runs it: the editor shows what will run.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readEntities } from "../compiler/interfaces.ts";
import { TypeScriptSession } from "../compiler/ts-api.ts";
import { LocalRunner } from "../runner/local-runner.ts";
import { workspaceAt } from "../runner/workspace.ts";

const root = join(import.meta.dirname, "..");

function workflowFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.includes("node_modules"))
    .map((f) => join(dir, f))
    .filter((f) => /from "aloft"/.test(readFileSync(f, "utf8")) && /\bworkflow\(/.test(readFileSync(f, "utf8")));
}

const samples = workflowFiles(join(root, "samples"));
const fixtures = ["test/fixtures/engine/flows.ts", "test/fixtures/graphs/shapes.ts", "test/fixtures/worker/tracing.ts"].map((f) => join(root, f));

describe("static graph equals the traced graph", () => {
  let dir: string;
  let runner: LocalRunner;
  let session: TypeScriptSession;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "aloft-static-graph-"));
    runner = new LocalRunner(workspaceAt(dir));
    session = new TypeScriptSession();
  });
  after(async () => {
    session.close();
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const file of [...samples, ...fixtures]) {
    it(`for every workflow of ${file.slice(root.length + 1)}`, async () => {
      const reading = readEntities(file, session);
      const workflows = reading.entities.filter((e) => e.kind === "workflow").map((e) => e.name);
      assert.ok(workflows.length > 0, "the file declares workflows");
      if (samples.includes(file)) assert.deepEqual(reading.graphsUnavailable, {}, "every sample workflow has a static graph");
      const traced = await runner.traceEach(await runner.prepare(file), workflows);
      workflows.forEach((name, i) => {
        const result = traced[i]!;
        if ("graph" in result) {
          assert.deepEqual(reading.graphs[name], result.graph, `workflow "${name}"`);
        } else {
          // Both ways: what the compiler cannot read, the tracer cannot build either.
          assert.equal(reading.graphs[name], undefined, `workflow "${name}" has a static graph but fails to trace: ${result.error.message}`);
        }
      });
    });
  }
});
