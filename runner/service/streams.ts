/**
 * The WebSocket streams under `/api/v1/executions/:id/`: `events` (a snapshot,
 * then every change) and `logs` (every stored chunk, then live ones). Each
 * subscribes to the hub before it reads the store, so nothing that happens
 * while it reads is missed; a log chunk seen in both is sent once.
 */
import type { WebSocket } from "ws";
import { readLog } from "../engine/log-sink.ts";
import type { ExecutionRecord, StateStore } from "../store/state-store.ts";
import type { EventHub, HubEvent } from "./event-hub.ts";
import type { PausedAttempts } from "./paused-attempts.ts";
import { executionDetail, executionSummary, nodeSummary } from "./execution-routes.ts";
import type { EventMessage, ExecutionDetailResponse, LogMessage, LogStreamMessage } from "./protocol.ts";

/** A client this far behind is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** How often a stream of an execution another replica drives reads the store. */
const STORE_FOLLOW_MS = 1000;

export interface StreamContext {
  store: StateStore;
  hub: EventHub;
  /** Whether this runner drives the execution now (only then do live events flow). */
  isDriving(id: string): boolean;
  /** Attempts of this runner's executions paused for a debugger. */
  debuggers: PausedAttempts;
}

export async function streamEvents(ws: WebSocket, context: StreamContext, execution: ExecutionRecord, withLogs: boolean): Promise<void> {
  const id = execution.id;
  const send = sender<EventMessage>(ws);
  const pending: HubEvent[] = [];
  let live = false;
  let ended = false;
  const finish = async () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    send({ type: "end", execution: await detailOf(context.store, id) });
    ws.close(1000, "execution ended");
  };
  const forward = (event: HubEvent): void => {
    if (ended) return;
    switch (event.type) {
      case "end":
        void finish();
        return;
      case "execution":
        send({ type: "execution", execution: { ...executionSummary(event.execution), outputs: event.execution.outputs ?? null, error: event.execution.error ?? null } });
        return;
      case "node":
        send({ type: "node", executionId: id, node: nodeSummary(event.node) });
        return;
      case "map-progress":
        send({ ...event, executionId: id });
        return;
      case "log":
        if (withLogs) send(logMessage(id, event.nodeId, event.attempt, event.stream, event.text, event.t));
        return;
      case "debugger":
        send({ type: "debugger", executionId: id, nodeId: event.nodeId, entity: event.entity, attempt: event.attempt, inspectorPath: event.endpoint.path, bundlePath: event.endpoint.bundlePath });
        return;
    }
  };
  const unsubscribe = context.hub.subscribe(id, (event) => (live ? forward(event) : pending.push(event)));
  ws.on("close", () => {
    ended = true;
    unsubscribe();
  });
  const snapshot = await detailOf(context.store, id);
  send({ type: "snapshot", execution: snapshot });
  if (snapshot.status !== "running" && !context.isDriving(id)) return finish();
  live = true;
  // A client that came after the pause still learns of it (it may hear of it twice: once from here, once live).
  for (const paused of context.debuggers.list(id)) send(paused);
  pending.splice(0).forEach(forward);
  if (!context.isDriving(id)) {
    const seen = new Map(snapshot.nodes.map((n) => [n.id, `${n.status}/${n.attempts}`]));
    followStoreUntilEnd(ws, context, id, finish, () => ended, (detail) => {
      for (const node of detail.nodes) {
        const state = `${node.status}/${node.attempts}`;
        if (seen.get(node.id) === state) continue;
        seen.set(node.id, state);
        send({ type: "node", executionId: id, node });
      }
    });
  }
}

/**
 * Another replica drives the execution, so nothing of it reaches this hub:
 * read the shared store once a second until the execution ends (then
 * `finish`), or until this replica takes it over and the hub carries it.
 * `onDetail`, when given, sees each reading with its nodes.
 */
function followStoreUntilEnd(
  ws: WebSocket,
  context: StreamContext,
  id: string,
  finish: () => Promise<void>,
  ended: () => boolean,
  onDetail?: (detail: ExecutionDetailResponse) => void,
): void {
  const timer = setInterval(() => {
    void (async () => {
      if (ended() || context.isDriving(id)) return clearInterval(timer);
      let status: string | undefined;
      if (onDetail) {
        const detail = await detailOf(context.store, id);
        onDetail(detail);
        status = detail.status;
      } else {
        status = (await context.store.getExecution(id))?.status;
      }
      if (status !== "running") {
        clearInterval(timer);
        await finish();
      }
    })().catch(() => clearInterval(timer));
  }, STORE_FOLLOW_MS);
  ws.on("close", () => clearInterval(timer));
}

export async function streamLogs(ws: WebSocket, context: StreamContext, execution: ExecutionRecord, node: string | undefined, follow: boolean): Promise<void> {
  const id = execution.id;
  const send = sender<LogStreamMessage>(ws);
  const pending: HubEvent[] = [];
  /** Chunks already sent per attempt log, so a live chunk also read from the file is not sent twice. */
  const sentPerAttempt = new Map<string, number>();
  let live = false;
  let ended = false;
  const finish = async () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    const status = (await context.store.getExecution(id))?.status ?? execution.status;
    send({ type: "end", status });
    ws.close(1000, "logs ended");
  };
  const forward = (event: HubEvent): void => {
    if (ended) return;
    if (event.type === "end") return void finish();
    if (event.type !== "log" || (node !== undefined && event.nodeId !== node)) return;
    const key = `${event.nodeId}#${event.attempt}`;
    if (event.index < (sentPerAttempt.get(key) ?? 0)) return;
    sentPerAttempt.set(key, event.index + 1);
    send(logMessage(id, event.nodeId, event.attempt, event.stream, event.text, event.t));
  };
  const unsubscribe = follow ? context.hub.subscribe(id, (event) => (live ? forward(event) : pending.push(event))) : () => {};
  ws.on("close", () => {
    ended = true;
    unsubscribe();
  });
  const attempts = (await context.store.listAttempts(id, node)).sort((a, b) => a.startedAt - b.startedAt);
  for (const attempt of attempts) {
    const chunks = readLog(attempt.logPath);
    chunks.forEach((chunk) => send(logMessage(id, attempt.nodeId, attempt.attempt, chunk.s, chunk.x, chunk.t)));
    sentPerAttempt.set(`${attempt.nodeId}#${attempt.attempt}`, chunks.length);
  }
  const current = await context.store.getExecution(id);
  if (!follow || (current?.status !== "running" && !context.isDriving(id))) return finish();
  live = true;
  pending.splice(0).forEach(forward);
  // Its logs stay with the replica that drives it: this stream only ends with it.
  if (!context.isDriving(id)) followStoreUntilEnd(ws, context, id, finish, () => ended);
}

async function detailOf(store: StateStore, id: string): Promise<ExecutionDetailResponse> {
  const execution = await store.getExecution(id);
  if (!execution) throw new Error(`execution ${id} disappeared from the store`);
  return executionDetail(execution, await store.listNodes(id));
}

function logMessage(executionId: string, nodeId: string, attempt: number, stream: "stdout" | "stderr", text: string, t: number): LogMessage {
  return { type: "log", executionId, nodeId, attempt, stream, text, t };
}

function sender<T>(ws: WebSocket): (message: T) => void {
  return (message) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, "the client reads too slowly; reconnect to resume from the stored state");
      return;
    }
    ws.send(JSON.stringify(message));
  };
}
