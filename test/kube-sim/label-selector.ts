// Label selectors as the API server reads them: equality (`a=b`, `a==b`,
// `a!=b`), sets (`a in (x,y)`, `a notin (x)`) and existence (`a`, `!a`),
// joined by commas.
import { badRequest } from "./responses.ts";

type Requirement =
  | { key: string; op: "exists" | "absent" }
  | { key: string; op: "in" | "notin"; values: string[] };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || text.trim() === "") return () => true;
  const requirements = splitRequirements(text).map(parseRequirement);
  return (labels) => requirements.every((requirement) => matches(requirement, labels ?? {}));
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  switch (requirement.op) {
    case "exists":
      return has;
    case "absent":
      return !has;
    case "in":
      return has && requirement.values.includes(labels[requirement.key]!);
    case "notin":
      return !has || !requirement.values.includes(labels[requirement.key]!);
  }
}

/** Splits at the commas that separate requirements, not those inside `( )`. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (depth < 0) throw badRequest(`unable to parse requirement: unbalanced ")" in label selector "${text}"`);
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (depth !== 0) throw badRequest(`unable to parse requirement: unbalanced "(" in label selector "${text}"`);
  parts.push(current);
  return parts.map((part) => part.trim());
}

const labelKey = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseRequirement(text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3]!.split(",").map((value) => checkValue(value.trim(), text));
    return { key: checkKey(set[1]!, text), op: set[2] as "in" | "notin", values };
  }
  const equality = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
  if (equality) {
    const key = checkKey(equality[1]!, text);
    const value = checkValue(equality[3]!.trim(), text);
    return { key, op: equality[2] === "!=" ? "notin" : "in", values: [value] };
  }
  if (text.startsWith("!")) return { key: checkKey(text.slice(1).trim(), text), op: "absent" };
  return { key: checkKey(text, text), op: "exists" };
}

function checkKey(key: string, requirement: string): string {
  if (!labelKey.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${requirement}"`);
  return key;
}

function checkValue(value: string, requirement: string): string {
  if (!labelValue.test(value) || value.length > 63) {
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in "${requirement}"`);
  }
  return value;
}
