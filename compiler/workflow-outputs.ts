/**
 * A workflow's output read off its body, where the body says it plainly: it
 * returns a call of a task (or of `map(task)`), a const holding one, or a
 * record of those. TypeScript infers the body's return type from the same
 * calls (`Output<O>` of each task, `Output<O[]>` of a map), so the spec is the
 * called tasks' own output specs, put together as the checker's type would
 * be. This spares the checker inferring every workflow's return type, and
 * reading it a round trip per part.
 *
 * Whenever the body leaves a doubt (another kind of expression, several
 * returns, a task whose output annotation is not read off its syntax, map
 * options that could pick the other overload), the reading gives up and the
 * caller asks the checker: a spec from here is only ever the same spec.
 */
import { isFunctionLike } from "./ast-helpers.ts";
import type { CheckerCache } from "./checker-cache.ts";
import type { SdkDeclarations } from "./sdk-declarations.ts";
import type { FieldSpec, TypeSpec } from "./type-spec.ts";
import { is, nodesOfKind, NodeFlags, SymbolFlags, SyntaxKind, type ast, type Expression, type Node, type OpenedFile } from "./ts-api.ts";
import type { WrittenTypeReader } from "./written-types.ts";

export interface WorkflowOutputContext {
  opened: OpenedFile;
  facts: CheckerCache;
  sdk: SdkDeclarations;
  written: WrittenTypeReader;
  /** Which entity function a top-level initializer calls (`task`, `workflow`...). */
  entityCall(expression: Expression): { kind: string; node: ast.CallExpression } | undefined;
}

/** The output spec of workflow function `fn`, or undefined when only the checker can tell. */
export function workflowOutputFromBody(fn: Node, context: WorkflowOutputContext): TypeSpec | undefined {
  if (!isFunctionLike(fn) || fn.type || fn.typeParameters?.length || fn.modifiers?.some((m) => m.kind === SyntaxKind.AsyncKeyword) || fn.asteriskToken) return undefined;
  const body = fn.body;
  if (!is.isBlock(body)) return new BodyReader(context, new Map()).output(body);
  const last = body.statements[body.statements.length - 1];
  if (!last || !is.isReturnStatement(last) || !last.expression || countReturns(body) !== 1) return undefined;
  const consts = topLevelConsts(body);
  if (!consts) return undefined;
  return new BodyReader(context, consts).output(last.expression);
}

class BodyReader {
  constructor(
    private readonly context: WorkflowOutputContext,
    /** The body's own top-level consts by name. */
    private readonly consts: Map<string, Expression>,
  ) {}

  /** The spec of what the body returns: a record of outputs, or one output. */
  output(expression: Expression): TypeSpec | undefined {
    const node = skipParentheses(expression);
    if (!is.isObjectLiteralExpression(node)) return this.#value(node, new Set());
    const fields: Record<string, FieldSpec> = {};
    for (const property of node.properties) {
      let name: string | undefined;
      let value: Expression;
      if (is.isShorthandPropertyAssignment(property) && !property.objectAssignmentInitializer && is.isIdentifier(property.name)) {
        name = property.name.text;
        value = property.name;
      } else if (is.isPropertyAssignment(property)) {
        name = is.isIdentifier(property.name) || is.isStringLiteral(property.name) ? property.name.text : undefined;
        value = property.initializer;
      } else {
        return undefined;
      }
      if (name === undefined || name.startsWith("__") || Object.hasOwn(fields, name)) return undefined;
      const spec = this.#value(value, new Set());
      if (!spec) return undefined;
      fields[name] = { type: spec, optional: false };
    }
    return { kind: "record", fields };
  }

  /** The spec of one call's output, given directly or through the body's consts. */
  #value(expression: Expression, following: Set<string>): TypeSpec | undefined {
    const node = skipParentheses(expression);
    if (is.isIdentifier(node)) {
      const initializer = this.consts.get(node.text);
      if (!initializer || following.has(node.text)) return undefined;
      return this.#value(initializer, new Set([...following, node.text]));
    }
    if (!is.isCallExpression(node) || node.questionDotToken) return undefined;
    const callee = skipParentheses(node.expression);
    if (is.isIdentifier(callee)) return node.typeArguments ? undefined : this.#taskOutput(callee);
    // `map(task, options)(inputs)`: Output<O[]>, read as the list of the task's outputs.
    if (!is.isCallExpression(callee) || callee.typeArguments || node.typeArguments || !is.isIdentifier(callee.expression)) return undefined;
    if (this.context.sdk.sdkFunction(this.context.facts.symbolAt(callee.expression)) !== "map") return undefined;
    const [task, options, ...rest] = callee.arguments;
    if (!task || !is.isIdentifier(task) || rest.length || (options && !plainMapOptions(options))) return undefined;
    const items = this.#taskOutput(task);
    return items && { kind: "array", items };
  }

  /**
   * The output spec of the task `name` names, when its declaration says it
   * plainly: a top-level `const name = task(fn)` whose `fn` returns a written
   * `Promise<O>` (or `O`) that holds no promise, so TypeScript infers `O`.
   */
  #taskOutput(name: ast.Identifier): TypeSpec | undefined {
    const { facts, sdk, opened } = this.context;
    const symbol = facts.symbolAt(name);
    const target = symbol && sdk.resolveAlias(symbol);
    if (!target || !(target.flags & SymbolFlags.Variable)) return undefined;
    const declaration = target.valueDeclaration?.resolve(opened.project);
    if (!declaration || !is.isVariableDeclaration(declaration) || !declaration.initializer || declaration.type) return undefined;
    const list = declaration.parent;
    if (!(list.flags & NodeFlags.Const) || !is.isVariableStatement(list.parent) || !is.isSourceFile(list.parent.parent)) return undefined;
    const made = this.context.entityCall(declaration.initializer);
    if (made?.kind !== "task" || made.node.typeArguments || skipParentheses(declaration.initializer) !== made.node) return undefined;
    const fn = made.node.arguments[made.node.arguments.length - 1];
    if (!fn || !isFunctionLike(fn) || !fn.type || fn.typeParameters?.length) return undefined;
    return this.context.written.readUnwrapped(fn.type, fn.getSourceFile());
  }
}

/** `{ concurrency: 4 }` or none: options that pick `map`'s overload returning `Output<O[]>`. */
function plainMapOptions(options: Expression): boolean {
  if (!is.isObjectLiteralExpression(options)) return false;
  return options.properties.every(
    (p) => is.isPropertyAssignment(p) && is.isIdentifier(p.name) && p.name.text === "concurrency" && is.isNumericLiteral(p.initializer),
  );
}

function skipParentheses(expression: Expression): Expression {
  let node = expression;
  while (is.isParenthesizedExpression(node)) node = node.expression;
  return node;
}

/** Where a return is not the body's own. */
const FUNCTION_KINDS = [
  SyntaxKind.ArrowFunction,
  SyntaxKind.FunctionExpression,
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.ClassDeclaration,
  SyntaxKind.MethodDeclaration,
];

/** Return statements of the body itself, not of functions inside it. */
function countReturns(body: Node): number {
  let count = 0;
  // Nodes come in source order, each after the nodes it is inside of.
  let insideUntil = -1;
  for (const node of nodesOfKind(body, SyntaxKind.ReturnStatement, ...FUNCTION_KINDS)) {
    if (node.pos < insideUntil) continue;
    if (node.kind === SyntaxKind.ReturnStatement) count++;
    else insideUntil = node.end;
  }
  return count;
}

/**
 * `const name = value` declarations at the top of the body, by name; undefined
 * when a name is declared more than once there (or in a way that is not a
 * plain const), which leaves what the return refers to to the checker.
 */
function topLevelConsts(body: ast.Block): Map<string, Expression> | undefined {
  const consts = new Map<string, Expression>();
  const declared = new Set<string>();
  for (const statement of body.statements) {
    if (is.isVariableStatement(statement)) {
      const plain = !!(statement.declarationList.flags & NodeFlags.Const);
      for (const declaration of statement.declarationList.declarations) {
        if (!is.isIdentifier(declaration.name)) {
          for (const name of boundNames(declaration.name)) if (!declare(name)) return undefined;
          continue;
        }
        if (!declare(declaration.name.text)) return undefined;
        if (plain && declaration.initializer && !declaration.type) consts.set(declaration.name.text, declaration.initializer);
      }
    } else if (is.isFunctionDeclaration(statement) || is.isClassDeclaration(statement)) {
      const name = statement.name;
      if (name && !declare(name.text)) return undefined;
    }
  }
  return consts;

  function declare(name: string): boolean {
    if (declared.has(name)) return false;
    declared.add(name);
    return true;
  }
}

function boundNames(pattern: Node): string[] {
  const names: string[] = [];
  const visit = (node: Node): void => {
    if (is.isBindingElement(node) && node.name && is.isIdentifier(node.name)) names.push(node.name.text);
    node.forEachChild(visit);
  };
  visit(pattern);
  return names;
}
