/**
 * What a replay needs, gathered on this machine: the node as it was recorded
 * (its inputs above all), the execution's bundle with its source map beside
 * it, and every blob the inputs name in the local blob store. From the local
 * store they are all here already; from a runner they are fetched.
 */
import { existsSync } from "node:fs";
import { AloftError } from "../../compiler/errors.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import { materializeBundle } from "../bundle/bundle-blobs.ts";
import type { WireValue } from "../data/wire.ts";
import type { LocalRunner } from "../local-runner.ts";
import type { RunnerClient } from "../remote/runner-client.ts";
import type { NodeSummary } from "../service/protocol.ts";
import { findExecution } from "./executions-command.ts";
import { pickReplayNode, type ReplayableNode } from "./replay-target.ts";

export type RecordedNode = ReplayableNode & { inputs: Record<string, WireValue> };

export interface ReplayPlan {
  executionId: string;
  /** Where the execution is recorded, for messages: "in the local store at PATH", "on the runner at URL". */
  where: string;
  node: RecordedNode;
  /** Why this node, when NODE named a task with several. */
  note?: string;
  bundlePath: string;
}

export async function localReplayPlan(runner: LocalRunner, executionId: string, wanted: string): Promise<ReplayPlan> {
  const execution = await findExecution(runner, executionId);
  const where = `in the local store at ${runner.workspace.database}`;
  const { node, note } = pickReplayNode(await runner.store.listNodes(executionId), wanted, executionId, where);
  if (!existsSync(execution.bundlePath)) {
    throw new AloftError({
      code: "REPLAY_BUNDLE_MISSING",
      entity: execution.entity,
      message: `the bundle execution ${executionId} ran (${execution.bundlePath}) is gone from the bundle cache; nothing else holds its code`,
    });
  }
  const missing = (await blobsNeededBy([node.inputs], (d) => runner.blobs.readManifest(d))).filter((d) => !runner.blobs.has(d));
  if (missing.length) {
    throw new AloftError({
      code: "REPLAY_BLOBS_MISSING",
      node: node.id,
      message: `the inputs of node "${node.id}" of execution ${executionId} name ${missing.length} blob(s) no longer in ${runner.workspace.blobs}: ${missing.slice(0, 3).join(", ")}`,
    });
  }
  return { executionId, where, node: node as RecordedNode, ...(note ? { note } : {}), bundlePath: execution.bundlePath };
}

export async function remoteReplayPlan(client: RunnerClient, blobs: BlobStore, bundleRoot: string, executionId: string, wanted: string): Promise<ReplayPlan> {
  const where = `on the runner at ${client.endpoint.url}`;
  const detail = await client.getExecution(executionId);
  const { node, note } = pickReplayNode(detail.nodes.map(recordedNode), wanted, executionId, where);
  if (detail.bundle === undefined) {
    throw new AloftError({ code: "REPLAY_BUNDLE_NOT_REPORTED", message: `the runner at ${client.endpoint.url} does not report the bundle of execution ${executionId} (it predates aloft debug --local); upgrade it to replay its nodes` });
  }
  if (detail.bundle === null) {
    throw new AloftError({
      code: "REPLAY_BUNDLE_MISSING",
      entity: detail.entity,
      message: `execution ${executionId} ${where} was not submitted to it (a local run recorded in its database): its bundle is on the machine that ran it; replay it there with aloft debug ${executionId} ${wanted} --local`,
    });
  }
  const { code, sourceMap } = detail.bundle;
  // The map travels with the code, so a debugger shows the workflow's TypeScript, not the bundle.
  await client.download(blobs, sourceMap ? [code, sourceMap] : [code]);
  const bundlePath = await materializeBundle(blobs, bundleRoot, { code, ...(sourceMap ? { sourceMap } : {}) });
  const recorded = node as RecordedNode;
  await client.downloadNeededBy(blobs, [recorded.inputs]);
  return { executionId, where, node: recorded, ...(note ? { note } : {}), bundlePath };
}

function recordedNode(n: NodeSummary): ReplayableNode {
  return {
    id: n.id,
    parentId: n.parentId,
    entity: n.entity,
    kind: n.kind as ReplayableNode["kind"],
    status: n.status,
    attempts: n.attempts,
    cached: n.cached,
    ...(n.outputs === null ? {} : { outputs: n.outputs }),
    ...(n.error === null ? {} : { error: n.error }),
    ...(n.startedAt === null ? {} : { startedAt: Date.parse(n.startedAt) }),
    ...(n.endedAt === null ? {} : { endedAt: Date.parse(n.endedAt) }),
    ...(n.inputs === undefined ? { inputs: "absent" as const } : n.inputs === null ? {} : { inputs: n.inputs }),
  };
}
