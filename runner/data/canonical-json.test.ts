import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { canonicalJson, hashWire } from "./canonical-json.ts";

describe("canonicalJson and hashWire", () => {
  it("sorts keys at every depth and drops whitespace", () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: "é" }], c: true } }), '{"a":{"c":true,"d":[3,{"y":"é","z":null}]},"b":1}');
  });

  it("hashes the same data the same whatever the key order", () => {
    const one = hashWire({ model: { $file: { digest: "sha256:00", name: "m", size: 1 } }, epochs: 3, tags: ["a", "b"] });
    const two = hashWire({ tags: ["a", "b"], epochs: 3, model: { $file: { size: 1, name: "m", digest: "sha256:00" } } });
    assert.equal(one, two);
    assert.match(one, /^[0-9a-f]{64}$/);
    assert.equal(hashWire({ a: 1 }), createHash("sha256").update('{"a":1}').digest("hex"));
  });

  it("tells different data apart", () => {
    const hashes = [hashWire([1, 2]), hashWire([2, 1]), hashWire("1"), hashWire(1), hashWire({ a: null }), hashWire({})];
    assert.equal(new Set(hashes).size, hashes.length);
  });

  it("refuses numbers JSON cannot hold rather than hashing them as null", () => {
    assert.throws(() => canonicalJson([NaN]), /NaN is not a JSON number/);
  });
});
