// The cases of Kubernetes' own TestQuantityParse and TestParseQuantityString
// (k8s.io/apimachinery/pkg/api/resource/quantity_test.go), with the value
// Kubernetes gives each, plus the scanner's corners aloft relies on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ceilMillis, formatMagnitude, isWhole, isWholeMillis, parseQuantity, type Quantity, type QuantityFormat } from "./resource-quantity.ts";

/** Input, its magnitude as a decimal number, and its format after parsing. */
const VALID: [string, string, QuantityFormat][] = [
  ["0", "0", "DecimalSI"],
  ["0n", "0", "DecimalSI"],
  ["0u", "0", "DecimalSI"],
  ["0m", "0", "DecimalSI"],
  ["0Ki", "0", "BinarySI"],
  ["0k", "0", "DecimalSI"],
  ["0Mi", "0", "BinarySI"],
  ["0M", "0", "DecimalSI"],
  ["0Gi", "0", "BinarySI"],
  ["0G", "0", "DecimalSI"],
  ["0Ti", "0", "BinarySI"],
  ["0T", "0", "DecimalSI"],
  ["1", "1", "DecimalSI"],
  ["1Ki", "1024", "BinarySI"],
  ["8Ki", "8192", "BinarySI"],
  ["7Mi", String(7 * 2 ** 20), "BinarySI"],
  ["6Gi", String(6 * 2 ** 30), "BinarySI"],
  ["5Ti", String(5 * 2 ** 40), "BinarySI"],
  ["4Pi", String(4n * 2n ** 50n), "BinarySI"],
  ["3Ei", String(3n * 2n ** 60n), "BinarySI"],
  ["10Ti", String(10 * 2 ** 40), "BinarySI"],
  ["100Ti", String(100 * 2 ** 40), "BinarySI"],
  ["5n", "0.000000005", "DecimalSI"],
  ["4u", "0.000004", "DecimalSI"],
  ["3m", "0.003", "DecimalSI"],
  ["9", "9", "DecimalSI"],
  ["8k", "8000", "DecimalSI"],
  ["50k", "50000", "DecimalSI"],
  ["7M", "7000000", "DecimalSI"],
  ["6G", "6000000000", "DecimalSI"],
  ["5T", "5000000000000", "DecimalSI"],
  ["40T", "40000000000000", "DecimalSI"],
  ["300T", "300000000000000", "DecimalSI"],
  ["2P", "2000000000000000", "DecimalSI"],
  ["1E", "1000000000000000000", "DecimalSI"],
  ["1E-3", "0.001", "DecimalExponent"],
  ["1e3", "1000", "DecimalExponent"],
  ["1E6", "1000000", "DecimalExponent"],
  ["1e9", "1000000000", "DecimalExponent"],
  ["1E12", "1000000000000", "DecimalExponent"],
  ["1e15", "1000000000000000", "DecimalExponent"],
  ["1E18", "1000000000000000000", "DecimalExponent"],
  ["1e14", "100000000000000", "DecimalExponent"],
  ["1e13", "10000000000000", "DecimalExponent"],
  ["100.035k", "100035", "DecimalSI"],
  ["0.001", "0.001", "DecimalSI"],
  ["0.0005k", "0.5", "DecimalSI"],
  ["0.005", "0.005", "DecimalSI"],
  ["0.05", "0.05", "DecimalSI"],
  ["0.5", "0.5", "DecimalSI"],
  ["0.00050k", "0.5", "DecimalSI"],
  ["0.00500", "0.005", "DecimalSI"],
  ["0.05000", "0.05", "DecimalSI"],
  ["0.50000", "0.5", "DecimalSI"],
  ["0.5e0", "0.5", "DecimalExponent"],
  ["0.5e-1", "0.05", "DecimalExponent"],
  ["0.5e-2", "0.005", "DecimalExponent"],
  ["10.035M", "10035000", "DecimalSI"],
  ["1.2e3", "1200", "DecimalExponent"],
  ["1.3E+6", "1300000", "DecimalExponent"],
  ["1.40e9", "1400000000", "DecimalExponent"],
  ["1.53E12", "1530000000000", "DecimalExponent"],
  ["1.6e15", "1600000000000000", "DecimalExponent"],
  ["1.7E18", "1700000000000000000", "DecimalExponent"],
  ["9.01", "9.01", "DecimalSI"],
  ["8.1k", "8100", "DecimalSI"],
  ["7.123456M", "7123456", "DecimalSI"],
  ["6.987654321G", "6987654321", "DecimalSI"],
  ["5.444T", "5444000000000", "DecimalSI"],
  ["40.1T", "40100000000000", "DecimalSI"],
  ["300.2T", "300200000000000", "DecimalSI"],
  ["2.5P", "2500000000000000", "DecimalSI"],
  ["1.01E", "1010000000000000000", "DecimalSI"],
  // Kubernetes rounds anything finer than 1n up.
  ["3.001n", "0.000000004", "DecimalSI"],
  ["1.1E-9", "0.000000002", "DecimalExponent"],
  ["0.0000000001", "0.000000001", "DecimalSI"],
  ["0.0000000005", "0.000000001", "DecimalSI"],
  ["0.00000000050", "0.000000001", "DecimalSI"],
  ["0.5e-9", "0.000000001", "DecimalExponent"],
  ["0.9n", "0.000000001", "DecimalSI"],
  ["0.00000012345", "0.000000124", "DecimalSI"],
  ["0.00000012354", "0.000000124", "DecimalSI"],
  // ...and caps a binary quantity at 2^63-1.
  ["9Ei", "9223372036854775807", "BinarySI"],
  ["9223372036854775807Ki", "9223372036854775807", "BinarySI"],
  ["12E", "12000000000000000000", "DecimalSI"],
  ["100.035Ki", "102435.84", "BinarySI"],
  ["0.5Mi", "524288", "BinarySI"],
  ["0.05Gi", "53687091.2", "BinarySI"],
  ["0.025Ti", "27487790694.4", "BinarySI"],
  // "Things written by trolls", in Kubernetes' words.
  ["0.000000000001Ki", "0.000000002", "DecimalSI"],
  [".001", "0.001", "DecimalSI"],
  [".0001k", "0.1", "DecimalSI"],
  ["1.", "1", "DecimalSI"],
  ["1.G", "1000000000", "DecimalSI"],
  [".", "0", "DecimalSI"],
  ["-.", "0", "DecimalSI"],
  // The scanner reads a missing number as zero.
  ["-", "0", "DecimalSI"],
  ["Mi", "0", "BinarySI"],
  ["m", "0", "DecimalSI"],
  ["1.025Ti", "1126999418470.4", "BinarySI"],
];

const INVALID: [string, "empty" | "format" | "suffix" | "numeric"][] = [
  // Kubernetes' own list.
  ["1.1.M", "format"],
  ["1+1.0M", "format"],
  ["0.1mi", "suffix"],
  ["0.1am", "format"],
  ["aoeu", "format"],
  [".5i", "suffix"],
  ["1i", "suffix"],
  ["-3.01i", "suffix"],
  ["-3.01e-", "suffix"],
  [" 1", "format"],
  ["1 ", "format"],
  ["", "empty"],
  // What people write instead.
  ["2 cores", "format"],
  ["1GB", "format"],
  ["512mb", "format"],
  ["1gi", "format"],
  ["1K", "suffix"],
  ["1KiB", "format"],
  ["1e", "suffix"],
  ["--1", "suffix"],
  ["1e99999999999999999999", "suffix"],
  ["0x10", "format"],
  ["1_000", "format"],
  // No digits, and too small for Kubernetes' int64 fast path: inf.Dec refuses it.
  ["e-10", "numeric"],
  [".e-10", "numeric"],
];

function parsed(text: string): Quantity {
  const result = parseQuantity(text);
  if (!result.ok) assert.fail(`${JSON.stringify(text)} should parse; it is refused for its ${result.reason}`);
  return result.quantity;
}

describe("parseQuantity", () => {
  it("parses every quantity Kubernetes' tests parse, to the value Kubernetes gives", () => {
    for (const [text, magnitude, format] of VALID) {
      const quantity = parsed(text);
      assert.equal(formatMagnitude(quantity), magnitude, text);
      assert.equal(quantity.format, format, text);
      assert.equal(quantity.negative, false, text);
    }
  });

  it("parses each of them with a sign, as Kubernetes' tests do", () => {
    for (const [text, magnitude] of VALID) {
      if (text.startsWith("-")) continue;
      const negative = parsed(`-${text}`);
      assert.equal(formatMagnitude(negative), magnitude, `-${text}`);
      assert.equal(negative.negative, magnitude !== "0", `-${text}`);
      assert.equal(formatMagnitude(parsed(`+${text}`)), magnitude, `+${text}`);
    }
  });

  it("rejects what Kubernetes rejects, for the same reason", () => {
    for (const [text, reason] of INVALID) {
      assert.deepEqual(parseQuantity(text), { ok: false, reason }, JSON.stringify(text));
    }
  });

  it("tells whole units and whole millis apart", () => {
    assert.equal(isWhole(parsed("1.5Ki")), true);
    assert.equal(isWhole(parsed("1.1Gi")), false);
    assert.equal(isWhole(parsed("1e400")), true);
    assert.equal(isWholeMillis(parsed("0.001")), true);
    assert.equal(isWholeMillis(parsed("1.5")), true);
    assert.equal(isWholeMillis(parsed("0.0005")), false);
    assert.equal(isWholeMillis(parsed("100u")), false);
    assert.equal(ceilMillis(parsed("0.0005")), 1n);
    assert.equal(ceilMillis(parsed("1.2345")), 1235n);
  });
});
