/**
 * The executor an execution submitted to the runner service runs on. Workflow
 * bodies were traced on the client (user code never runs in the runner), so
 * `describe` and `trace` are answered from the submission; tasks and dynamic
 * bodies go to the backend (local processes or Kubernetes pods).
 */
import type { Graph } from "../../compiler/graph.ts";
import type { Job, JobOptions, TaskExecutor } from "../engine/executor.ts";
import type { EntityDescription, JobResult } from "../worker/protocol.ts";

/** What the client computed from the bundle, kept as a blob beside it. */
export interface SubmittedCode {
  entities: EntityDescription[];
  graphs: Record<string, Graph>;
}

export class SubmittedCodeExecutor implements TaskExecutor {
  readonly resume: TaskExecutor["resume"];

  constructor(
    private readonly code: SubmittedCode,
    private readonly backend: TaskExecutor,
  ) {
    this.resume = backend.resume?.bind(backend);
  }

  get size(): number {
    return this.backend.size;
  }

  async run(job: Job, options?: JobOptions): Promise<JobResult> {
    if (job.type === "describe") return { ok: true, entities: this.code.entities };
    if (job.type === "trace") {
      const graph = Object.hasOwn(this.code.graphs, job.entity) ? this.code.graphs[job.entity] : undefined;
      if (graph) return { ok: true, graph };
      return {
        ok: false,
        error: {
          code: "GRAPH_NOT_SUBMITTED",
          kind: "user",
          entity: job.entity,
          message: `the submission has no traced graph for workflow "${job.entity}"; the client traces every workflow of the bundle before it submits (is the client older than the runner?)`,
        },
      };
    }
    return this.backend.run(job, options);
  }
}
