/**
 * What an import names, as a key shared by the files that write the same
 * import: `import { task } from "aloft"` in two files of one folder (of the
 * same kind: `.ts`, `.mts`...) resolves the module the same way, so the alias
 * leads to the same symbol, and the checker is asked once for all of them.
 */
import { basename, dirname, resolve } from "node:path";
import { is, SyntaxKind, type Node, type TsSymbol } from "./ts-api.ts";

/** The key of the import `alias` is declared by, or undefined when it is another kind of alias. */
export function importKey(alias: TsSymbol): string | undefined {
  const handle = alias.declarations.length === 1 ? alias.declarations[0] : undefined;
  if (!handle || (handle.kind !== SyntaxKind.ImportSpecifier && handle.kind !== SyntaxKind.ExportSpecifier)) return undefined;
  const node = handle.resolve();
  if (!node) return undefined;
  if (is.isImportSpecifier(node)) return specifierKey(node);
  if (!is.isExportSpecifier(node)) return undefined;
  const declaration = node.parent.parent;
  const name = moduleExportName(node.propertyName ?? node.name);
  if (name === undefined || !is.isExportDeclaration(declaration)) return undefined;
  // `export { x } from "m"` names what `import { x } from "m"` would.
  if (declaration.moduleSpecifier) return moduleKey(declaration, declaration.moduleSpecifier, name);
  // `export { x }` of an imported `x` leads where the import does.
  const imported = localImport(node.getSourceFile().statements, name);
  return imported && specifierKey(imported);
}

function specifierKey(specifier: Node): string | undefined {
  if (!is.isImportSpecifier(specifier)) return undefined;
  const clause = specifier.parent.parent;
  if (!is.isImportClause(clause)) return undefined;
  const declaration = clause.parent;
  const name = moduleExportName(specifier.propertyName ?? specifier.name);
  if (name === undefined || clause.phaseModifier !== undefined || !is.isImportDeclaration(declaration)) return undefined;
  return moduleKey(declaration, declaration.moduleSpecifier, name);
}

/** How a module specifier resolves depends on the importing file's folder and kind, and on attributes (left out). */
function moduleKey(declaration: Node & { attributes?: Node }, specifier: Node, name: string): string | undefined {
  if (declaration.attributes || !is.isStringLiteral(specifier)) return undefined;
  const file = declaration.getSourceFile().fileName;
  const kind = /(\.d)?\.[cm]?[jt]sx?$/.exec(basename(file))?.[0] ?? basename(file);
  return `${dirname(file)}\0${kind}\0${specifier.text}\0${name}`;
}

function moduleExportName(node: Node): string | undefined {
  return is.isIdentifier(node) || is.isStringLiteral(node) ? node.text : undefined;
}

/** The one import specifier declaring `name` at the top of the file, when nothing else declares it there. */
function localImport(statements: readonly Node[], name: string): Node | undefined {
  let found: Node | undefined;
  let declarations = 0;
  for (const statement of statements) {
    if (is.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name?.text === name) declarations++;
      const bindings = clause?.namedBindings;
      if (bindings && is.isNamespaceImport(bindings) && bindings.name.text === name) declarations++;
      if (bindings && is.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.name.text !== name) continue;
          declarations++;
          found = element;
        }
      }
    } else if (declaresName(statement, name)) {
      declarations++;
    }
  }
  return declarations === 1 ? found : undefined;
}

function declaresName(statement: Node, name: string): boolean {
  if (is.isVariableStatement(statement)) {
    return statement.declarationList.declarations.some((d) => !is.isIdentifier(d.name) || d.name.text === name);
  }
  if (is.isImportEqualsDeclaration(statement)) return statement.name.text === name;
  const declared = (statement as Node & { name?: Node }).name;
  return !!declared && (!is.isIdentifier(declared) || declared.text === name);
}

/**
 * Where `alias` leads when it is a named import of a project file by its path
 * (`import { x } from "./flows.ts"`): that file and the name. Resolving such an
 * import finds the module and looks the name up, and asks nothing of the types.
 */
export function relativeImportTarget(alias: TsSymbol): { path: string; name: string } | undefined {
  const handle = alias.declarations.length === 1 ? alias.declarations[0] : undefined;
  if (!handle || handle.kind !== SyntaxKind.ImportSpecifier) return undefined;
  const specifier = handle.resolve();
  if (!specifier || !is.isImportSpecifier(specifier)) return undefined;
  const declaration = specifier.parent.parent.parent;
  const name = moduleExportName(specifier.propertyName ?? specifier.name);
  if (!is.isImportDeclaration(declaration) || declaration.attributes || !is.isStringLiteral(declaration.moduleSpecifier)) return undefined;
  const path = declaration.moduleSpecifier.text;
  if (name === undefined || name === "default" || !/^\.\.?\//.test(path) || !/\.[cm]?tsx?$/.test(path)) return undefined;
  return { path: resolve(dirname(declaration.getSourceFile().fileName), path), name };
}

/** True when `sourceFile` declares `name` once, exported where it is declared, and has no `export =` or `export *`. */
export function exportsOwnDeclaration(sourceFile: { statements: readonly Node[] }, name: string): boolean {
  let exported = false;
  let declarations = 0;
  for (const statement of sourceFile.statements) {
    if (is.isExportAssignment(statement) && statement.isExportEquals) return false;
    if (is.isExportDeclaration(statement) && !statement.exportClause) return false;
    if (is.isImportDeclaration(statement)) {
      if (localImport([statement], name)) declarations++;
      continue;
    }
    if (!declaresName(statement, name)) continue;
    declarations++;
    const modifiers = (statement as Node & { modifiers?: readonly Node[] }).modifiers;
    exported = !!modifiers?.some((m) => m.kind === SyntaxKind.ExportKeyword) && !modifiers.some((m) => m.kind === SyntaxKind.DefaultKeyword);
  }
  return exported && declarations === 1;
}
