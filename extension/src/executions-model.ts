/**
 * The executions the side bar shows, per runner (the folder's local runner,
 * a remote one): the latest list from each runner, kept in the runner's
 * order (newest first), with live states of executions the editor follows.
 */
import type { ExecutionSummary } from "../../runner/service/protocol.ts";
import { ExecutionState } from "./execution-state.ts";

export interface SourceInfo {
  /** `local:<folder>` or `remote:<url>`. */
  key: string;
  label: string;
}

interface Source extends SourceInfo {
  executions: ExecutionState[];
  /** Why the list could not be read, shown in place of executions. */
  problem?: string;
}

export class ExecutionsModel {
  private readonly sources = new Map<string, Source>();
  private readonly listeners = new Set<() => void>();

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  sourceList(): (SourceInfo & { problem?: string })[] {
    return [...this.sources.values()].map(({ key, label, problem }) => ({ key, label, ...(problem ? { problem } : {}) }));
  }

  executionsOf(sourceKey: string): ExecutionState[] {
    return this.sources.get(sourceKey)?.executions ?? [];
  }

  find(sourceKey: string, id: string): ExecutionState | undefined {
    return this.executionsOf(sourceKey).find((e) => e.id === id);
  }

  /** A fresh list from the runner: states already held are kept (with their nodes), so live ones go on updating. */
  setList(source: SourceInfo, summaries: ExecutionSummary[]): void {
    const known = new Map(this.executionsOf(source.key).map((e) => [e.id, e]));
    const executions = summaries.map((summary) => {
      const state = known.get(summary.executionId);
      if (!state) return new ExecutionState(summary);
      // A followed execution's stream is newer than the list.
      if (!state.followed) state.summary = summary;
      return state;
    });
    this.sources.set(source.key, { ...source, executions });
    this.changed();
  }

  setProblem(source: SourceInfo, problem: string): void {
    this.sources.set(source.key, { ...source, executions: this.executionsOf(source.key), problem });
    this.changed();
  }

  /** An execution started here: shown first at once, before any list is read again. */
  add(source: SourceInfo, state: ExecutionState): ExecutionState {
    const current = this.sources.get(source.key);
    const existing = current?.executions.find((e) => e.id === state.id);
    if (existing) return existing;
    this.sources.set(source.key, { ...source, executions: [state, ...(current?.executions ?? [])] });
    this.changed();
    return state;
  }

  /** The newest execution of `entity` of a file (as `isFile` recognizes the runner's name of it) whose nodes are known, from any runner. */
  latestOf(entity: string, isFile: (file: string) => boolean): { sourceKey: string; state: ExecutionState } | undefined {
    let latest: { sourceKey: string; state: ExecutionState } | undefined;
    for (const source of this.sources.values()) {
      for (const state of source.executions) {
        if (state.summary.entity !== entity || !state.nodes || !isFile(state.summary.file)) continue;
        if (!latest || state.summary.createdAt > latest.state.summary.createdAt) latest = { sourceKey: source.key, state };
      }
    }
    return latest;
  }

  remove(sourceKey: string, id: string): void {
    const source = this.sources.get(sourceKey);
    if (!source) return;
    source.executions = source.executions.filter((e) => e.id !== id);
    this.changed();
  }

  removeSource(sourceKey: string): void {
    if (this.sources.delete(sourceKey)) this.changed();
  }
}
