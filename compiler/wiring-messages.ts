/**
 * TypeScript finds a miswired call exactly (the SDK's types make a task's
 * inputs accept its input types or promises of them), but says it in type
 * theory: "Type 'Output<number[]>' is not assignable to type 'Wired<string[]>'".
 * Here those errors, when they fall on the inputs of a call to a task,
 * workflow or map, are said again in workflow terms, at the same place:
 * `input "data" of task "fit" expects string[] but receives number[] from task "load"`.
 */
import { renameKeyFix } from "./rename-fix.ts";
import { closestName } from "./spelling.ts";
import { describeTarget, type CallResolver, type CallTarget } from "./call-targets.ts";
import { lineColumnToOffset, type CompilerDiagnostic } from "./diagnostics.ts";
import type { DataTypeReader } from "./data-types.ts";
import { propertyName, skipOuterExpressions } from "./ast-helpers.ts";
import { formatType, type FieldSpec, type TypeSpec } from "./type-spec.ts";
import { is, type ast, type CallExpression, type Expression, type Node, type OpenedFile } from "./ts-api.ts";

const MISMATCH = new Set(["TS2322", "TS2345"]);
const UNKNOWN = new Set(["TS2353", "TS2561"]);
const MISSING = new Set(["TS2741", "TS2739"]);

export function rewriteWiringDiagnostics(
  diagnostics: CompilerDiagnostic[],
  opened: OpenedFile,
  calls: CallResolver,
  types: DataTypeReader,
): CompilerDiagnostic[] {
  const rewriter = new WiringRewriter(opened, calls, types);
  return diagnostics.flatMap((d) => {
    if (d.file !== opened.file) return [d];
    const rewritten = rewriter.rewrite(d);
    return rewritten === null ? [] : [rewritten ?? d];
  });
}

interface WiredCall {
  call: CallExpression;
  target: CallTarget & { kind: "entity" | "map" };
  inputs: Record<string, FieldSpec>;
  argument: ast.ObjectLiteralExpression;
}

class WiringRewriter {
  constructor(
    private readonly opened: OpenedFile,
    private readonly calls: CallResolver,
    private readonly types: DataTypeReader,
  ) {}

  /** The diagnostic said in workflow terms; undefined to keep it as it is, null to drop it. */
  rewrite(d: CompilerDiagnostic): CompilerDiagnostic | undefined | null {
    const kind = MISMATCH.has(d.code) ? "mismatch" : UNKNOWN.has(d.code) ? "unknown" : MISSING.has(d.code) ? "missing" : undefined;
    if (!kind) return undefined;
    const offset = lineColumnToOffset(this.opened.text, d.line, d.column);
    const wired = this.#wiredCallAt(offset);
    if (!wired) return undefined;
    const callee = describeTarget(wired.target)!;
    if (kind === "missing") {
      const given = new Set(wired.argument.properties.map(nameOfProperty));
      if (wired.argument.properties.some((p) => is.isSpreadAssignment(p))) return undefined;
      const missing = Object.entries(wired.inputs).filter(([name, f]) => !f.optional && !given.has(name));
      if (!missing.length) return undefined;
      const list = missing.map(([name, f]) => `"${name}" (${this.#expected(wired, name, f.type)})`).join(", ");
      return { ...d, code: "ALOFT_MISSING_INPUT", message: `${callee} needs input${missing.length > 1 ? "s" : ""} ${list}, which this call does not pass` };
    }
    const property = wired.argument.properties.find((p) => p.getStart() <= offset && offset < p.end);
    const name = property && nameOfProperty(property);
    if (!property || name === undefined) return undefined;
    if (kind === "unknown") {
      const known = Object.keys(wired.inputs);
      const suggestion = closestName(name, known);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : known.length ? `; its inputs are ${known.map((k) => `"${k}"`).join(", ")}` : "; it takes no inputs";
      const key = is.isPropertyAssignment(property) || is.isShorthandPropertyAssignment(property) ? property.name : undefined;
      const fix = suggestion !== undefined && key ? renameKeyFix(this.opened, key, suggestion) : undefined;
      return { ...d, code: "ALOFT_UNKNOWN_INPUT", message: `${callee} has no input "${name}"${hint}`, ...(fix ? { fix } : {}) };
    }
    const field = wired.inputs[name];
    if (!field) return undefined;
    const value = is.isPropertyAssignment(property) ? property.initializer : is.isShorthandPropertyAssignment(property) ? property.name : undefined;
    if (!value) return undefined;
    // fixed(...) outside a map: the workflow rules say that better than its type does.
    const called = skipOuterExpressions(value as Expression);
    if (is.isCallExpression(called)) {
      const target = this.calls.targetOf(called);
      if (target.kind === "sdk" && target.fn === "fixed") return null;
    }
    const source = this.#source(value as Expression, 0);
    const received = this.#received(value as Expression);
    const receives = received ? `receives ${received}` : "receives a value of another type";
    return {
      ...d,
      code: "ALOFT_WIRING_MISMATCH",
      message: `input "${name}" of ${callee} expects ${this.#expected(wired, name, field.type)} but ${receives}${source ? ` from ${source}` : ""}`,
    };
  }

  #expected(wired: WiredCall, name: string, type: TypeSpec): string {
    if (wired.target.kind !== "map") return formatType(type);
    const item = formatType(type);
    return `${formatType({ kind: "array", items: type })} (one ${item} per item, or fixed(${name}) for all)`;
  }

  /** The innermost call to a task, workflow or map whose object of inputs holds `offset`. */
  #wiredCallAt(offset: number): WiredCall | undefined {
    let found: WiredCall | undefined;
    const visit = (node: Node): void => {
      if (offset < node.getFullStart() || offset >= node.end) return;
      if (is.isCallExpression(node)) {
        const argument = node.arguments[0] && skipOuterExpressions(node.arguments[0]);
        if (argument && is.isObjectLiteralExpression(argument) && argument.getStart() <= offset && offset < argument.end) {
          const target = this.calls.targetOf(node);
          const entity = target.kind === "entity" ? target.site : target.kind === "map" && target.task.kind === "entity" ? target.task.site : undefined;
          if (entity && (target.kind === "entity" || target.kind === "map")) {
            found = { call: node, target, inputs: entity.entity.inputs, argument };
          }
        }
      }
      node.forEachChild(visit);
    };
    visit(this.opened.sourceFile);
    return found;
  }

  /** What a value is as data, in TypeScript's words: `number[]`. */
  #received(value: Expression): string | undefined {
    const type = this.opened.checker.getTypeAtLocation(value);
    if (!type) return undefined;
    const { spec } = this.types.read(type, { awaitDepth: 2 });
    return spec.kind === "any" ? undefined : formatType(spec);
  }

  /** Where a value comes from: `task "load"`, `output "mean" of task "stats"`, `the workflow's input "n"`. */
  #source(value: Expression, depth: number): string | undefined {
    const node = skipOuterExpressions(value);
    if (depth > 8) return undefined;
    if (is.isCallExpression(node)) return describeTarget(this.calls.targetOf(node));
    if (is.isPropertyAccessExpression(node)) {
      const whole = this.#source(node.expression, depth + 1);
      if (!whole) return undefined;
      if (whole.startsWith("the workflow's input")) return undefined;
      return whole === "the workflow's inputs" ? `the workflow's input "${node.name.text}"` : `output "${node.name.text}" of ${whole}`;
    }
    if (!is.isIdentifier(node)) return undefined;
    const declaration = this.calls.facts.symbolAt(node)?.valueDeclaration?.resolve(this.opened.project);
    if (!declaration) return undefined;
    if (is.isVariableDeclaration(declaration) && declaration.initializer && is.isIdentifier(declaration.name)) {
      return this.#source(declaration.initializer, depth + 1);
    }
    if (is.isBindingElement(declaration) && is.isParameterDeclaration(declaration.parent.parent)) {
      const input = declaration.propertyName ? propertyName(declaration.propertyName) : node.text;
      return `the workflow's input "${input}"`;
    }
    if (is.isParameterDeclaration(declaration)) return "the workflow's inputs";
    return undefined;
  }
}

function nameOfProperty(property: ast.ObjectLiteralElementLike): string | undefined {
  return is.isSpreadAssignment(property) ? undefined : propertyName(property.name);
}
