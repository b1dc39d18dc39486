/**
 * The value of an expression, as far as the source pins it down without
 * running anything: literals, object and array literals, template literals,
 * arithmetic over them, `const`s with such initializers (in this file or
 * imported), spreads of them, and property reads of those or of anything
 * whose type is a single literal (an enum member, a field of an `as const`
 * object). Everything else is `unknown`, so a rule never judges a value the
 * source leaves open. A `const` object is taken as initialized: code that
 * mutates one before passing it as options is not followed.
 *
 * Every value says where a diagnostic about it goes (`at`), always a node of
 * the file being checked: the value itself when it is written there, else
 * the reference that brought it in (the identifier of an imported const, a
 * spread).
 */
import { skipOuterExpressions, propertyName } from "./ast-helpers.ts";
import {
  is,
  NodeFlags,
  SymbolFlags,
  SyntaxKind,
  type ast,
  type Expression,
  type Node,
  type OpenedFile,
  type TsSymbol,
} from "./ts-api.ts";

export type StaticPrimitive =
  | { kind: "string"; value: string; at: Node }
  | { kind: "number"; value: number; at: Node }
  | { kind: "boolean"; value: boolean; at: Node }
  | { kind: "null"; at: Node }
  | { kind: "undefined"; at: Node };

export type StaticValue = StaticPrimitive | StaticObject | StaticArray | { kind: "unknown"; at: Node };

export interface StaticProperty {
  name: string;
  /** Where the key is written (or the reference that brought it in). */
  nameAt: Node;
  value: StaticValue;
}

export interface StaticObject {
  kind: "object";
  /** In the order JavaScript would list them; a later write replaces an earlier one. */
  properties: Map<string, StaticProperty>;
  /** False when a spread or computed key could add keys nobody can see here. */
  complete: boolean;
  at: Node;
}

export interface StaticArray {
  kind: "array";
  elements: StaticValue[];
  /** False when a spread makes the length and positions unknown. */
  complete: boolean;
  at: Node;
}

/** Deep enough for any options object; stops runaway chains of references. */
const MAX_DEPTH = 64;

export class StaticEvaluator {
  readonly #visiting = new Set<Node>();
  #depth = 0;

  constructor(private readonly opened: OpenedFile) {}

  evaluate(expression: Expression): StaticValue {
    return this.#evaluate(expression, undefined);
  }

  /**
   * `anchor` is set while reading another file: every node found there is
   * reported at the anchor, the reference in the checked file.
   */
  #evaluate(expression: Expression, anchor: Node | undefined): StaticValue {
    if (this.#depth >= MAX_DEPTH) return { kind: "unknown", at: anchor ?? expression };
    this.#depth++;
    try {
      return this.#evaluateNode(skipOuterExpressions(expression), anchor);
    } finally {
      this.#depth--;
    }
  }

  #evaluateNode(node: Expression, anchor: Node | undefined): StaticValue {
    const at = anchor ?? node;
    if (is.isStringLiteral(node) || is.isNoSubstitutionTemplateLiteral(node)) return { kind: "string", value: node.text, at };
    if (is.isNumericLiteral(node)) return { kind: "number", value: Number(node.text.replace(/_/g, "")), at };
    if (node.kind === SyntaxKind.TrueKeyword) return { kind: "boolean", value: true, at };
    if (node.kind === SyntaxKind.FalseKeyword) return { kind: "boolean", value: false, at };
    if (node.kind === SyntaxKind.NullKeyword) return { kind: "null", at };
    if (is.isPrefixUnaryExpression(node)) return this.#prefix(node, at, anchor);
    if (is.isBinaryExpression(node)) return this.#binary(node, at, anchor);
    if (is.isTemplateExpression(node)) return this.#template(node, at, anchor);
    if (is.isObjectLiteralExpression(node)) return this.#object(node, at, anchor);
    if (is.isArrayLiteralExpression(node)) return this.#array(node, at, anchor);
    if (is.isIdentifier(node)) return this.#reference(this.opened.checker.getSymbolAtLocation(node), at, anchor);
    if (is.isPropertyAccessExpression(node) || is.isElementAccessExpression(node)) return this.#member(node, at, anchor);
    return { kind: "unknown", at };
  }

  #prefix(node: ast.PrefixUnaryExpression, at: Node, anchor: Node | undefined): StaticValue {
    const operand = this.#evaluate(node.operand, anchor);
    if (operand.kind !== "number") return { kind: "unknown", at };
    if (node.operator === SyntaxKind.MinusToken) return { kind: "number", value: -operand.value, at };
    if (node.operator === SyntaxKind.PlusToken) return { kind: "number", value: operand.value, at };
    return { kind: "unknown", at };
  }

  /** `5 * 60_000`, `"500" + "m"`: arithmetic on numbers, `+` on strings and numbers. */
  #binary(node: ast.BinaryExpression, at: Node, anchor: Node | undefined): StaticValue {
    const operator = node.operatorToken.kind;
    if (!ARITHMETIC.has(operator)) return { kind: "unknown", at };
    const left = this.#evaluate(node.left, anchor);
    const right = this.#evaluate(node.right, anchor);
    if (operator === SyntaxKind.PlusToken && (left.kind === "string" || right.kind === "string")) {
      if ((left.kind !== "string" && left.kind !== "number") || (right.kind !== "string" && right.kind !== "number")) {
        return { kind: "unknown", at };
      }
      return { kind: "string", value: `${left.value}${right.value}`, at };
    }
    if (left.kind !== "number" || right.kind !== "number") return { kind: "unknown", at };
    return { kind: "number", value: ARITHMETIC.get(operator)!(left.value, right.value), at };
  }

  #template(node: ast.TemplateExpression, at: Node, anchor: Node | undefined): StaticValue {
    let text = node.head.text;
    for (const span of node.templateSpans) {
      const part = this.#evaluate(span.expression, anchor);
      if (part.kind === "string" || part.kind === "number" || part.kind === "boolean") text += String(part.value);
      else if (part.kind === "null" || part.kind === "undefined") text += part.kind;
      else return { kind: "unknown", at };
      text += span.literal.text;
    }
    return { kind: "string", value: text, at };
  }

  #object(node: ast.ObjectLiteralExpression, at: Node, anchor: Node | undefined): StaticObject {
    const properties = new Map<string, StaticProperty>();
    let complete = true;
    // Anything a later unknown write may replace is no longer known.
    const forgetValues = () => {
      for (const property of properties.values()) property.value = { kind: "unknown", at: property.value.at };
      complete = false;
    };
    const set = (name: string, nameAt: Node, value: StaticValue) => {
      properties.delete(name); // a redefined key moves to the end, as in JavaScript
      properties.set(name, { name, nameAt, value });
    };

    for (const element of node.properties) {
      if (is.isSpreadAssignment(element)) {
        const spread = this.#evaluate(element.expression, anchor);
        if (spread.kind === "object") {
          // Keys nobody can see in the spread may replace any earlier one.
          if (!spread.complete) forgetValues();
          for (const property of spread.properties.values()) set(property.name, property.nameAt, property.value);
        } else if (spread.kind !== "null" && spread.kind !== "undefined") {
          forgetValues();
        }
        continue;
      }
      const name = this.#keyOf(element, anchor);
      if (name === undefined) {
        forgetValues();
        continue;
      }
      const nameAt = anchor ?? element.name;
      if (is.isPropertyAssignment(element)) {
        set(name, nameAt, this.#evaluate(element.initializer, anchor));
      } else if (is.isShorthandPropertyAssignment(element)) {
        const symbol = this.opened.checker.getShorthandAssignmentValueSymbol(element);
        set(name, nameAt, this.#reference(symbol, anchor ?? element.name, anchor));
      } else {
        // A method or an accessor: its key is there, its value is not a literal.
        set(name, nameAt, { kind: "unknown", at: nameAt });
      }
    }
    return { kind: "object", properties, complete, at };
  }

  #keyOf(element: ast.ObjectLiteralElementLike, anchor: Node | undefined): string | undefined {
    const name = (element as Node & { name?: Node }).name;
    if (!name) return undefined;
    if (is.isComputedPropertyName(name)) {
      const key = this.#evaluate(name.expression, anchor);
      return key.kind === "string" || key.kind === "number" ? String(key.value) : undefined;
    }
    return propertyName(name);
  }

  #array(node: ast.ArrayLiteralExpression, at: Node, anchor: Node | undefined): StaticArray {
    const elements: StaticValue[] = [];
    let complete = true;
    for (const element of node.elements) {
      if (is.isSpreadElement(element)) {
        const spread = this.#evaluate(element.expression, anchor);
        if (spread.kind === "array" && spread.complete) elements.push(...spread.elements);
        else complete = false;
      } else if (is.isOmittedExpression(element)) {
        elements.push({ kind: "undefined", at: anchor ?? element });
      } else {
        elements.push(this.#evaluate(element, anchor));
      }
    }
    return { kind: "array", elements, complete, at };
  }

  /**
   * What a name refers to, when that is a `const` with an initializer (or
   * `undefined`, `NaN`, `Infinity`). A primitive is reported where it is
   * referenced; an object keeps its own keys' places when they are in this file.
   */
  #reference(symbol: TsSymbol | undefined, at: Node, anchor: Node | undefined): StaticValue {
    const { checker, project } = this.opened;
    if (!symbol) return { kind: "unknown", at };
    if (checker.isUndefinedSymbol(symbol)) return { kind: "undefined", at };
    const target = symbol.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    if (checker.isUnknownSymbol(target)) return { kind: "unknown", at };
    const global = this.#numberGlobal(target);
    if (global !== undefined) return { kind: "number", value: global, at };
    const declaration = target.valueDeclaration?.resolve(project);
    if (!declaration || !is.isVariableDeclaration(declaration) || !declaration.initializer) return { kind: "unknown", at };
    const list = declaration.parent;
    if (!is.isVariableDeclarationList(list) || (list.flags & NodeFlags.BlockScoped) !== NodeFlags.Const) return { kind: "unknown", at };
    if (this.#visiting.has(declaration)) return { kind: "unknown", at };

    const elsewhere = declaration.getSourceFile().fileName !== this.opened.sourceFile.fileName;
    this.#visiting.add(declaration);
    try {
      return { ...this.#evaluate(declaration.initializer, anchor ?? (elsewhere ? at : undefined)), at };
    } finally {
      this.#visiting.delete(declaration);
    }
  }

  /** `cfg.cpu`, `PRESETS["small"]`, `Size.Small`, `settings.CPU` of `import * as settings`. */
  #member(node: ast.PropertyAccessExpression | ast.ElementAccessExpression, at: Node, anchor: Node | undefined): StaticValue {
    const { checker } = this.opened;
    // A namespace import's member is the exported const itself.
    if (is.isPropertyAccessExpression(node)) {
      const symbol = checker.getSymbolAtLocation(node.name);
      const target = symbol && (symbol.flags & SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
      if (target && target.flags & SymbolFlags.BlockScopedVariable) return this.#reference(symbol, at, anchor);
    }
    const key = is.isPropertyAccessExpression(node) ? node.name.text : this.#evaluate(node.argumentExpression, anchor);
    const name = typeof key === "string" ? key : key.kind === "string" || key.kind === "number" ? String(key.value) : undefined;
    const base = this.#evaluate(node.expression, anchor);
    if (name !== undefined && base.kind === "object") {
      const property = base.properties.get(name);
      if (property) return property.value.kind === "object" || property.value.kind === "array" ? property.value : { ...property.value, at };
    }
    return this.#literalType(node, at);
  }

  /** The value a single literal type pins down: an enum member, a field of an `as const` object. */
  #literalType(node: Node, at: Node): StaticValue {
    const type = this.opened.checker.getTypeAtLocation(node);
    if (!type) return { kind: "unknown", at };
    if (type.isStringLiteralType()) return { kind: "string", value: type.value, at };
    if (type.isNumberLiteralType()) return { kind: "number", value: type.value, at };
    if (type.isBooleanLiteralType()) return { kind: "boolean", value: type.value, at };
    return { kind: "unknown", at };
  }

  /** `NaN` and `Infinity`, the default library's own. */
  #numberGlobal(symbol: TsSymbol): number | undefined {
    if (symbol.name !== "NaN" && symbol.name !== "Infinity") return undefined;
    const fromLibrary = symbol.declarations.every((d) => this.opened.program.getSourceFileMetadata(d.path)?.isDefaultLibrary);
    if (!fromLibrary || !symbol.declarations.length) return undefined;
    return symbol.name === "NaN" ? Number.NaN : Number.POSITIVE_INFINITY;
  }
}

const ARITHMETIC = new Map<SyntaxKind, (a: number, b: number) => number>([
  [SyntaxKind.PlusToken, (a, b) => a + b],
  [SyntaxKind.MinusToken, (a, b) => a - b],
  [SyntaxKind.AsteriskToken, (a, b) => a * b],
  [SyntaxKind.SlashToken, (a, b) => a / b],
  [SyntaxKind.PercentToken, (a, b) => a % b],
  [SyntaxKind.AsteriskAsteriskToken, (a, b) => a ** b],
]);
