import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelValue, MAX_NAME_LENGTH, podName, runnerSelector } from "./pod-names.ts";

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe("pod names", () => {
  it("is the same for the same attempt and differs by execution, node and attempt", () => {
    const ref = { executionId: "lx2k9a1b2c3d4", nodeId: "train/score[3]", attempt: 2 };
    assert.equal(podName(ref), podName({ ...ref }));
    assert.match(podName(ref), /^aloft-lx2k9a1b2c3d4-train-score-3-[0-9a-f]{8}-2$/);
    const others = [{ ...ref, attempt: 3 }, { ...ref, nodeId: "train/score[4]" }, { ...ref, executionId: "lx2k9a1b2c3d5" }].map(podName);
    assert.equal(new Set([podName(ref), ...others]).size, 4);
  });

  it("keeps node ids that slug alike apart with the hash", () => {
    const a = podName({ executionId: "e", nodeId: "a/b", attempt: 1 });
    const b = podName({ executionId: "e", nodeId: "a.b", attempt: 1 });
    assert.notEqual(a, b);
  });

  it("is a DNS-1123 label of at most 63 characters whatever the ids", () => {
    const ids = [
      { executionId: "E".repeat(100), nodeId: "x".repeat(300), attempt: 12345 },
      { executionId: "exec_1", nodeId: "ÜBER/größe", attempt: 0 },
      { executionId: "--", nodeId: "///", attempt: 1 },
      { executionId: "", nodeId: "", attempt: 1 },
      { executionId: "lx2k9a1b2c3d4", nodeId: "map[17]/inner-workflow/train_model", attempt: 1 },
    ];
    for (const ref of ids) {
      const name = podName(ref);
      assert.ok(name.length <= MAX_NAME_LENGTH, `${name} is ${name.length} long`);
      assert.match(name, dns1123Label);
    }
  });

  it("keeps long execution ids apart though it shortens them", () => {
    const long = "x".repeat(40);
    assert.notEqual(podName({ executionId: `${long}a`, nodeId: "n", attempt: 1 }), podName({ executionId: `${long}b`, nodeId: "n", attempt: 1 }));
  });

  it("rejects an attempt number that is not a whole number", () => {
    assert.throws(() => podName({ executionId: "e", nodeId: "n", attempt: 1.5 }), /attempt number must be a whole number/);
  });
});

describe("label values", () => {
  it("keeps a valid value as it is", () => {
    assert.equal(labelValue("train.model_v2-a"), "train.model_v2-a");
  });

  it("turns any text into a valid value, distinct for distinct long texts", () => {
    const long = "n".repeat(70);
    for (const text of ["train/score[3]", "-lead", "trail-", "ÜBER", long + "1", long + "2", "[]"]) {
      const value = labelValue(text);
      assert.ok(value.length <= 63, value);
      assert.match(value, labelValuePattern);
    }
    assert.equal(labelValue("train/score[3]").startsWith("train-score-3"), true);
    assert.notEqual(labelValue(long + "1"), labelValue(long + "2"));
    assert.notEqual(labelValue("a/b"), labelValue("a-b"), "a changed value carries a hash of the original");
  });

  it("selects a runner's pods by managed-by and runner", () => {
    assert.equal(runnerSelector("ci runner"), `app.kubernetes.io/managed-by=aloft,aloft.dev/runner=${labelValue("ci runner")}`);
  });
});
