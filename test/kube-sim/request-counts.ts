// How many API requests arrived, by "verb resource" (as Kubernetes audit
// logs name them: "create pods", "watch pods", "get pods/log"), and how many
// of those were answered with an injected failure. Benchmarks read these to
// report Kubernetes API requests per task.

export interface RequestCountsSnapshot {
  total: number;
  byRoute: Record<string, number>;
  /** Injected failures, by "verb resource status". */
  injected: Record<string, number>;
}

export class RequestCounts {
  private total = 0;
  private byRoute = new Map<string, number>();
  private injected = new Map<string, number>();

  record(verb: string, resource: string): void {
    this.total += 1;
    bump(this.byRoute, `${verb} ${resource}`);
  }

  recordInjected(verb: string, resource: string, status: number): void {
    bump(this.injected, `${verb} ${resource} ${status}`);
  }

  snapshot(): RequestCountsSnapshot {
    return {
      total: this.total,
      byRoute: Object.fromEntries([...this.byRoute].sort()),
      injected: Object.fromEntries([...this.injected].sort()),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.injected.clear();
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
