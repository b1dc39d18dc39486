// Tasks and workflows called directly just run, so the whole pipeline is
// tested here on the data the sample ships, without a runner.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Dir } from "aloft";
import { writeDataset } from "./generate-data.ts";
import { evaluate, prepareBatches, trainIterative, trainModel, trainingWorkflow } from "./training.ts";
import { parseModel } from "./logistic-regression.ts";

const data = Dir.from(join(import.meta.dirname, "data"));

describe("fraud training sample", () => {
  it("splits the shipped data into batches in a stable order", async () => {
    const batches = await prepareBatches({ data, batchSize: 2500 });
    const files = await batches.files();
    assert.deepEqual(files.map((f) => f.name), ["batch-0000.csv", "batch-0001.csv", "batch-0002.csv"]);
    const rowCounts = await Promise.all(files.map(async (f) => (await f.text()).trim().split("\n").length - 1));
    assert.deepEqual(rowCounts, [2500, 2500, 1000]);
  });

  it("threads the model from one batch to the next", async () => {
    const [first, second] = await (await prepareBatches({ data })).files();
    const fresh = await trainModel({ batchName: "first", state: null, batch: first! });
    const freshModel = parseModel(await fresh.text(), fresh.name);
    const next = await trainModel({ batchName: "second", state: fresh, batch: second! });
    const nextModel = parseModel(await next.text(), next.name);
    assert.deepEqual(freshModel.history.map((h) => h.batch), ["first"]);
    assert.deepEqual(nextModel.history.map((h) => h.batch), ["first", "second"]);
    assert.deepEqual(nextModel.mean, freshModel.mean, "the scaler fitted on the first batch is kept");
  });

  it("learns a useful model, deterministically", async () => {
    const first = await trainingWorkflow({ data });
    const firstModel = await first.model.text();
    const second = await trainingWorkflow({ data });
    assert.equal(await second.model.text(), firstModel, "same data, same model bytes");
    assert.deepEqual(second.metrics, first.metrics);

    const metrics = first.metrics;
    const fraudRate = await fraudRateOf(data);
    assert.equal(metrics.rows, 6000);
    assert.ok(fraudRate > 0.05 && fraudRate < 0.1, `fraud rate ${fraudRate}`);
    assert.ok(metrics.auc > 0.85, `AUC ${metrics.auc}`);
    assert.ok(metrics.accuracy > 1 - fraudRate, `accuracy ${metrics.accuracy} vs always-legitimate ${1 - fraudRate}`);
    assert.ok(metrics.precision > 0.5 && metrics.recall > 0.2, `precision ${metrics.precision}, recall ${metrics.recall}`);
    assert.equal(parseModel(firstModel, "model").history.length, 6);
  });

  it("generalises to transactions it never saw", async () => {
    const model = await trainIterative({ batches: prepareBatches({ data }) });
    const holdout = mkdtempSync(join(tmpdir(), "fraud-holdout-"));
    writeDataset(holdout, 7, 1, 3000);
    const metrics = await evaluate({ model, data: Dir.from(holdout) });
    assert.equal(metrics.rows, 3000);
    assert.ok(metrics.auc > 0.8, `holdout AUC ${metrics.auc}`);
  });

  it("names the file and column of a malformed CSV", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fraud-bad-"));
    writeFileSync(join(dir, "broken.csv"), "amount,hour,label\n12.5,3,0\n");
    await assert.rejects(prepareBatches({ data: Dir.from(dir) }), /broken\.csv: missing column "merchantRisk"/);
  });
});

async function fraudRateOf(dir: Dir): Promise<number> {
  let rows = 0;
  let frauds = 0;
  for (const name of readdirSync(dir.path).filter((n) => n.endsWith(".csv"))) {
    const lines = (await dir.file(name).text()).trim().split("\n").slice(1);
    rows += lines.length;
    frauds += lines.filter((line) => line.endsWith(",1")).length;
  }
  return frauds / rows;
}
