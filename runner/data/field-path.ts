/**
 * Field paths as errors show them, written the way the user would reach the
 * value in TypeScript: `output.model.weights[3]`, `input "x"["odd key"]`.
 */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function fieldOf(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function itemOf(parent: string, index: number): string {
  return `${parent}[${index}]`;
}
