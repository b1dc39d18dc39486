/**
 * aloft's server reports TypeScript's own errors too (so `aloft check` and
 * editors without TypeScript support miss nothing). VS Code checks TypeScript
 * itself: while its checking is on, those errors would show twice, so only
 * aloft's own codes are kept.
 */
const TYPESCRIPT_CODE = /^TS\d+$/;

export interface CodedDiagnostic {
  code?: string | number | { value: string | number } | undefined;
}

export function withoutTypescriptDuplicates<D extends CodedDiagnostic>(diagnostics: readonly D[], editorChecksTypescript: boolean): D[] {
  if (!editorChecksTypescript) return [...diagnostics];
  return diagnostics.filter((d) => !TYPESCRIPT_CODE.test(String(typeof d.code === "object" ? d.code.value : d.code ?? "")));
}
