/**
 * Small, pure helpers over the TypeScript AST that several compiler passes share.
 */
import { is, SyntaxKind, type ast, type Expression, type Node } from "./ts-api.ts";

const OUTER_EXPRESSIONS = new Set<SyntaxKind>([
  SyntaxKind.ParenthesizedExpression,
  SyntaxKind.AsExpression,
  SyntaxKind.SatisfiesExpression,
  SyntaxKind.NonNullExpression,
  SyntaxKind.TypeAssertionExpression,
]);

/** `(x)`, `x as T`, `x satisfies T`, `x!` are still `x`. */
export function skipOuterExpressions(node: Expression): Expression {
  let current = node;
  while (OUTER_EXPRESSIONS.has(current.kind)) current = (current as Expression & { expression: Expression }).expression;
  return current;
}

/** The node naming what is called: `f` in `f()`, `g` in `a.b.g()`. */
export function calleeNameNode(callee: Expression): Node {
  const node = skipOuterExpressions(callee);
  return is.isPropertyAccessExpression(node) ? node.name : node;
}

/** The name a property is written with, when it is a plain name or a string/number literal. */
export function propertyName(name: Node): string | undefined {
  if (is.isIdentifier(name) || is.isPrivateIdentifier(name)) return name.text;
  if (is.isStringLiteral(name) || is.isNumericLiteral(name) || is.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** True for arrow functions and function expressions (a nested function in a body). */
export function isFunctionLike(node: Node): node is ast.ArrowFunction | ast.FunctionExpression {
  const kind = node.kind;
  return kind === SyntaxKind.ArrowFunction || kind === SyntaxKind.FunctionExpression;
}

/** The `async` keyword of `fn`, when it is declared async (a diagnostic points at it). */
export function asyncKeyword(fn: ast.ArrowFunction | ast.FunctionExpression): Node | undefined {
  return fn.modifiers?.find((m) => m.kind === SyntaxKind.AsyncKeyword);
}

/** Source text of `node`, shortened for a message. */
export function shortText(node: Node, max = 40): string {
  const text = node.getText().replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
