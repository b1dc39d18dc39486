/**
 * One local runner service per workspace folder, started the first time the
 * folder needs one (a run, the executions view) and stopped with the
 * extension. A runner that ended is started again on the next need.
 */
import type { Disposable, OutputChannel, WorkspaceFolder } from "vscode";
import { cliLaunch } from "./cli-launch.ts";
import { startLocalRunner, type LocalRunnerService } from "./local-runner-service.ts";

export class LocalRunners implements Disposable {
  private readonly running = new Map<string, Promise<LocalRunnerService>>();

  constructor(private readonly output: OutputChannel) {}

  /** The folder's runner, started if need be; rejects with a message for the user when it cannot start. */
  ensure(folder: WorkspaceFolder): Promise<LocalRunnerService> {
    const key = folder.uri.toString();
    const existing = this.running.get(key);
    if (existing) return existing;
    const launch = cliLaunch(folder);
    if (!launch.found) return Promise.reject(new Error(`no aloft CLI for "${folder.name}": ${launch.reason}`));
    const log = (line: string) => this.output.appendLine(`[${folder.name}] ${line}`);
    const started = startLocalRunner({ runtime: launch.runtime, cli: launch.cli, folder: folder.uri.fsPath }, log);
    this.running.set(key, started);
    started.then(
      (runner) => {
        log(`local runner listening on ${runner.url} (replica ${runner.replicaId})`);
        void runner.exited.then((how) => {
          log(`local runner ended (${how})`);
          if (this.running.get(key) === started) this.running.delete(key);
        });
      },
      (error: unknown) => {
        log(`local runner did not start: ${error instanceof Error ? error.message : String(error)}`);
        if (this.running.get(key) === started) this.running.delete(key);
      },
    );
    return started;
  }

  async stop(folder: WorkspaceFolder): Promise<void> {
    const runner = this.running.get(folder.uri.toString());
    this.running.delete(folder.uri.toString());
    await runner?.then((r) => r.stop(), () => undefined);
  }

  async stopAll(): Promise<void> {
    const runners = [...this.running.values()];
    this.running.clear();
    await Promise.all(runners.map((runner) => runner.then((r) => r.stop(), () => undefined)));
  }

  dispose(): void {
    void this.stopAll();
  }
}
