// Label and field selectors, and $(VAR) expansion, as pure functions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expand } from "./container-process.ts";
import { parseFieldSelector } from "./field-selector.ts";
import { parseLabelSelector } from "./label-selector.ts";
import type { KubeObject } from "./objects.ts";
import { ApiError } from "./responses.ts";

describe("kube-sim selectors", () => {
  it("reads equality, set and existence label requirements", () => {
    const labels = { app: "aloft", "aloft.dev/attempt": "2", empty: "" };
    const cases: [string, boolean][] = [
      ["", true],
      ["app=aloft", true],
      ["app==aloft", true],
      ["app!=aloft", false],
      ["app = aloft , aloft.dev/attempt in (1, 2)", true],
      ["aloft.dev/attempt notin (2)", false],
      ["missing notin (x)", true],
      ["missing in (x)", false],
      ["app", true],
      ["!app", false],
      ["!missing", true],
      ["empty=", true],
    ];
    for (const [selector, expected] of cases) assert.equal(parseLabelSelector(selector)(labels), expected, selector);
  });

  it("refuses a malformed label selector with 400", () => {
    for (const bad of ["app in (a", "app)", "a b c", "app=@x"]) {
      assert.throws(() => parseLabelSelector(bad), (error: ApiError) => error.code === 400, bad);
    }
  });

  it("selects pods by the fields the API server allows, and names the allowed ones otherwise", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n" }, status: { phase: "Running" } } as unknown as KubeObject;
    assert.equal(parseFieldSelector("Pod", "metadata.name=p,status.phase!=Pending")(pod), true);
    assert.equal(parseFieldSelector("Pod", "status.phase==Succeeded")(pod), false);
    assert.throws(() => parseFieldSelector("Pod", "spec.image=x"), (error: ApiError) => error.code === 400 && /metadata\.name/.test(error.message));
  });

  it("expands $(VAR) references as the kubelet does", () => {
    const env = { A: "1", B: "two" };
    assert.equal(expand("$(A)-$(B)", env), "1-two");
    assert.equal(expand("$$(A)", env), "$(A)");
    assert.equal(expand("$(MISSING) $A", env), "$(MISSING) $A");
  });
});
