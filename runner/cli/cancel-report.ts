import type { ExecutionStatus } from "../store/state-store.ts";
import { bold } from "./format.ts";

/**
 * What `executions cancel` says of the execution as the cancel left it, here
 * or on a runner: cancelled (now or before), still running (a cancel request
 * another replica acts on), or ended otherwise before it could be cancelled.
 */
export function reportCancel(id: string, status: ExecutionStatus, json: boolean): number {
  if (status === "failed" || status === "succeeded") {
    process.stderr.write(`aloft: execution ${id} had already ${status}; there was nothing to cancel\n`);
    return 1;
  }
  if (!json) {
    process.stdout.write(
      status === "running" ? `asked to cancel execution ${bold(id)}: the runner replica that drives it ends it when it next looks\n` : `execution ${bold(id)} ${status}\n`,
    );
  }
  return 0;
}
