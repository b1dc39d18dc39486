import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import { AloftError } from "../../compiler/errors.ts";
import { checkInputNames } from "./input-names.ts";

const train: EntityInterface = {
  name: "train",
  kind: "workflow",
  line: 1,
  inputs: {
    epochs: { type: { kind: "number" }, optional: false },
    data: { type: { kind: "file" }, optional: false },
    notes: { type: { kind: "string" }, optional: true },
    seed: { type: { kind: "union", options: [{ kind: "number" }, { kind: "undefined" }] }, optional: false },
  },
  output: { kind: "any" },
};

function fails(given: Record<string, string>, code: string, message: string, field: string): void {
  assert.throws(
    () => checkInputNames(train, given),
    (error: unknown) => {
      assert.ok(error instanceof AloftError);
      assert.equal(error.info.code, code);
      assert.equal(error.info.entity, "train");
      assert.equal(error.info.field, field);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe("checkInputNames", () => {
  it("accepts every required input, with optional ones left out", () => {
    checkInputNames(train, { epochs: "3", data: "x.csv" });
    checkInputNames(train, { epochs: "3", data: "x.csv", notes: "n", seed: "1" });
  });

  it("lists the missing inputs with their types", () => {
    fails({ epochs: "3" }, "INPUT_MISSING", 'workflow "train" needs input --data (File)', "data");
    fails({}, "INPUT_MISSING", 'workflow "train" needs inputs --epochs (number), --data (File)', "epochs, data");
  });

  it("names unknown inputs, suggests the closest, and says which exist", () => {
    fails(
      { epoch: "3", data: "x" },
      "INPUT_UNKNOWN",
      'workflow "train" has no input "epoch" (did you mean --epochs?); its inputs are --epochs (number), --data (File), --notes (string), --seed (number | undefined)',
      "epoch",
    );
    assert.throws(() => checkInputNames({ ...train, inputs: {} }, { x: "1" }), { message: 'workflow "train" has no input "x"; it takes no inputs' });
  });
});
