/**
 * Names and labels of attempt pods. A pod's name is a pure function of its
 * attempt, so creating it twice (a retried request, a restarted runner) finds
 * the same pod instead of starting a second one.
 */
import { createHash } from "node:crypto";
import type { AttemptRef } from "../worker/protocol.ts";

/** DNS-1123 labels, and so pod names aloft makes, are at most this long. */
export const MAX_NAME_LENGTH = 63;
const MAX_LABEL_VALUE_LENGTH = 63;
/** Execution ids longer than this are shortened (and hashed) in pod names. */
const MAX_EXECUTION_PART = 24;

export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  runner: "aloft.dev/runner",
  execution: "aloft.dev/execution",
  node: "aloft.dev/node",
  attempt: "aloft.dev/attempt",
} as const;

export const ANNOTATIONS = {
  executionId: "aloft.dev/execution-id",
  nodeId: "aloft.dev/node-id",
  entity: "aloft.dev/entity",
} as const;

export const MANAGED_BY = "aloft";

/**
 * `aloft-<execution>-<node slug>-<hash of the node id>-<attempt>`, at most 63
 * characters: the slug is shortened first, the hash keeps node ids that slug
 * alike (`a/b` and `a.b`) apart.
 */
export function podName(ref: AttemptRef): string {
  if (!Number.isInteger(ref.attempt) || ref.attempt < 0) throw new Error(`attempt number must be a whole number >= 0, got ${ref.attempt}`);
  const execution = executionPart(ref.executionId);
  const hash = shortHash(ref.nodeId);
  const fixed = `aloft-${execution}--${hash}-${ref.attempt}`;
  const room = MAX_NAME_LENGTH - fixed.length;
  const nodeSlug = trimDashes(slug(ref.nodeId).slice(0, Math.max(0, room)));
  return nodeSlug ? `aloft-${execution}-${nodeSlug}-${hash}-${ref.attempt}` : `aloft-${execution}-${hash}-${ref.attempt}`;
}

/**
 * A valid label value for any text: invalid characters become `-`, the ends
 * are alphanumeric, and a value cut to 63 characters ends with a hash of the
 * whole text so that two long ids do not share a label.
 */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  if (cleaned.length <= MAX_LABEL_VALUE_LENGTH && cleaned === text) return cleaned;
  const hash = shortHash(text);
  const head = cleaned.slice(0, MAX_LABEL_VALUE_LENGTH - hash.length - 1).replace(/[^A-Za-z0-9]+$/, "");
  return head ? `${head}-${hash}` : hash;
}

/** The label selector that finds every pod of one runner. */
export function runnerSelector(runnerId: string): string {
  return `${LABELS.managedBy}=${MANAGED_BY},${LABELS.runner}=${labelValue(runnerId)}`;
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 8);
}

function executionPart(executionId: string): string {
  const cleaned = trimDashes(slug(executionId));
  if (cleaned !== "" && cleaned === executionId && cleaned.length <= MAX_EXECUTION_PART) return cleaned;
  // Shortened or changed, the id could collide with another: its hash keeps them apart.
  const head = trimDashes(cleaned.slice(0, MAX_EXECUTION_PART - 9));
  return head ? `${head}-${shortHash(executionId)}` : shortHash(executionId);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, "");
}
