// Injected API failures: 429 Too Many Requests (with Retry-After) and 5xx,
// for a count of requests or a fraction of them, per verb and resource. The
// fraction draws from a seeded generator, so a run can be repeated.
import { ApiError, badRequest } from "./responses.ts";

export interface RequestFaultRule {
  /** The Kubernetes verb: get, list, watch, create, delete; any when unset. */
  verb?: string;
  /** pods, pods/log, pods/portforward, namespaces; any when unset. */
  resource?: string;
  /** 429 or 500–599. */
  status: number;
  /** Fail this many matching requests, then stop; unlimited when unset. */
  count?: number;
  /** Fail each matching request with this probability (0–1); every one when unset. */
  fraction?: number;
  /** Sent as Retry-After and in the Status details of a 429; 1 when unset. */
  retryAfterSeconds?: number;
}

interface ArmedFault extends RequestFaultRule {
  id: number;
  remaining: number;
}

const reasons: Record<number, string> = {
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export class RequestFaults {
  private faults: ArmedFault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  add(rule: RequestFaultRule): number {
    if (rule.status !== 429 && !(rule.status >= 500 && rule.status <= 599)) {
      throw badRequest(`fault status must be 429 or 500-599, got ${JSON.stringify(rule.status)}`);
    }
    if (rule.fraction !== undefined && !(rule.fraction >= 0 && rule.fraction <= 1)) {
      throw badRequest(`fault fraction must be between 0 and 1, got ${JSON.stringify(rule.fraction)}`);
    }
    if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 1)) {
      throw badRequest(`fault count must be a whole number >= 1, got ${JSON.stringify(rule.count)}`);
    }
    const id = this.nextId++;
    this.faults.push({ ...rule, id, remaining: rule.count ?? Number.POSITIVE_INFINITY });
    return id;
  }

  remove(id: number): void {
    this.faults = this.faults.filter((fault) => fault.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  /** The failure this request gets, if any rule picks it. */
  pick(verb: string, resource: string): ApiError | undefined {
    for (const fault of this.faults) {
      if (fault.remaining <= 0) continue;
      if (fault.verb !== undefined && fault.verb !== verb) continue;
      if (fault.resource !== undefined && fault.resource !== resource) continue;
      if (fault.fraction !== undefined && this.random() >= fault.fraction) continue;
      fault.remaining -= 1;
      return failure(fault);
    }
    return undefined;
  }
}

function failure(fault: ArmedFault): ApiError {
  const reason = reasons[fault.status] ?? "InternalError";
  if (fault.status === 429) {
    const seconds = fault.retryAfterSeconds ?? 1;
    return new ApiError(
      429,
      reason,
      "Too many requests, please try again later.",
      { retryAfterSeconds: seconds },
      { "Retry-After": String(seconds) },
    );
  }
  return new ApiError(fault.status, reason, `injected failure: the server answered ${fault.status} (${reason})`);
}

/** A small seeded generator: the same seed gives the same sequence of faults. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
