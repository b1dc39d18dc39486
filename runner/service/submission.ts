/**
 * Reads a `POST /api/v1/executions` body into a `SubmitRequest`, refusing
 * anything malformed with a message that names the field, before the runner
 * looks at a single blob.
 */
import type { Graph } from "../../compiler/graph.ts";
import type { EntityInterface } from "../../compiler/type-spec.ts";
import { isDigest } from "../blobs/digest.ts";
import type { WireValue } from "../data/wire.ts";
import type { EntityDescription } from "../worker/protocol.ts";
import { ApiError } from "./api-error.ts";
import { scopeNameProblem, type SubmitRequest } from "./protocol.ts";

const KINDS = ["task", "workflow", "dynamic"] as const;

export function parseSubmission(body: unknown): SubmitRequest {
  const root = object(body, "the body");
  const bundle = object(root.bundle, "bundle");
  const request: SubmitRequest = {
    file: string(root.file, "file"),
    entity: string(root.entity, "entity"),
    bundle: { code: digest(bundle.code, "bundle.code") },
    interfaces: record(root.interfaces, "interfaces", (value, field) => entityInterface(value, field)),
    entities: array(root.entities, "entities").map((value, i) => entityDescription(value, `entities[${i}]`)),
    graphs: record(root.graphs, "graphs", (value, field) => graph(value, field)),
    inputs: record(root.inputs, "inputs", (value) => value as WireValue),
  };
  if (root.project !== undefined) request.project = string(root.project, "project");
  if (root.domain !== undefined) request.domain = scopeName(root.domain, "domain");
  if (bundle.sourceMap !== undefined) request.bundle.sourceMap = digest(bundle.sourceMap, "bundle.sourceMap");
  if (root.debug !== undefined) request.debug = { node: string(object(root.debug, "debug").node, "debug.node") };
  return request;
}

function entityInterface(value: unknown, field: string): EntityInterface {
  const o = object(value, field);
  string(o.name, `${field}.name`);
  oneOf(o.kind, KINDS, `${field}.kind`);
  object(o.inputs, `${field}.inputs`);
  object(o.output, `${field}.output`);
  return o as unknown as EntityInterface;
}

function entityDescription(value: unknown, field: string): EntityDescription {
  const o = object(value, field);
  return { name: string(o.name, `${field}.name`), kind: oneOf(o.kind, KINDS, `${field}.kind`), options: object(o.options ?? {}, `${field}.options`) };
}

function graph(value: unknown, field: string): Graph {
  const o = object(value, field);
  string(o.entity, `${field}.entity`);
  array(o.inputs, `${field}.inputs`).forEach((name, i) => string(name, `${field}.inputs[${i}]`));
  array(o.nodes, `${field}.nodes`).forEach((node, i) => {
    const n = object(node, `${field}.nodes[${i}]`);
    string(n.id, `${field}.nodes[${i}].id`);
    string(n.entity, `${field}.nodes[${i}].entity`);
    oneOf(n.kind, ["task", "workflow", "dynamic", "map"] as const, `${field}.nodes[${i}].kind`);
    object(n.inputs, `${field}.nodes[${i}].inputs`);
  });
  object(o.output, `${field}.output`);
  return o as unknown as Graph;
}

function bad(message: string): ApiError {
  return new ApiError(400, "BAD_SUBMISSION", message);
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad(`${field} must be an object`);
  return value as Record<string, unknown>;
}

function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw bad(`${field} must be an array`);
  return value;
}

function string(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw bad(`${field} must be a non-empty string`);
  return value;
}

function scopeName(value: unknown, field: string): string {
  const problem = scopeNameProblem(field, value);
  if (problem) throw bad(problem);
  return value as string;
}

function digest(value: unknown, field: string): string {
  if (!isDigest(value)) throw bad(`${field} must be a blob digest (sha256:<64 lowercase hex digits>), got ${JSON.stringify(value)}`);
  return value;
}

function oneOf<T extends string>(value: unknown, options: readonly T[], field: string): T {
  if (!options.includes(value as T)) throw bad(`${field} must be one of ${options.join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
}

function record<T>(value: unknown, field: string, item: (value: unknown, field: string) => T): Record<string, T> {
  const o = object(value, field);
  return Object.fromEntries(Object.entries(o).map(([key, v]) => [key, item(v, `${field}.${key}`)]));
}
