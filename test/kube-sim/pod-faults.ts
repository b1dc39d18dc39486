// Pod failures a test arms before the pods exist: "the next pod labelled
// x=y that starts is OOMKilled 200 ms later". Each rule fires `count` times.
import { parseLabelSelector } from "./label-selector.ts";
import type { Pod } from "./objects.ts";
import { badRequest } from "./responses.ts";

export type PodFaultReason = "OOMKilled" | "Evicted";

export interface PodFaultRule {
  reason: PodFaultReason;
  /** Only pods in this namespace; any when unset. */
  namespace?: string;
  /** Only pods whose labels match this selector; any when unset. */
  labelSelector?: string;
  /** How many pods to fail; 1 when unset. */
  count?: number;
  /** How long a pod runs before it is failed; 0 when unset. */
  afterRunningMs?: number;
}

interface ArmedRule {
  reason: PodFaultReason;
  namespace?: string;
  matches: (labels: Record<string, string> | undefined) => boolean;
  remaining: number;
  afterRunningMs: number;
}

export function checkPodFaultReason(reason: unknown): PodFaultReason {
  if (reason === "OOMKilled" || reason === "Evicted") return reason;
  throw badRequest(`pod fault reason must be "OOMKilled" or "Evicted", got ${JSON.stringify(reason)}`);
}

export class PodFaults {
  private rules: ArmedRule[] = [];

  arm(rule: PodFaultRule): void {
    const count = rule.count ?? 1;
    const afterRunningMs = rule.afterRunningMs ?? 0;
    if (!Number.isInteger(count) || count < 1) throw badRequest(`pod fault count must be a whole number >= 1, got ${count}`);
    if (!(afterRunningMs >= 0)) throw badRequest(`pod fault afterRunningMs must be >= 0, got ${afterRunningMs}`);
    this.rules.push({
      reason: checkPodFaultReason(rule.reason),
      ...(rule.namespace !== undefined ? { namespace: rule.namespace } : {}),
      matches: parseLabelSelector(rule.labelSelector),
      remaining: count,
      afterRunningMs,
    });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault a starting pod is due for, if any (it is used up). */
  take(pod: Pod): { reason: PodFaultReason; afterRunningMs: number } | undefined {
    const rule = this.rules.find(
      (r) => r.remaining > 0 && (r.namespace === undefined || r.namespace === pod.metadata.namespace) && r.matches(pod.metadata.labels),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.rules = this.rules.filter((r) => r !== rule);
    return { reason: rule.reason, afterRunningMs: rule.afterRunningMs };
  }
}
