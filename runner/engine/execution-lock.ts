/**
 * One runner process drives an execution at a time. The lock is a file
 * holding the driving process's pid: a lock whose process is gone (killed
 * runner) is stale and may be taken over by `resume`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AloftError } from "../../compiler/errors.ts";

export class ExecutionLock {
  private constructor(private readonly path: string) {}

  /** The live process, other than this one, that runs `executionId`, if any. */
  static holder(lockDir: string, executionId: string): number | undefined {
    const holder = readHolder(join(lockDir, `${executionId}.pid`));
    return holder !== undefined && holder !== process.pid && isAlive(holder) ? holder : undefined;
  }

  static acquire(lockDir: string, executionId: string): ExecutionLock {
    mkdirSync(lockDir, { recursive: true });
    const path = join(lockDir, `${executionId}.pid`);
    const holder = ExecutionLock.holder(lockDir, executionId);
    if (holder !== undefined) {
      throw new AloftError({
        code: "EXECUTION_LOCKED",
        message: `execution ${executionId} is being run by process ${holder}; wait for it or stop it first`,
      });
    }
    writeFileSync(path, String(process.pid));
    return new ExecutionLock(path);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
