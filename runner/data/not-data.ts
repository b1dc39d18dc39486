/**
 * Why a value is not data, in words that tell the user what to do instead.
 * Used for values no transformer accepts: functions, symbols, bigints,
 * non-finite numbers, and instances of classes other than Date, File and Dir.
 */
export function whyNotData(value: unknown): string {
  switch (typeof value) {
    case "function":
      return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? "is a class" : "is a function";
    case "symbol":
      return "is a symbol";
    case "bigint":
      return "is a bigint (convert it to a number, or to a string if it is too large)";
    case "number":
      return `is ${value} (not a finite number)`;
    case "object":
      return value === null ? "is null" : whyObjectIsNotData(value);
    default:
      return `is a ${typeof value}`;
  }
}

function whyObjectIsNotData(value: object): string {
  if (value instanceof Date) return "is an invalid Date";
  if (value instanceof Promise || typeof (value as { then?: unknown }).then === "function") {
    return "is a Promise (await it first)";
  }
  if (value instanceof Map) return "is a Map (use a plain object, or an array of [key, value] pairs)";
  if (value instanceof Set) return "is a Set (use an array)";
  if (Buffer.isBuffer(value)) return "is a Buffer (write it to a File, or convert it to a string)";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `is a ${value.constructor.name} (write it to a File, or convert it to an array of numbers)`;
  }
  if (value instanceof Error) return `is an ${value.name === "Error" ? "Error" : `Error (${value.name})`}; throw it instead`;
  if (value instanceof RegExp) return "is a RegExp (use its source string)";
  if (value instanceof WeakMap || value instanceof WeakSet) return `is a ${value.constructor.name}`;
  const name = value.constructor?.name;
  return name ? `is an instance of class ${name} (return a plain object with its fields)` : "is an object with a custom prototype, not a plain object";
}
