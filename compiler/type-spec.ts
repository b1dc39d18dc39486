/**
 * The wire description of a data type: what the compiler reads off TypeScript
 * types and what the runner validates, parses and hashes values against.
 */
export type TypeSpec =
  | { kind: "string" }
  | { kind: "number" }
  | { kind: "boolean" }
  | { kind: "null" }
  | { kind: "undefined" }
  | { kind: "literal"; value: string | number | boolean }
  | { kind: "date" }
  | { kind: "file" }
  | { kind: "dir" }
  | { kind: "array"; items: TypeSpec }
  | { kind: "record"; fields: Record<string, FieldSpec> }
  | { kind: "map"; values: TypeSpec }
  /** No options is `never`: the output of a task that always throws. */
  | { kind: "union"; options: TypeSpec[] }
  /** `any` or `unknown`: accepted, but defeats checks. */
  | { kind: "any" };

export interface FieldSpec {
  type: TypeSpec;
  optional: boolean;
}

/** What one exported entity takes and gives, as the compiler sees it. */
export interface EntityInterface {
  name: string;
  kind: "task" | "workflow" | "dynamic";
  inputs: Record<string, FieldSpec>;
  output: TypeSpec;
  /** 1-based line of the declaration, for messages and code lenses. */
  line: number;
}

/** Renders a spec the way a TypeScript user would write the type. */
export function formatType(spec: TypeSpec): string {
  switch (spec.kind) {
    case "literal":
      return JSON.stringify(spec.value);
    case "date":
      return "Date";
    case "file":
      return "File";
    case "dir":
      return "Dir";
    case "array": {
      const inner = formatType(spec.items);
      return spec.items.kind === "union" ? `(${inner})[]` : `${inner}[]`;
    }
    case "record": {
      const fields = Object.entries(spec.fields).map(
        ([name, f]) => `${name}${f.optional ? "?" : ""}: ${formatType(f.type)}`,
      );
      return fields.length ? `{ ${fields.join("; ")} }` : "{}";
    }
    case "map":
      return `Record<string, ${formatType(spec.values)}>`;
    case "union":
      return spec.options.length ? spec.options.map(formatType).join(" | ") : "never";
    default:
      return spec.kind;
  }
}
