/**
 * Drives the executions submitted to this runner: records a submission,
 * runs it on the task backend with the same engine as a local run, resumes
 * the executions it finds unfinished at start, cancels on request, and
 * publishes every event to the hub the streams follow.
 */
import { join } from "node:path";
import { AloftError } from "../../compiler/errors.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import { blobsNamedBy, blobsNeededBy } from "../blobs/blob-references.ts";
import type { ProjectBlobGrants } from "../blobs/project-blobs.ts";
import { materializeBundle } from "../bundle/bundle-blobs.ts";
import { checkInputNames } from "../data/cli-input.ts";
import { validate } from "../data/type-engine.ts";
import type { WireValue } from "../data/wire.ts";
import type { ExecutionEvent } from "../engine/events.ts";
import type { EngineContext, Execution } from "../engine/execution.ts";
import { checkDebugTarget, type DebugRequest } from "../engine/debug-target.ts";
import { createExecution, loadExecution } from "../engine/launch.ts";
import { LogSink } from "../engine/log-sink.ts";
import { DEFAULT_DOMAIN, type ExecutionRecord, type StateStore } from "../store/state-store.ts";
import type { EntityDescription } from "../worker/protocol.ts";
import { ApiError } from "./api-error.ts";
import type { EventHub } from "./event-hub.ts";
import type { PausedAttempts } from "./paused-attempts.ts";
import type { SubmitRequest } from "./protocol.ts";
import { SubmittedCodeExecutor, type SubmittedCode } from "./submitted-code.ts";
import type { BackendSession, TaskBackend } from "./task-backend.ts";

export interface ExecutionHostOptions {
  store: StateStore;
  blobs: BlobStore;
  grants: ProjectBlobGrants;
  backend: TaskBackend;
  hub: EventHub;
  debuggers: PausedAttempts;
  /** Where bundles are unpacked to run and attempt logs are kept. */
  stateDir: string;
  /** This replica's name in leases. */
  replicaId: string;
  leaseMs?: number;
  log?: (line: string) => void;
}

interface Driven {
  execution: Execution;
  session: BackendSession;
  done: Promise<void>;
}

const DEFAULT_LEASE_MS = 15_000;

export class ExecutionHost {
  private readonly driven = new Map<string, Driven>();
  /** Executions being created here, leased but not yet driven. */
  private readonly starting = new Set<string>();
  private readonly logs: LogSink;
  private readonly leaseMs: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private closed = false;

  constructor(private readonly options: ExecutionHostOptions) {
    this.logs = new LogSink(join(options.stateDir, "logs"));
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  }

  get logSink(): LogSink {
    return this.logs;
  }

  /** Starts renewing leases and picks up every unfinished execution no live replica holds. */
  async start(): Promise<void> {
    this.renewTimer = setInterval(() => void this.renew(), Math.max(1000, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
    await this.renew();
  }

  async submit(request: SubmitRequest, project: string): Promise<ExecutionRecord> {
    const { store, blobs, grants } = this.options;
    const iface = Object.hasOwn(request.interfaces, request.entity) ? request.interfaces[request.entity] : undefined;
    const description = request.entities.find((e) => e.name === request.entity);
    if (!iface || !description) {
      const names = request.entities.map((e) => `${e.name} (${e.kind})`).join(", ") || "nothing";
      throw new ApiError(400, "ENTITY_NOT_FOUND", `${request.file} has no exported entity "${request.entity}"; the submitted bundle exports ${names}`);
    }
    try {
      checkInputNames(iface, request.inputs);
    } catch (error) {
      if (error instanceof AloftError) throw new ApiError(400, "INPUT_INVALID", error.message);
      throw error;
    }
    const problems = Object.entries(request.inputs).flatMap(([name, value]) => validate(value, iface.inputs[name]!.type, name));
    if (problems.length) {
      throw new ApiError(400, "INPUT_INVALID", `inputs of ${iface.kind} "${iface.name}" do not match its interface: ${problems.join("; ")}`);
    }
    const bundleBlobs = [request.bundle.code, ...(request.bundle.sourceMap ? [request.bundle.sourceMap] : [])];
    this.requireBlobs(project, bundleBlobs, "the bundle");
    this.requireBlobs(project, [...new Set(blobsNamedBy(Object.values(request.inputs)).direct)], "the inputs");
    const inputBlobs = await blobsNeededBy(Object.values(request.inputs), (d) => blobs.readManifest(d));
    this.requireBlobs(project, inputBlobs, "the inputs' directories");

    if (request.debug) {
      try {
        checkDebugTarget(request.debug, request.entities, request.file);
      } catch (error) {
        if (error instanceof AloftError) throw new ApiError(400, error.info.code, error.message);
        throw error;
      }
    }
    const code: SubmittedCode = { entities: request.entities, graphs: request.graphs };
    const descriptor = (await blobs.putBytes(JSON.stringify(code), "submission.json")).$file.digest;
    await grants.grant(project, [descriptor]);
    const bundlePath = await materializeBundle(blobs, join(this.options.stateDir, "bundles"), request.bundle);
    const pending = {
      file: request.file,
      entity: request.entity,
      bundleHash: request.bundle.code,
      bundlePath,
      interfaces: request.interfaces,
      inputs: request.inputs,
      project,
      domain: request.domain ?? DEFAULT_DOMAIN,
      descriptor,
      sourceMap: request.bundle.sourceMap,
    };
    // The session opens on a provisional record: backends need only the bundle to start.
    const session = await this.options.backend.open({ ...pending, id: "", kind: description.kind, status: "running", createdAt: Date.now() } as ExecutionRecord);
    let execution: Execution;
    let createdId: string | undefined;
    try {
      const ctx = this.context(session, code, () => execution.id, request.debug);
      execution = await createExecution(ctx, entityMap(code.entities), pending);
      createdId = execution.id;
      this.starting.add(createdId);
      if (!(await store.claimExecution(execution.id, this.options.replicaId, this.leaseMs))) {
        // Another replica saw it unleased and took it in the moment between: it runs there.
        this.starting.delete(execution.id);
        await session.close();
        return (await store.getExecution(execution.id))!;
      }
    } catch (error) {
      if (createdId) this.starting.delete(createdId);
      await session.close();
      throw error;
    }
    this.drive(execution, session);
    this.starting.delete(execution.id);
    return (await store.getExecution(execution.id))!;
  }

  /** Cancels a running execution wherever it runs: here at once, elsewhere when its owner next looks. */
  async cancel(id: string): Promise<ExecutionRecord | undefined> {
    const driven = this.driven.get(id);
    if (driven) {
      await driven.execution.cancel("cancelled by request");
      await driven.done;
    } else {
      await this.options.store.requestCancel(id);
    }
    return this.options.store.getExecution(id);
  }

  isDriving(id: string): boolean {
    return this.driven.has(id);
  }

  /** Stops driving (executions stay `running` in the store, for a restart or another replica to resume). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    const all = [...this.driven.values()];
    // Stop driving first: waiting for executions to end would keep a stopping runner up until they do.
    await Promise.all(all.map((d) => d.execution.release()));
    await Promise.all(all.map((d) => d.session.close()));
    await Promise.allSettled(all.map((d) => d.done));
    for (const id of this.driven.keys()) await this.options.store.releaseExecution(id, this.options.replicaId).catch(() => {});
    this.logs.closeAll();
  }

  private context(session: BackendSession, code: SubmittedCode, id: () => string, debug?: DebugRequest): EngineContext {
    return {
      store: this.options.store,
      executor: new SubmittedCodeExecutor(code, session.executor),
      logs: this.logs,
      listener: (event: ExecutionEvent) => {
        this.options.debuggers.observe(id(), event, session);
        this.options.hub.publish(id(), event);
      },
      fence: { replicaId: this.options.replicaId },
      ...(debug ? { debug } : {}),
    };
  }

  private drive(execution: Execution, session: BackendSession): void {
    const id = execution.id;
    const done = execution
      .run()
      .then(async (record) => {
        if (record.status !== "running") await this.grantOutputs(record);
      })
      .catch((error: unknown) => this.log(`execution ${id} stopped with an internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(async () => {
        this.driven.delete(id);
        await session.close().catch(() => {});
        if (!this.closed) await this.options.store.releaseExecution(id, this.options.replicaId).catch(() => {});
        this.options.debuggers.forget(id);
        this.options.hub.end(id);
      });
    this.driven.set(id, { execution, session, done });
  }

  /** The project may read what its execution produced. */
  private async grantOutputs(record: ExecutionRecord): Promise<void> {
    const nodes = await this.options.store.listNodes(record.id);
    const values: (WireValue | undefined)[] = [record.outputs, ...nodes.map((n) => n.outputs)];
    const digests = await blobsNeededBy(values, (d) => this.options.blobs.readManifest(d));
    await this.options.grants.grant(record.project, digests);
  }

  private async renew(): Promise<void> {
    // One renewal at a time: two would both see a leftover lease and resume it twice.
    if (this.closed || this.renewing) return;
    this.renewing = true;
    try {
      const held = new Set(await this.options.store.renewLeases(this.options.replicaId, this.leaseMs));
      await this.resumeOwnLeftovers(held);
      for (const [id, driven] of this.driven) {
        if (!held.has(id)) {
          this.log(`lost the lease on execution ${id} (another replica took it over); stopping here`);
          await driven.execution.abandon();
        } else if ((await this.options.store.getExecution(id))?.cancelRequestedAt !== undefined) {
          // Another replica took the cancel request; this one drives the execution, so it ends it.
          await driven.execution.cancel("cancelled by request");
        }
      }
      await this.adoptOrphans();
    } catch (error) {
      this.log(`lease renewal failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.renewing = false;
    }
  }

  /**
   * A lease this replica holds on an execution it does not drive is from its
   * previous life (the runner was killed and started again): take it up at
   * once rather than wait for the lease to expire.
   */
  private async resumeOwnLeftovers(held: Set<string>): Promise<void> {
    for (const id of held) {
      if (this.closed || this.driven.has(id) || this.starting.has(id)) continue;
      const record = await this.options.store.getExecution(id);
      if (record?.status !== "running") continue;
      try {
        await this.resume(record);
      } catch (error) {
        this.log(`could not resume execution ${id}: ${error instanceof Error ? error.message : String(error)}`);
        await this.options.store.releaseExecution(id, this.options.replicaId).catch(() => {});
      }
    }
  }

  /** Executions left running by a replica that died and whose lease expired. */
  private async adoptOrphans(): Promise<void> {
    const { store } = this.options;
    for (const record of await store.listClaimable(Date.now(), 50)) {
      if (this.closed || this.driven.has(record.id)) continue;
      if (!(await store.claimExecution(record.id, this.options.replicaId, this.leaseMs))) continue;
      try {
        await this.resume(record);
      } catch (error) {
        this.log(`could not resume execution ${record.id}: ${error instanceof Error ? error.message : String(error)}`);
        await store.releaseExecution(record.id, this.options.replicaId).catch(() => {});
      }
    }
  }

  private async resume(record: ExecutionRecord): Promise<void> {
    const { blobs } = this.options;
    if (!record.descriptor) throw new Error(`execution ${record.id} was not submitted to a runner service; resume it with aloft executions resume`);
    const code = JSON.parse(await blobs.readText(record.descriptor)) as SubmittedCode;
    const bundlePath = await materializeBundle(blobs, join(this.options.stateDir, "bundles"), { code: record.bundleHash, sourceMap: record.sourceMap });
    const session = await this.options.backend.open({ ...record, bundlePath });
    try {
      const execution = await loadExecution(this.context(session, code, () => record.id), entityMap(code.entities), { ...record, bundlePath });
      this.log(`resumed execution ${record.id} (${record.entity})`);
      this.drive(execution, session);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  private requireBlobs(project: string, digests: string[], what: string): void {
    const missing = digests.filter((d) => !this.options.blobs.has(d) || !this.options.grants.allows(project, d));
    if (missing.length) {
      throw new ApiError(400, "BLOB_MISSING", `${what} name${missing.length === 1 ? "s a blob" : ` ${missing.length} blobs`} this project has not uploaded: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}; upload with PUT /api/v1/blobs/DIGEST first`);
    }
  }

  private log(line: string): void {
    (this.options.log ?? ((l) => process.stderr.write(`${l}\n`)))(`aloft runner: ${line}`);
  }
}

function entityMap(entities: EntityDescription[]): Map<string, EntityDescription> {
  return new Map(entities.map((e) => [e.name, e]));
}
