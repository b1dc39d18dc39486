// A container run as a local process: `command` + `args` with the
// container's env (and `$(VAR)` references expanded as the kubelet does), in
// its own process group so that stopping it stops everything it started.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import type { OutputStream } from "./container-log.ts";
import type { ContainerSpec, Pod } from "./objects.ts";
import { hostIP, nodeName } from "./pod-status.ts";

export interface ContainerExit {
  exitCode: number;
  signal?: number;
  /** Set when the process could not be started at all. */
  startError?: string;
}

export class ContainerProcess {
  readonly exited: Promise<ContainerExit>;
  private readonly child: ChildProcess | undefined;

  private constructor(child: ChildProcess | undefined, exited: Promise<ContainerExit>) {
    this.child = child;
    this.exited = exited;
  }

  /**
   * Starts the pod's container. `onOutput` gets stdout and stderr as they
   * come; `onStarted` fires once the process exists.
   */
  static start(pod: Pod, scratchDir: string, onOutput: (stream: OutputStream, chunk: Buffer) => void, onStarted: () => void): ContainerProcess {
    const container = pod.spec.containers[0]!;
    const env = containerEnv(pod, container);
    const [program, ...rest] = [...container.command!, ...(container.args ?? [])].map((word) => expand(word, env));
    const cwd = container.workingDir ?? scratchDir;
    if (!existsSync(cwd)) {
      return new ContainerProcess(
        undefined,
        Promise.resolve({
          exitCode: 128,
          startError: `workingDir "${cwd}" does not exist on this machine: the simulator runs containers as local processes and creates no directories`,
        }),
      );
    }
    const child = spawn(program!, rest, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => onOutput("stdout", chunk));
    child.stderr!.on("data", (chunk: Buffer) => onOutput("stderr", chunk));
    const exited = new Promise<ContainerExit>((resolve) => {
      child.once("spawn", onStarted);
      child.once("error", (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          resolve({
            exitCode: 128,
            startError: `failed to start container "${container.name}": exec: "${program}": ${error.code === "ENOENT" ? "executable file not found in $PATH" : error.message}`,
          });
        }
      });
      // When the main process ends the container ends: whatever it left running goes too.
      child.once("exit", () => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // The group is already empty.
        }
      });
      child.once("close", (code, signal) => {
        if (signal) {
          const number = constants.signals[signal];
          resolve({ exitCode: 128 + number, signal: number });
        } else {
          resolve({ exitCode: code ?? 0 });
        }
      });
    });
    return new ContainerProcess(child, exited);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Signals the whole process group; a group already gone is not an error. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
}

/**
 * What a container process sees: the machine's PATH and HOME (there is no
 * image to bring its own), the pod's hostname, then the container's env.
 */
function containerEnv(pod: Pod, container: ContainerSpec): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name };
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const entry of container.env ?? []) {
    const fieldPath = entry.valueFrom?.fieldRef?.fieldPath;
    env[entry.name] = fieldPath !== undefined ? fieldValue(pod, fieldPath) : expand(entry.value ?? "", env);
  }
  return env;
}

function fieldValue(pod: Pod, fieldPath: string): string {
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return nodeName;
    default:
      return hostIP;
  }
}

/** `$(NAME)` becomes NAME's value when defined; `$$(NAME)` stays `$(NAME)`. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && Object.hasOwn(env, name) ? env[name]! : match;
  });
}
