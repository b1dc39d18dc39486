/**
 * `aloft run --remote`: the same file, checked and bundled as for a local
 * run, is traced here (workflow bodies are the client's to run), uploaded
 * (only the blobs the runner lacks) and submitted; then its events and logs
 * are followed until it ends, and its output blobs fetched to show them.
 */
import { relative } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import { putBundle } from "../bundle/bundle-blobs.ts";
import type { WireValue } from "../data/wire.ts";
import type { DebugRequest } from "../engine/debug-target.ts";
import type { ExecutionEvent } from "../engine/events.ts";
import type { LocalRunner, PreparedFile } from "../local-runner.ts";
import type { DebuggerMessage, EventMessage, ExecutionDetailResponse, NodeSummary } from "../service/protocol.ts";
import type { NodeRecord } from "../store/state-store.ts";
import type { RunnerClient } from "./runner-client.ts";

/** Where a submission runs: the token's project and "development" for what it leaves out. */
export interface SubmissionScope {
  project?: string | undefined;
  domain?: string | undefined;
}

export interface RemoteSubmission {
  executionId: string;
  project: string;
  domain: string;
  uploaded: { sent: number; bytes: number };
}

export async function submitRemote(
  runner: LocalRunner,
  client: RunnerClient,
  prepared: PreparedFile,
  entity: string,
  inputs: Record<string, WireValue>,
  scope: SubmissionScope = {},
  debug?: DebugRequest,
): Promise<RemoteSubmission> {
  const { project, domain } = scope;
  const { entities, graphs, errors } = await runner.describeAndTrace(prepared);
  const rootError = errors[entity];
  if (rootError) throw new AloftError(rootError);
  const bundle = await putBundle(runner.blobs, prepared.bundle.path);
  const inputBlobs = await blobsNeededBy(Object.values(inputs), (d) => runner.blobs.readManifest(d));
  const digests = [bundle.code, ...(bundle.sourceMap ? [bundle.sourceMap] : []), ...inputBlobs];
  const uploaded = await client.uploadMissing(runner.blobs, digests, project);
  const submitted = await client.submit({
    ...(project ? { project } : {}),
    ...(domain ? { domain } : {}),
    file: relative(process.cwd(), prepared.file) || prepared.file,
    entity,
    bundle,
    interfaces: prepared.interfaces,
    entities,
    graphs,
    inputs,
    ...(debug ? { debug } : {}),
  });
  return { executionId: submitted.executionId, project: submitted.project, domain: submitted.domain, uploaded };
}

/**
 * Follows an execution to its end, handing each change to `listener` in the
 * engine's own event shape (so the local progress view shows it unchanged),
 * and resolves with the execution as it ended, its output blobs downloaded.
 */
export async function followRemote(
  runner: LocalRunner,
  client: RunnerClient,
  executionId: string,
  listener?: (event: ExecutionEvent) => void,
  /** An attempt submitted with `debug` waits for a debugger (its inspector is the runner's to reach). */
  onDebugger?: (message: DebuggerMessage) => void,
): Promise<ExecutionDetailResponse> {
  let last: ExecutionDetailResponse | undefined;
  const onMessage = (message: EventMessage) => {
    switch (message.type) {
      case "snapshot":
        last = message.execution;
        message.execution.nodes.forEach((node) => listener?.({ type: "node", node: nodeRecord(executionId, node) }));
        return;
      case "node":
        listener?.({ type: "node", node: nodeRecord(executionId, message.node) });
        return;
      case "map-progress":
        listener?.({ type: "map-progress", nodeId: message.nodeId, total: message.total, succeeded: message.succeeded, failed: message.failed, running: message.running });
        return;
      case "log":
        listener?.({ type: "log", nodeId: message.nodeId, attempt: message.attempt, stream: message.stream, text: message.text, index: 0, t: message.t });
        return;
      case "debugger":
        onDebugger?.(message);
        return;
      case "end":
        last = message.execution;
        return;
      default:
        return;
    }
  };
  try {
    await client.events(executionId, { logs: true }, onMessage);
  } catch (error) {
    // The stream may drop (a proxy, a restarted runner) while the execution goes on: say where to look.
    if (error instanceof AloftError && error.info.code === "STREAM_DROPPED") {
      throw new AloftError({ ...error.info, message: `${error.message}; the execution goes on: aloft executions get ${executionId} --runner ${client.endpoint.url}` });
    }
    throw error;
  }
  const ended = last ?? (await client.getExecution(executionId));
  if (ended.outputs !== null) {
    await client.download(runner.blobs, await blobsNeededBy([ended.outputs], async (d) => {
      await client.download(runner.blobs, [d]);
      return runner.blobs.readManifest(d);
    }));
  }
  return ended;
}

function nodeRecord(executionId: string, node: NodeSummary): NodeRecord {
  return {
    executionId,
    id: node.id,
    parentId: node.parentId,
    entity: node.entity,
    kind: node.kind as NodeRecord["kind"],
    status: node.status,
    cached: node.cached,
    attempts: node.attempts,
    ...(node.outputs !== null ? { outputs: node.outputs } : {}),
    ...(node.error ? { error: node.error } : {}),
    ...(node.startedAt ? { startedAt: Date.parse(node.startedAt) } : {}),
    ...(node.endedAt ? { endedAt: Date.parse(node.endedAt) } : {}),
  };
}
