/**
 * The attempts of this runner's executions that wait for a debugger (run
 * with `debug`), and how to reach each one's inspector: learned from the
 * engine's events, forgotten when the attempt moves on or the execution
 * ends. Tunnels open on a paused attempt are closed with it.
 */
import type { Duplex } from "node:stream";
import type { ExecutionEvent } from "../engine/events.ts";
import type { AttemptRef, InspectorEndpoint } from "../worker/protocol.ts";
import type { DebuggerMessage } from "./protocol.ts";

/** What reaches a paused attempt's inspector: a TCP connection on a local worker's loopback, a port-forward into a pod. */
export interface InspectorReach {
  connectInspector?(attempt: AttemptRef, endpoint: InspectorEndpoint): Promise<Duplex>;
}

export interface PausedAttempt {
  message: DebuggerMessage;
  /** Undefined when the backend cannot reach an inspector. */
  connect: (() => Promise<Duplex>) | undefined;
  tunnels: Set<Duplex>;
}

export class PausedAttempts {
  private readonly byExecution = new Map<string, Map<string, PausedAttempt>>();

  /** Follows one execution's events: a `debugger` event adds its attempt, a node that moved on removes it. */
  observe(executionId: string, event: ExecutionEvent, reach: InspectorReach): void {
    if (event.type === "debugger") {
      const attempt: AttemptRef = { executionId, nodeId: event.nodeId, attempt: event.attempt };
      const paused = this.byExecution.get(executionId) ?? new Map<string, PausedAttempt>();
      this.byExecution.set(executionId, paused);
      paused.set(event.nodeId, {
        message: { type: "debugger", executionId, nodeId: event.nodeId, entity: event.entity, attempt: event.attempt, inspectorPath: event.endpoint.path, bundlePath: event.endpoint.bundlePath },
        connect: reach.connectInspector ? () => reach.connectInspector!(attempt, event.endpoint) : undefined,
        tunnels: new Set(),
      });
    } else if (event.type === "node") {
      const entry = this.byExecution.get(executionId)?.get(event.node.id);
      if (entry && (event.node.status !== "running" || event.node.attempts !== entry.message.attempt)) this.remove(executionId, event.node.id);
    }
  }

  list(executionId: string): DebuggerMessage[] {
    return [...(this.byExecution.get(executionId)?.values() ?? [])].map((p) => p.message);
  }

  /** By node id, or by task name (the first paused node of that task). */
  find(executionId: string, node: string): PausedAttempt | undefined {
    const paused = this.byExecution.get(executionId);
    if (!paused) return undefined;
    return paused.get(node) ?? [...paused.values()].find((p) => p.message.entity === node);
  }

  forget(executionId: string): void {
    for (const nodeId of [...(this.byExecution.get(executionId)?.keys() ?? [])]) this.remove(executionId, nodeId);
    this.byExecution.delete(executionId);
  }

  private remove(executionId: string, nodeId: string): void {
    const paused = this.byExecution.get(executionId);
    const entry = paused?.get(nodeId);
    if (!entry) return;
    paused!.delete(nodeId);
    if (!paused!.size) this.byExecution.delete(executionId);
    for (const tunnel of entry.tunnels) tunnel.destroy();
  }
}
