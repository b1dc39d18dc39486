import assert from "node:assert/strict";
import { it } from "node:test";
import { withoutTypescriptDuplicates } from "./diagnostic-filter.ts";

const diagnostics = [{ code: "TS2322" }, { code: "ALOFT_WIRING_MISMATCH" }, { code: { value: "TS7006" } }, { code: "ALOFT_SDK_NOT_FOUND" }, {}];

it("drops TypeScript's own codes while VS Code checks TypeScript itself", () => {
  assert.deepEqual(withoutTypescriptDuplicates(diagnostics, true), [{ code: "ALOFT_WIRING_MISMATCH" }, { code: "ALOFT_SDK_NOT_FOUND" }, {}]);
});

it("keeps everything when VS Code's TypeScript checking is off", () => {
  assert.deepEqual(withoutTypescriptDuplicates(diagnostics, false), diagnostics);
});
