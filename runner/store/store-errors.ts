/**
 * Failures of the state store that callers act on, by type: a replica that
 * lost its lease stops driving the execution; a conflict means someone else
 * did the same thing first.
 */
import { AloftError } from "../../compiler/errors.ts";
import type { AttemptRef } from "../worker/protocol.ts";

export class LeaseLostError extends AloftError {
  constructor(executionId: string, replicaId: string, location: string) {
    super({
      code: "LEASE_LOST",
      kind: "system",
      message: `execution ${executionId} is not leased to runner replica ${replicaId} in ${location} (its lease expired or another replica took it over); this replica must stop driving it`,
    });
    this.name = "LeaseLostError";
  }
}

export class AttemptConflictError extends AloftError {
  constructor(ref: AttemptRef, location: string) {
    super({
      code: "ATTEMPT_EXISTS",
      kind: "system",
      message: `attempt ${ref.attempt} of node ${ref.nodeId} of execution ${ref.executionId} was started already (in ${location}); an attempt is never started twice`,
    });
    this.name = "AttemptConflictError";
  }
}

export function notFound(what: string, location: string): AloftError {
  return new AloftError({ code: "STORE_NOT_FOUND", kind: "system", message: `${what} is not in the state database ${location}` });
}
