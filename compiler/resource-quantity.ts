/**
 * Kubernetes resource quantities ("500m", "2", "1.5Gi", "1e3"), parsed the
 * way the API server's `resource.ParseQuantity` (k8s.io/apimachinery) parses
 * them, so aloft rejects exactly the strings a cluster would reject:
 *
 *   <quantity>        ::= <signedNumber><suffix>
 *   <signedNumber>    ::= <number> | <sign><number>
 *   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
 *
 * Its scanner is looser than the grammar and the port keeps that: a number
 * may have no digits at all ("." and "Mi" are zero, "-" is zero).
 */

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  format: QuantityFormat;
  /** The suffix as written: `"Mi"`, `"m"`, `"e3"`, `""`. */
  suffix: string;
  negative: boolean;
  /**
   * The magnitude in billionths. Kubernetes keeps nothing finer than 1n and
   * rounds a finer non-zero value up, and caps a binarySI value at 2^63-1;
   * so does this. Exact up to 10^41; beyond, the power of ten is clamped
   * (the value stays a whole number, which is all the rules need).
   */
  nanos: bigint;
}

export type QuantityParse =
  | { ok: true; quantity: Quantity }
  /** `format`: not shaped like a quantity; `suffix`: an unknown suffix; `numeric`: no digits where Kubernetes needs some. */
  | { ok: false; reason: "empty" | "format" | "suffix" | "numeric" };

const NANOS_PER_UNIT = 1_000_000_000n;
const SUFFIX_CHARACTERS = "eEinumkKMGTP";
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_BINARY_NANOS = INT64_MAX * NANOS_PER_UNIT;
/** Powers of ten above this change no property aloft checks (sign, whole units, whole millis). */
const LARGEST_POWER = 50;

/** Parses `text` exactly as Kubernetes' `resource.ParseQuantity` does (no surrounding whitespace). */
export function parseQuantity(text: string): QuantityParse {
  if (text.length === 0) return { ok: false, reason: "empty" };
  const scanned = scanQuantity(text);
  if (!scanned) return { ok: false, reason: "format" };
  const { negative, value, num, denom, suffix } = scanned;

  const interpreted = interpretSuffix(suffix);
  if (!interpreted) return { ok: false, reason: "suffix" };
  const { base, exponent, format } = interpreted;

  // ParseQuantity takes an int64 fast path when the digits fit; otherwise it
  // hands `value` to inf.Dec, which wants at least one digit.
  let precision: number;
  let scale = 0;
  if (base === 10) {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  } else {
    precision = exponent >= 0 && denom.length === 0 ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1 : -1;
  }
  const fastPath = precision >= 0 && scale - denom.length >= -9;
  if (!fastPath && !/[0-9]/.test(value)) return { ok: false, reason: "numeric" };

  const mantissa = BigInt(num + denom);
  let nanos = toNanos(mantissa, (base === 10 ? exponent : 0) - denom.length + 9, base === 2 ? exponent : 0);
  let finalFormat = format;
  if (format === "BinarySI") {
    if (nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
    // Kubernetes switches a binary quantity between 0 and 1 to decimal, to avoid rounding.
    if (nanos > 0n && nanos < NANOS_PER_UNIT) finalFormat = "DecimalSI";
  }
  return { ok: true, quantity: { format: finalFormat, suffix, negative: negative && nanos !== 0n, nanos } };
}

/** True when the quantity is a whole number of units (bytes, cores). */
export function isWhole(quantity: Quantity): boolean {
  return quantity.nanos % NANOS_PER_UNIT === 0n;
}

/** True when the quantity is a whole number of thousandths (millicores). */
export function isWholeMillis(quantity: Quantity): boolean {
  return quantity.nanos % 1_000_000n === 0n;
}

/** The magnitude rounded up to thousandths, as Kubernetes' `MilliValue` rounds. */
export function ceilMillis(quantity: Quantity): bigint {
  return (quantity.nanos + 999_999n) / 1_000_000n;
}

/** The magnitude as a plain decimal number: `"0.5"`, `"1181116006.4"`. */
export function formatMagnitude(quantity: Quantity): string {
  const whole = quantity.nanos / NANOS_PER_UNIT;
  const fraction = (quantity.nanos % NANOS_PER_UNIT).toString().padStart(9, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

interface Scanned {
  negative: boolean;
  /** The signed number as written, without its suffix. */
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** Port of apimachinery's `parseQuantityString`; `undefined` where it returns ErrFormatWrong. */
function scanQuantity(text: string): Scanned | undefined {
  const end = text.length;
  let pos = 0;
  let negative = false;
  if (text[0] === "-") {
    negative = true;
    pos++;
  } else if (text[0] === "+") {
    pos++;
  }
  while (pos < end && text[pos] === "0") pos++;
  if (pos >= end) return { negative, value: "0", num: "0", denom: "", suffix: "" };

  const numStart = pos;
  while (pos < end && isDigit(text[pos]!)) pos++;
  let num = text.slice(numStart, pos);
  if (pos >= end) return { negative, value: text, num, denom: "", suffix: "" };
  if (num.length === 0) num = "0";

  let denom = "";
  if (text[pos] === ".") {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(text[pos]!)) pos++;
    denom = text.slice(denomStart, pos);
    if (pos >= end) return { negative, value: text, num, denom, suffix: "" };
  }
  const value = text.slice(0, pos);

  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARACTERS.includes(text[pos]!)) pos++;
  if (pos < end && (text[pos] === "-" || text[pos] === "+")) pos++;
  while (pos < end && isDigit(text[pos]!)) pos++;
  if (pos < end) return undefined;
  return { negative, value, num, denom, suffix: text.slice(suffixStart) };
}

/** Port of apimachinery's suffixer `interpret`. */
function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, suffix)) return { base: 10, exponent: decimal, format: "DecimalSI" };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined && Object.hasOwn(BINARY_SUFFIXES, suffix)) return { base: 2, exponent: binary, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    // Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, within int64.
    const digits = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(digits)) return undefined;
    const parsed = BigInt(digits);
    if (parsed < INT64_MIN || parsed > INT64_MAX) return undefined;
    // The Go code keeps it as an int32.
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: "DecimalExponent" };
  }
  return undefined;
}

/** ceil(mantissa · 10^power10 · 2^power2), with `power10` relative to 1n. */
function toNanos(mantissa: bigint, power10: number, power2: number): bigint {
  if (mantissa === 0n) return 0n;
  const scaled = mantissa << BigInt(power2);
  if (power10 >= 0) return scaled * 10n ** BigInt(Math.min(power10, LARGEST_POWER));
  const shift = -power10;
  // Smaller than one billionth: Kubernetes rounds it up to 1n.
  if (shift > scaled.toString().length) return 1n;
  const divisor = 10n ** BigInt(shift);
  return (scaled + divisor - 1n) / divisor;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
