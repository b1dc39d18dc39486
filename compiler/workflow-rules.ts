/**
 * The rules of a workflow body, checked in the source. A workflow body runs
 * once, with stand-ins for values that do not exist yet, to build a graph: it
 * may only wire calls together. A dynamic body runs with real inputs, so it may
 * compute on them, but the outputs of the calls it makes are stand-ins too.
 * Each rule names the entity, the value and what to do instead.
 */
import { asyncKeyword, isFunctionLike, shortText, skipOuterExpressions } from "./ast-helpers.ts";
import { describeTarget, type CallResolver, type CallTarget } from "./call-targets.ts";
import type { CompilerDiagnostic } from "./diagnostics.ts";
import type { EntitySite } from "./interfaces.ts";
import type { SdkDeclarations } from "./sdk-declarations.ts";
import { is, SyntaxKind, TypeFlags, type ast, type Expression, type Node, type OpenedFile, type Type } from "./ts-api.ts";

export type Report = (at: Node, severity: CompilerDiagnostic["severity"], code: string, message: string) => void;

/** Binary operators that compute a new value from their operands. */
const COMPUTING_OPERATORS = new Set<SyntaxKind>([
  SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken, SyntaxKind.SlashToken, SyntaxKind.PercentToken,
  SyntaxKind.AsteriskAsteriskToken, SyntaxKind.LessThanToken, SyntaxKind.GreaterThanToken, SyntaxKind.LessThanEqualsToken,
  SyntaxKind.GreaterThanEqualsToken, SyntaxKind.EqualsEqualsToken, SyntaxKind.ExclamationEqualsToken,
  SyntaxKind.EqualsEqualsEqualsToken, SyntaxKind.ExclamationEqualsEqualsToken, SyntaxKind.AmpersandToken,
  SyntaxKind.BarToken, SyntaxKind.CaretToken, SyntaxKind.LessThanLessThanToken, SyntaxKind.GreaterThanGreaterThanToken,
  SyntaxKind.GreaterThanGreaterThanGreaterThanToken, SyntaxKind.InKeyword, SyntaxKind.InstanceOfKeyword,
  SyntaxKind.PlusEqualsToken, SyntaxKind.MinusEqualsToken, SyntaxKind.AsteriskEqualsToken, SyntaxKind.SlashEqualsToken,
  SyntaxKind.PercentEqualsToken, SyntaxKind.AsteriskAsteriskEqualsToken, SyntaxKind.AmpersandEqualsToken,
  SyntaxKind.BarEqualsToken, SyntaxKind.CaretEqualsToken, SyntaxKind.LessThanLessThanEqualsToken,
  SyntaxKind.GreaterThanGreaterThanEqualsToken, SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
]);
const BRANCHING_OPERATORS = new Set<SyntaxKind>([
  SyntaxKind.AmpersandAmpersandToken, SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken,
  SyntaxKind.AmpersandAmpersandEqualsToken, SyntaxKind.BarBarEqualsToken, SyntaxKind.QuestionQuestionEqualsToken,
]);
const PROMISE_METHODS = new Set(["then", "catch", "finally"]);
const WHOLE_INPUTS = "the workflow's inputs";

/** Globals whose answer changes from run to run or machine to machine, by the path to them. */
const NON_DETERMINISTIC: Record<string, string> = {
  "Date.now": "gives the time of the run that builds the graph",
  "Math.random": "gives a different number each run",
  "performance.now": "gives the time of the run that builds the graph",
  "crypto.randomUUID": "gives a different id each run",
  "crypto.getRandomValues": "gives different bytes each run",
  fetch: "reads the network",
  setTimeout: "schedules code outside the graph",
  setInterval: "schedules code outside the graph",
  require: "loads code while the graph is built",
};

export function checkEntityBody(
  opened: OpenedFile,
  site: EntitySite,
  calls: CallResolver,
  sdk: SdkDeclarations,
  report: Report,
): void {
  const fn = site.call.arguments[site.call.arguments.length - 1];
  if (!fn || !isFunctionLike(fn)) return;
  new BodyChecker(opened, site, calls, sdk, report).check(fn);
}

/** What a name in a workflow body holds, when it is a stand-in: words for messages. */
type Scope = Map<string, string | undefined>;

class BodyChecker {
  readonly #kind: "workflow" | "dynamic";
  readonly #subject: string;
  readonly #scopes: Scope[] = [];

  constructor(
    private readonly opened: OpenedFile,
    private readonly site: EntitySite,
    private readonly calls: CallResolver,
    private readonly sdk: SdkDeclarations,
    private readonly report: Report,
  ) {
    this.#kind = site.entity.kind === "dynamic" ? "dynamic" : "workflow";
    this.#subject = `${this.#kind} "${site.entity.name}"`;
  }

  check(fn: ast.ArrowFunction | ast.FunctionExpression): void {
    if (this.site.entity.kind === "task") return;
    const scope: Scope = new Map();
    const parameter = fn.parameters[0];
    if (parameter && this.#kind === "workflow") this.#bindInputs(parameter.name, scope);
    this.#scopes.push(scope);
    const keyword = asyncKeyword(fn);
    if (this.#kind === "workflow" && keyword && !containsAwait(fn.body)) {
      this.report(keyword, "error", "ALOFT_WORKFLOW_ASYNC", `${this.#subject} is async; a workflow body runs once to build the graph and cannot wait for anything: drop \`async\`, or make it a dynamic to run code on real values`);
    }
    this.#visit(fn.body);
  }

  #bindInputs(name: Node, scope: Scope): void {
    if (is.isIdentifier(name)) {
      scope.set(name.text, WHOLE_INPUTS);
    } else if (is.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        if (!element.name || !is.isIdentifier(element.name)) continue;
        const input = element.propertyName && is.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
        scope.set(element.name.text, `its input "${input}"`);
      }
    }
  }

  // Every node of a body passes here: its kind is read once and switched on
  // (each `is.…` test would read it off the syntax tree again).
  #visit = (node: Node): void => {
    const kind = node.kind;
    if (kind === SyntaxKind.ArrowFunction || kind === SyntaxKind.FunctionExpression) return; // a nested function: the call that takes it is what is reported
    if (kind === SyntaxKind.Block) {
      this.#scopes.push(new Map());
      node.forEachChild(this.#visit);
      this.#scopes.pop();
      return;
    }
    if (this.#rule(node, kind)) return; // reported: its parts would only repeat it
    node.forEachChild(this.#visit);
    if (kind === SyntaxKind.VariableDeclaration) this.#declare(node as ast.VariableDeclaration);
  };

  /** The rule `node` (of kind `kind`) falls under, when it breaks one: true once reported. */
  #rule(node: Node, kind: SyntaxKind): boolean {
    switch (kind) {
      case SyntaxKind.AwaitExpression:
        return this.#await(node as ast.AwaitExpression);
      case SyntaxKind.CallExpression:
        return this.#call(node as ast.CallExpression);
      case SyntaxKind.NewExpression:
        return this.#new(node as ast.NewExpression);
      case SyntaxKind.PropertyAccessExpression:
        return this.#propertyAccess(node as ast.PropertyAccessExpression);
      case SyntaxKind.BinaryExpression:
        return this.#binary(node as ast.BinaryExpression);
      case SyntaxKind.PrefixUnaryExpression:
      case SyntaxKind.PostfixUnaryExpression: {
        const unary = node as ast.PrefixUnaryExpression | ast.PostfixUnaryExpression;
        if (this.#kind === "dynamic" && unary.operator === SyntaxKind.ExclamationToken) return false; // `!state`: is there one yet
        return this.#computes(node, unary.operand);
      }
      case SyntaxKind.TypeOfExpression:
        return this.#kind === "workflow" && this.#computes(node, (node as ast.TypeOfExpression).expression);
      case SyntaxKind.TemplateExpression:
        return (node as ast.TemplateExpression).templateSpans.some((span) => this.#computes(node, span.expression));
      case SyntaxKind.SpreadElement:
      case SyntaxKind.SpreadAssignment:
        return this.#computes(node, (node as ast.SpreadElement | ast.SpreadAssignment).expression, "spreads");
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.ForInStatement:
        return this.#loop((node as ast.ForOfStatement | ast.ForInStatement).expression);
      case SyntaxKind.VariableDeclaration: {
        // `const [first] = call(...)` iterates the output too.
        const declaration = node as ast.VariableDeclaration;
        return is.isArrayBindingPattern(declaration.name) && !!declaration.initializer && this.#loop(declaration.initializer);
      }
    }
    if (this.#kind !== "workflow") return false;
    switch (kind) {
      case SyntaxKind.IfStatement:
      case SyntaxKind.WhileStatement:
      case SyntaxKind.DoStatement:
        return this.#branch((node as ast.IfStatement | ast.WhileStatement | ast.DoStatement).expression);
      case SyntaxKind.ConditionalExpression:
        return this.#branch((node as ast.ConditionalExpression).condition);
      case SyntaxKind.SwitchStatement:
        return this.#branch((node as ast.SwitchStatement).expression);
      case SyntaxKind.ForStatement: {
        const condition = (node as ast.ForStatement).condition;
        return !!condition && this.#branch(condition);
      }
    }
    return false;
  }

  #await(node: ast.AwaitExpression): boolean {
    if (this.#kind === "workflow") {
      this.report(node, "error", "ALOFT_WORKFLOW_AWAIT", `${this.#subject} awaits \`${shortText(node.expression)}\`; a workflow body runs once to build the graph and cannot wait for results: drop \`await\` and pass the call's output on to the next call, or make it a dynamic`);
      return true;
    }
    const output = this.#output(node.expression);
    if (!output) return false;
    this.report(node, "error", "ALOFT_AWAITS_OUTPUT", `${this.#subject} awaits ${output}; the calls a dynamic makes run after its body returns, so there is nothing to wait for: pass the output on to another call, or do this work inside a task`);
    return true;
  }

  #call(node: ast.CallExpression): boolean {
    const target = this.calls.targetOf(node);
    if (target.kind === "unexported") {
      this.report(node.expression, "error", "ALOFT_ENTITY_NOT_EXPORTED", `${this.#subject} calls ${describeTarget(target)}, which this file does not export; the runner finds entities by their export name: export it from this file (export { ${target.name} } from "...")`);
      return true;
    }
    if (target.kind === "map" && target.task.kind !== "entity" && target.task.kind !== "unexported") {
      this.report(target.factory, "error", "ALOFT_MAP_NOT_TASK", `${this.#subject} maps over \`${shortText(target.factory.arguments[0] ?? target.factory)}\`, which is not a task; map(...) runs one task per item`);
      return true;
    }
    if (target.kind === "sdk" && target.fn === "fixed" && !isMapInput(node, this.calls)) {
      this.report(node, "error", "ALOFT_FIXED_OUTSIDE_MAP", `${this.#subject} passes fixed(...) where no map(...) takes it; fixed() marks an input of a map(...) call as the same for every item: pass the value directly here`);
      return true;
    }
    if (target.kind !== "other" || this.#kind === "dynamic") {
      return target.kind === "sdk" && target.fn !== "map" && target.fn !== "fixed" && this.#kind === "workflow"
        ? this.#notACall(node, `declares a ${target.fn} inside its body`)
        : false;
    }
    const callee = skipOuterExpressions(node.expression);
    if (is.isPropertyAccessExpression(callee) && this.#output(callee.expression)) return this.#propertyAccess(callee);
    // `new Date().toISOString()`: the clock is the problem, not the method.
    const root = rootOf(callee);
    if (is.isNewExpression(root) && this.#new(root)) return true;
    const nondeterministic = this.#nondeterministic(callee);
    if (nondeterministic) {
      this.report(node, "error", "ALOFT_NONDETERMINISTIC", `${this.#subject} calls ${shortText(callee)}(), which ${nondeterministic}; a workflow body runs once to build the graph, so the answer would be frozen into it (and differ on a resume): do this inside a task, or pass the value in as an input`);
      return true;
    }
    return this.#notACall(node, `calls \`${shortText(callee)}(...)\`, which is not a task, workflow or map`);
  }

  #notACall(node: Node, what: string): boolean {
    this.report(node, "error", "ALOFT_NOT_A_TASK_CALL", `${this.#subject} ${what}; a workflow body only wires calls together (it runs once, before any data exists): move this code into a task, or make "${this.site.entity.name}" a dynamic`);
    return true;
  }

  #new(node: ast.NewExpression): boolean {
    if (this.#kind === "dynamic") return false;
    const callee = skipOuterExpressions(node.expression);
    if (is.isIdentifier(callee) && callee.text === "Date" && !this.#isLocal("Date")) {
      const [argument, ...rest] = node.arguments ?? [];
      // `new Date("2024-01-02")` is a constant: it travels as data.
      if (argument && !rest.length && isConstantDateArgument(argument)) return false;
      if (!argument) {
        this.report(node, "error", "ALOFT_NONDETERMINISTIC", `${this.#subject} reads the clock (new Date()), which gives the time of the run that builds the graph; a workflow body runs once, so that time would be frozen into the graph: read the clock inside a task, or pass the date in as an input`);
        return true;
      }
    }
    return this.#notACall(node, `creates \`${shortText(node)}\``);
  }

  #propertyAccess(node: ast.PropertyAccessExpression): boolean {
    if (this.#kind === "workflow" && this.#rootName(node) === "process" && !this.#isLocal("process")) {
      this.report(node, "error", "ALOFT_NONDETERMINISTIC", `${this.#subject} reads ${shortText(node)}, which depends on the machine that builds the graph; pass the value in as a workflow input, or read it inside a task`);
      return true;
    }
    const object = skipOuterExpressions(node.expression);
    const output = this.#output(object);
    if (!output) return false;
    const name = node.name.text;
    if (output === WHOLE_INPUTS) return false; // `inputs.x`: one named input
    if (PROMISE_METHODS.has(name)) {
      this.report(node, "error", "ALOFT_COMPUTES_ON_OUTPUT", `${this.#subject} handles ${output} as a promise (.${name}); the runner waits for outputs and retries failures: pass the output on to another call, and handle errors inside a task`);
      return true;
    }
    if (this.#kind === "dynamic" || this.#isNamedOutput(object, name)) return false;
    this.report(node, "error", "ALOFT_COMPUTES_ON_OUTPUT", `${this.#subject} reads "${name}" of ${output}, which does not exist while the graph is built; only the named outputs of a call (a field of the record a task returns) can be wired: read it inside a task`);
    return true;
  }

  /** `call(...).field` where the call's output is a record with that field. */
  #isNamedOutput(object: Expression, name: string): boolean {
    const target = this.#callTargetOf(object);
    if (!target) return false;
    const output = target.kind === "entity" ? target.site.entity.output : undefined;
    return output?.kind === "record" ? name in output.fields : output?.kind === "any";
  }

  /** The call an expression stands for: the call itself, or a const holding it. */
  #callTargetOf(expression: Expression): CallTarget | undefined {
    const node = skipOuterExpressions(expression);
    if (is.isCallExpression(node)) {
      const target = this.calls.targetOf(node);
      return target.kind === "map" ? undefined : target;
    }
    if (!is.isIdentifier(node)) return undefined;
    const declaration = this.calls.facts.symbolAt(node)?.valueDeclaration?.resolve(this.opened.project);
    if (!declaration || !is.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
    return this.#callTargetOf(declaration.initializer);
  }

  #binary(node: ast.BinaryExpression): boolean {
    const operator = node.operatorToken.kind;
    if (operator === SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(node.left);
      if ((is.isPropertyAccessExpression(left) || is.isElementAccessExpression(left)) && this.#output(left.expression)) {
        this.report(node, "error", "ALOFT_COMPUTES_ON_OUTPUT", `${this.#subject} modifies ${this.#output(left.expression)}; outputs cannot change in a workflow body: build the new value inside a task`);
        return true;
      }
      if (is.isIdentifier(left)) this.#assign(left.text, node.right);
      return false;
    }
    if (BRANCHING_OPERATORS.has(operator)) {
      if (this.#kind === "dynamic") return false;
      return this.#branch(node.left) || this.#branch(node.right);
    }
    if (!COMPUTING_OPERATORS.has(operator)) return false;
    return this.#computes(node, node.left) || this.#computes(node, node.right);
  }

  #computes(node: Node, operand: Expression, doing = "computes with"): boolean {
    const output = this.#output(operand);
    if (!output) return false;
    const advice = this.#kind === "workflow"
      ? `move the computation into a task, or make "${this.site.entity.name}" a dynamic to compute on its real inputs`
      : "the outputs of the calls a dynamic makes are not known yet: compute inside a task";
    this.report(node, "error", "ALOFT_COMPUTES_ON_OUTPUT", `${this.#subject} ${doing} ${output} (\`${shortText(node)}\`), a value that does not exist while the graph is built; ${advice}`);
    return true;
  }

  #branch(condition: Expression): boolean {
    const output = this.#outputWithin(condition);
    if (!output) return false;
    this.report(condition, "error", "ALOFT_BRANCHES_ON_OUTPUT", `${this.#subject} branches on ${output} (\`${shortText(condition)}\`); a workflow's graph is fixed before any task runs: make "${this.site.entity.name}" a dynamic to choose at run time, or decide inside a task`);
    return true;
  }

  #loop(over: Expression): boolean {
    const output = this.#output(over);
    if (!output) return false;
    const advice = this.#kind === "workflow"
      ? `use map(task)(...) to run a task per item, or make "${this.site.entity.name}" a dynamic`
      : "use map(task)(...) to run a task per item, or loop inside a task";
    this.report(over, "error", "ALOFT_LOOPS_ON_OUTPUT", `${this.#subject} loops over ${output}, which does not exist while the graph is built; ${advice}`);
    return true;
  }

  /** An output (or, in a workflow, an input) somewhere inside `expression`. */
  #outputWithin(expression: Expression): string | undefined {
    const own = this.#output(expression);
    if (own) return own;
    let found: string | undefined;
    expression.forEachChild((child) => {
      if (!found && !isFunctionLike(child) && is.isExpression(child)) found = this.#outputWithin(child);
    });
    return found;
  }

  /**
   * Words for the stand-in `expression` is, or undefined when it is a real
   * value. In a workflow that is its inputs and every call's output; in a
   * dynamic only the outputs of its calls, known by their promise types.
   */
  #output(expression: Expression): string | undefined {
    const node = skipOuterExpressions(expression);
    if (is.isCallExpression(node)) {
      const described = describeTarget(this.calls.targetOf(node));
      return described && `the output of ${described}`;
    }
    if (this.#kind === "dynamic") {
      if (!is.isIdentifier(node) && !is.isPropertyAccessExpression(node) && !is.isElementAccessExpression(node)) return undefined;
      const type = this.calls.facts.typeAt(node);
      return type && this.#isPromised(type) ? `\`${shortText(node)}\` (the output of a call it makes)` : undefined;
    }
    if (is.isIdentifier(node)) return this.#lookup(node.text);
    if (is.isPropertyAccessExpression(node) || is.isElementAccessExpression(node)) {
      const inner = skipOuterExpressions(node.expression);
      const whole = this.#output(inner);
      if (!whole) return undefined;
      const field = is.isPropertyAccessExpression(node) ? node.name.text : shortText(node.argumentExpression);
      if (whole === WHOLE_INPUTS) return `its input "${field}"`;
      return whole.startsWith("the output of ") ? `output "${field}" of ${whole.slice("the output of ".length)}` : whole;
    }
    return undefined;
  }

  #isPromised(type: Type): boolean {
    if (type.isUnionType()) {
      const members = type.getTypes().filter((t) => !(t.flags & (TypeFlags.Null | TypeFlags.Undefined)));
      return members.length > 0 && members.every((t) => this.#isPromised(t));
    }
    if (type.isIntersectionType()) return type.getTypes().some((t) => this.#isPromised(t));
    return !!(type.flags & TypeFlags.Object) && this.sdk.isLibraryGlobal(type.getSymbol(), "Promise");
  }

  #declare(node: ast.VariableDeclaration): void {
    if (this.#kind === "dynamic") return;
    const scope = this.#scopes[this.#scopes.length - 1]!;
    const held = node.initializer ? this.#output(node.initializer) : undefined;
    if (is.isIdentifier(node.name)) {
      scope.set(node.name.text, held);
    } else if (is.isObjectBindingPattern(node.name)) {
      for (const element of node.name.elements) {
        if (!element.name || !is.isIdentifier(element.name)) continue;
        const field = element.propertyName && is.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
        scope.set(element.name.text, held && (held.startsWith("the output of ") ? `output "${field}" of ${held.slice(14)}` : held));
      }
    }
  }

  #assign(name: string, value: Expression): void {
    if (this.#kind === "dynamic") return;
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      if (this.#scopes[i]!.has(name)) {
        this.#scopes[i]!.set(name, this.#output(value));
        return;
      }
    }
  }

  #lookup(name: string): string | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const scope = this.#scopes[i]!;
      if (scope.has(name)) {
        return scope.get(name);
      }
    }
    return undefined;
  }

  #isLocal(name: string): boolean {
    return this.#scopes.some((scope) => scope.has(name));
  }

  #rootName(node: Expression): string | undefined {
    let current = skipOuterExpressions(node);
    while (is.isPropertyAccessExpression(current) || is.isElementAccessExpression(current)) current = skipOuterExpressions(current.expression);
    return is.isIdentifier(current) ? current.text : undefined;
  }

  /** Why calling `callee` in a workflow body gives a different answer each run, if it does. */
  #nondeterministic(callee: Expression): string | undefined {
    const path = dottedPath(callee);
    if (path && !this.#isLocal(path.split(".")[0]!)) {
      const known = NON_DETERMINISTIC[path];
      if (known) return known;
      if (path.startsWith("process.")) return "depends on the process that builds the graph";
    }
    const module = this.#nodeModuleOf(callee);
    return module && `comes from ${module}, with effects outside the graph`;
  }

  /** `node:fs` when `callee` is declared by Node's own type declarations. */
  #nodeModuleOf(callee: Expression): string | undefined {
    const symbol = this.calls.facts.symbolAt(is.isPropertyAccessExpression(callee) ? callee.name : callee);
    const target = symbol && this.sdk.resolveAlias(symbol);
    const path = target?.declarations[0]?.path;
    const match = path && /[\\/]node_modules[\\/]@types[\\/]node[\\/](.+)\.d\.ts$/.exec(path);
    if (!match || match[1] === "globals" || match[1] === "console") return undefined;
    return `node:${match[1]!.replace(/\\/g, "/")}`;
  }
}

/** `Date.now` for `Date.now`, undefined for anything but a chain of names. */
function dottedPath(node: Expression): string | undefined {
  const expression = skipOuterExpressions(node);
  if (is.isIdentifier(expression)) return expression.text;
  if (is.isPropertyAccessExpression(expression)) {
    const left = dottedPath(expression.expression);
    return left && `${left}.${expression.name.text}`;
  }
  return undefined;
}

function isConstantDateArgument(node: Expression): boolean {
  const argument = skipOuterExpressions(node);
  return is.isStringLiteral(argument) || is.isNoSubstitutionTemplateLiteral(argument) || is.isNumericLiteral(argument);
}

/** `new Date()` in `new Date().toISOString`: the start of a chain of member accesses. */
function rootOf(node: Expression): Expression {
  let current = skipOuterExpressions(node);
  while (is.isPropertyAccessExpression(current) || is.isElementAccessExpression(current) || is.isCallExpression(current)) {
    current = skipOuterExpressions(current.expression);
  }
  return current;
}

/** `fixed(x)` written as an input of a map call: `map(t)({ k: fixed(x) })`. */
function isMapInput(call: ast.CallExpression, calls: CallResolver): boolean {
  const property = call.parent;
  const object = property && is.isPropertyAssignment(property) ? property.parent : undefined;
  const mapCall = object && is.isObjectLiteralExpression(object) ? object.parent : undefined;
  return !!mapCall && is.isCallExpression(mapCall) && mapCall.arguments[0] === object && calls.targetOf(mapCall).kind === "map";
}

function containsAwait(node: Node): boolean {
  if (is.isAwaitExpression(node)) return true;
  if (isFunctionLike(node)) return false;
  return !!node.forEachChild((child) => (containsAwait(child) ? true : undefined));
}
