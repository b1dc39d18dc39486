/**
 * A workflow's graph read from its source, without running it: the body is
 * evaluated over symbolic values the way the runner's tracer runs it, so both
 * produce the same `Graph` (a test holds them equal on every sample). Bodies
 * that break a workflow rule have no static graph; workflow-rules.ts says why.
 */
import { INPUTS_NODE, type Binding, type Graph, type GraphNode } from "./graph.ts";
import { isFunctionLike, propertyName, skipOuterExpressions } from "./ast-helpers.ts";
import type { CallResolver, CallTarget } from "./call-targets.ts";
import type { EntitySite } from "./interfaces.ts";
import type { TypeSpec } from "./type-spec.ts";
import { is, NodeFlags, SyntaxKind, type ast, type CallExpression, type Expression, type Node, type OpenedFile } from "./ts-api.ts";

/** A value as the workflow body holds it while its graph is built. */
type Value =
  | { ref: { node: string; output?: string } }
  | { literal: unknown }
  | { list: Value[] }
  | { record: Record<string, Value> }
  /** What `map(task, options)` returns: called, it records a map node. */
  | { mapOf: { target: CallTarget & { kind: "map" }; options: Record<string, unknown> } }
  | { fixed: Value };

export interface StaticGraph {
  graph: Graph;
  /** The call that recorded each node, by node id. */
  calls: Map<string, CallExpression>;
}

/** Thrown where the body does something the static reading does not follow. */
class NotStatic extends Error {
  constructor(readonly at: Node, reason: string) {
    super(reason);
  }
}

export type StaticGraphReading = { ok: StaticGraph } | { unavailable: string; at: Node };

export function readStaticGraph(opened: OpenedFile, site: EntitySite, calls: CallResolver): StaticGraphReading {
  const fn = site.call.arguments[site.call.arguments.length - 1];
  if (!fn || !isFunctionLike(fn)) return { unavailable: "its body is not written in place as a function", at: site.call };
  try {
    return { ok: new BodyEvaluator(opened, site, calls).evaluate(fn) };
  } catch (error) {
    if (error instanceof NotStatic) return { unavailable: error.message, at: error.at };
    throw error;
  }
}

type Scope = Map<string, Value>;

class BodyEvaluator {
  readonly #nodes: GraphNode[] = [];
  readonly #calls = new Map<string, CallExpression>();
  readonly #callCounts = new Map<string, number>();
  readonly #scopes: Scope[] = [];
  /** Module-level constants being evaluated, to stop at cycles. */
  readonly #evaluating = new Set<number>();

  constructor(
    private readonly opened: OpenedFile,
    private readonly site: EntitySite,
    private readonly resolver: CallResolver,
  ) {}

  evaluate(fn: ast.ArrowFunction | ast.FunctionExpression): StaticGraph {
    const inputNames = Object.keys(this.site.entity.inputs);
    const parameter = fn.parameters[0];
    const scope: Scope = new Map();
    if (parameter) {
      const inputs: Value = { record: Object.fromEntries(inputNames.map((name) => [name, { ref: { node: INPUTS_NODE, output: name } }])) };
      this.#bindName(parameter.name, inputs, scope);
    }
    this.#scopes.push(scope);
    let result: Value = { literal: undefined };
    if (is.isBlock(fn.body)) {
      result = this.#block(fn.body.statements) ?? result;
    } else {
      result = this.#expression(fn.body);
    }
    const output = this.#bind(result);
    return { graph: { entity: this.site.entity.name, inputs: inputNames, nodes: this.#nodes, output }, calls: this.#calls };
  }

  /** Runs statements; the returned value when one returns. */
  #block(statements: readonly Node[]): Value | undefined {
    this.#scopes.push(new Map());
    try {
      for (const statement of statements) {
        const returned = this.#statement(statement);
        if (returned) return returned;
      }
      return undefined;
    } finally {
      this.#scopes.pop();
    }
  }

  #statement(statement: Node): Value | undefined {
    switch (statement.kind) {
      case SyntaxKind.VariableStatement:
        for (const declaration of (statement as ast.VariableStatement).declarationList.declarations) {
          const value: Value = declaration.initializer ? this.#expression(declaration.initializer) : { literal: undefined };
          this.#bindName(declaration.name, value, this.#scopes[this.#scopes.length - 1]!);
        }
        return undefined;
      case SyntaxKind.ExpressionStatement: {
        const written = (statement as ast.ExpressionStatement).expression;
        const expression = skipOuterExpressions(written);
        if (is.isBinaryExpression(expression) && expression.operatorToken.kind === SyntaxKind.EqualsToken && is.isIdentifier(expression.left)) {
          this.#assign(expression.left, this.#expression(expression.right));
        } else {
          this.#expression(written);
        }
        return undefined;
      }
      case SyntaxKind.ReturnStatement: {
        const returned = (statement as ast.ReturnStatement).expression;
        return returned ? this.#expression(returned) : { literal: undefined };
      }
      case SyntaxKind.Block:
        return this.#block((statement as ast.Block).statements);
      case SyntaxKind.EmptyStatement:
        return undefined;
    }
    throw new NotStatic(statement, "it uses a statement other than const, let, a call or return");
  }

  /** `state = train(...)`: the name now holds the new value, in the scope that declared it. */
  #assign(name: ast.Identifier, value: Value): void {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      if (this.#scopes[i]!.has(name.text)) {
        this.#scopes[i]!.set(name.text, value);
        return;
      }
    }
    throw new NotStatic(name, `it assigns to "${name.text}", which is not declared in the body`);
  }

  #bindName(name: Node, value: Value, scope: Scope): void {
    if (is.isIdentifier(name)) {
      scope.set(name.text, value);
      return;
    }
    if (is.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        if (element.dotDotDotToken || !element.name) throw new NotStatic(element, "it spreads a value it does not have yet");
        const key = propertyName(element.propertyName ?? element.name);
        if (key === undefined) throw new NotStatic(element, "it destructures a computed name");
        let field = this.#member(value, key, element);
        if (element.initializer && "literal" in field && field.literal === undefined) field = this.#expression(element.initializer);
        this.#bindName(element.name, field, scope);
      }
      return;
    }
    throw new NotStatic(name, "it destructures an array");
  }

  #expression(node: Expression): Value {
    const expression = skipOuterExpressions(node);
    // Read once and switched on: every expression of a body passes here.
    switch (expression.kind) {
      case SyntaxKind.Identifier:
        return this.#identifier(expression as ast.Identifier);
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        return { literal: (expression as ast.StringLiteral | ast.NoSubstitutionTemplateLiteral).text };
      case SyntaxKind.NumericLiteral:
        return { literal: Number((expression as ast.NumericLiteral).text) };
      case SyntaxKind.TrueKeyword:
        return { literal: true };
      case SyntaxKind.FalseKeyword:
        return { literal: false };
      case SyntaxKind.NullKeyword:
        return { literal: null };
      case SyntaxKind.PrefixUnaryExpression: {
        const unary = expression as ast.PrefixUnaryExpression;
        if (unary.operator === SyntaxKind.MinusToken && is.isNumericLiteral(unary.operand)) return { literal: -Number(unary.operand.text) };
        break;
      }
      case SyntaxKind.ArrayLiteralExpression:
        return this.#array(expression as ast.ArrayLiteralExpression);
      case SyntaxKind.ObjectLiteralExpression:
        return this.#object(expression as ast.ObjectLiteralExpression);
      case SyntaxKind.PropertyAccessExpression: {
        const access = expression as ast.PropertyAccessExpression;
        return this.#member(this.#expression(access.expression), access.name.text, access);
      }
      case SyntaxKind.ElementAccessExpression: {
        const access = expression as ast.ElementAccessExpression;
        const key = this.#expression(access.argumentExpression);
        if (!("literal" in key) || (typeof key.literal !== "string" && typeof key.literal !== "number")) {
          throw new NotStatic(access, "it indexes with a value it does not have yet");
        }
        return this.#member(this.#expression(access.expression), String(key.literal), access);
      }
      case SyntaxKind.CallExpression:
        return this.#call(expression as ast.CallExpression);
      case SyntaxKind.NewExpression:
        return this.#constantDate(expression as ast.NewExpression);
    }
    throw new NotStatic(expression, `it computes \`${expression.getText()}\` in the body`);
  }

  #identifier(node: ast.Identifier): Value {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const value = this.#scopes[i]!.get(node.text);
      if (value) return value;
    }
    if (node.text === "undefined") return { literal: undefined };
    return this.#moduleConstant(node);
  }

  /** A top-level `const` with a constant initializer, in this file or imported. */
  #moduleConstant(node: ast.Identifier): Value {
    const symbol = this.resolver.facts.symbolAt(node);
    const target = symbol && this.resolver.sdk.resolveAlias(symbol);
    const declaration = target?.valueDeclaration?.resolve(this.opened.project);
    if (!target || !declaration || !is.isVariableDeclaration(declaration) || !declaration.initializer) {
      throw new NotStatic(node, `it reads "${node.text}", which is not a constant it can see`);
    }
    const list = declaration.parent;
    if (!(list.flags & NodeFlags.Const)) throw new NotStatic(node, `it reads "${node.text}", which is not a const`);
    if (this.#evaluating.has(target.id)) throw new NotStatic(node, `"${node.text}" refers to itself`);
    this.#evaluating.add(target.id);
    const scopes = this.#scopes.splice(0);
    try {
      return this.#expression(declaration.initializer);
    } finally {
      this.#scopes.push(...scopes);
      this.#evaluating.delete(target.id);
    }
  }

  /** `new Date("2024-01-02")`: a constant the tracer encodes as a date. */
  #constantDate(node: ast.NewExpression): Value {
    const callee = skipOuterExpressions(node.expression);
    const [argument, ...rest] = node.arguments ?? [];
    if (is.isIdentifier(callee) && callee.text === "Date" && argument && !rest.length) {
      const value = this.#expression(argument);
      if ("literal" in value && (typeof value.literal === "string" || typeof value.literal === "number")) {
        const date = new Date(value.literal);
        if (!Number.isNaN(date.getTime())) return { literal: date };
      }
    }
    throw new NotStatic(node, `it creates \`${node.getText()}\` in the body`);
  }

  #array(node: ast.ArrayLiteralExpression): Value {
    const items: Value[] = [];
    for (const element of node.elements) {
      if (is.isSpreadElement(element)) {
        const spread = this.#expression(element.expression);
        if ("list" in spread) items.push(...spread.list);
        else if ("literal" in spread && Array.isArray(spread.literal)) items.push(...spread.literal.map((literal) => ({ literal })));
        else throw new NotStatic(element, "it spreads a value it does not have yet");
      } else if (element.kind === SyntaxKind.OmittedExpression) {
        items.push({ literal: undefined });
      } else {
        items.push(this.#expression(element));
      }
    }
    return { list: items };
  }

  #object(node: ast.ObjectLiteralExpression): Value {
    const fields: Record<string, Value> = {};
    for (const property of node.properties) {
      if (is.isPropertyAssignment(property)) {
        const key = propertyName(property.name);
        if (key === undefined) throw new NotStatic(property, "it uses a computed property name");
        fields[key] = this.#expression(property.initializer);
      } else if (is.isShorthandPropertyAssignment(property)) {
        fields[(property.name as ast.Identifier).text] = this.#identifier(property.name as ast.Identifier);
      } else if (is.isSpreadAssignment(property)) {
        const spread = this.#expression(property.expression);
        if ("record" in spread) Object.assign(fields, spread.record);
        else if ("literal" in spread && isPlainObject(spread.literal)) {
          for (const [k, literal] of Object.entries(spread.literal)) fields[k] = { literal };
        } else throw new NotStatic(property, "it spreads a value it does not have yet");
      } else {
        throw new NotStatic(property, "it declares a method or accessor in an object");
      }
    }
    return { record: fields };
  }

  /** `value.key`: a named output of a call's ref, or a field of a constant. */
  #member(value: Value, key: string, at: Node): Value {
    if ("ref" in value) {
      if (value.ref.output !== undefined || value.ref.node === INPUTS_NODE) throw new NotStatic(at, `it reads "${key}" of a value it does not have yet`);
      return { ref: { node: value.ref.node, output: key } };
    }
    if ("record" in value) return value.record[key] ?? { literal: undefined };
    if ("list" in value) {
      if (key === "length") return { literal: value.list.length };
      return value.list[Number(key)] ?? { literal: undefined };
    }
    if ("literal" in value && value.literal !== null && typeof value.literal === "object") {
      return { literal: (value.literal as Record<string, unknown>)[key] };
    }
    throw new NotStatic(at, `it reads "${key}" of a value that has no such field`);
  }

  #call(call: CallExpression): Value {
    const target = this.resolver.targetOf(call);
    if (target.kind === "sdk" && target.fn === "fixed") {
      const argument = call.arguments[0];
      return { fixed: argument ? this.#expression(argument) : { literal: undefined } };
    }
    if (target.kind === "sdk" && target.fn === "map") {
      const made = this.resolver.targetOfExpression(call);
      if (made.kind !== "map") throw new NotStatic(call, "it calls map(...) without a task");
      const optionsArgument = call.arguments[1];
      const options = optionsArgument ? this.#constant(this.#expression(optionsArgument), optionsArgument) : {};
      if (!isPlainObject(options)) throw new NotStatic(call, "its map(...) options are not an object");
      return { mapOf: { target: made, options } };
    }
    if (target.kind === "map") {
      const callee = skipOuterExpressions(call.expression);
      const made = this.#expression(callee);
      if (!("mapOf" in made)) throw new NotStatic(call, "it calls a map whose options it cannot read");
      const task = made.mapOf.target.task;
      if (task.kind !== "entity") throw new NotStatic(call, "it maps over something that is not an exported task");
      return this.#record(call, task.site.entity.name, "map", made.mapOf.options);
    }
    if (target.kind === "entity") return this.#record(call, target.site.entity.name, target.site.entity.kind);
    throw new NotStatic(call, `it calls \`${call.expression.getText()}\`, which is not a task, workflow or map`);
  }

  /** Records a node for `call`, in call order, the way the tracer names it. */
  #record(call: CallExpression, entity: string, kind: GraphNode["kind"], mapOptions?: Record<string, unknown>): Value {
    const argument = call.arguments[0];
    const inputs: Value = argument ? this.#expression(argument) : { record: {} };
    const fields = "record" in inputs ? inputs.record : "literal" in inputs && isPlainObject(inputs.literal) ? literalFields(inputs.literal) : undefined;
    if (!fields) throw new NotStatic(call, "its inputs are not one object of named inputs");
    const count = (this.#callCounts.get(entity) ?? 0) + 1;
    this.#callCounts.set(entity, count);
    const id = count === 1 ? entity : `${entity}-${count}`;
    const bindings: Record<string, Binding> = {};
    const fixed: string[] = [];
    for (const [name, value] of Object.entries(fields)) {
      if ("fixed" in value) {
        if (!mapOptions) throw new NotStatic(call, `it passes fixed(...) to input "${name}" of a call that is not a map`);
        fixed.push(name);
        bindings[name] = this.#bind(value.fixed);
      } else {
        bindings[name] = this.#bind(value);
      }
    }
    const node: GraphNode = { id, entity, kind, inputs: bindings };
    if (mapOptions) {
      node.map = { fixed };
      if (typeof mapOptions["concurrency"] === "number") node.map.concurrency = mapOptions["concurrency"];
      if (typeof mapOptions["minSuccessRatio"] === "number") node.map.minSuccessRatio = mapOptions["minSuccessRatio"];
    }
    this.#nodes.push(node);
    this.#calls.set(id, call);
    return { ref: { node: id } };
  }

  /** As the tracer binds a value: refs stay refs, anything holding none is a constant. */
  #bind(value: Value): Binding {
    if ("ref" in value) return { ref: value.ref.output === undefined ? { node: value.ref.node } : { ...value.ref } };
    if ("list" in value && value.list.some(holdsRef)) return { list: value.list.map((v) => this.#bind(v)) };
    if ("record" in value && Object.values(value.record).some(holdsRef)) {
      return { record: Object.fromEntries(Object.entries(value.record).map(([k, v]) => [k, this.#bind(v)])) };
    }
    return { literal: toWire(this.#constant(value, undefined)) };
  }

  /** The plain value of something that holds no ref. */
  #constant(value: Value, at: Node | undefined): unknown {
    if ("literal" in value) return value.literal;
    if ("list" in value) return value.list.map((v) => this.#constant(v, at));
    if ("record" in value) return Object.fromEntries(Object.entries(value.record).map(([k, v]) => [k, this.#constant(v, at)]));
    throw new NotStatic(at ?? this.site.call, "it uses a value it does not have yet where a constant is needed");
  }
}

function holdsRef(value: Value): boolean {
  if ("ref" in value) return true;
  if ("list" in value) return value.list.some(holdsRef);
  if ("record" in value) return Object.values(value.record).some(holdsRef);
  return false;
}

function literalFields(object: Record<string, unknown>): Record<string, Value> {
  return Object.fromEntries(Object.entries(object).map(([k, literal]) => [k, { literal }]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The wire form of a constant: JSON, with `undefined` dropped from records and null elsewhere. */
function toWire(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(toWire);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

/** True when a node's output carries nothing (`void`, `undefined`, `null`). */
export function isEmptyOutput(spec: TypeSpec): boolean {
  if (spec.kind === "undefined" || spec.kind === "null") return true;
  return spec.kind === "union" && spec.options.length > 0 && spec.options.every(isEmptyOutput);
}
