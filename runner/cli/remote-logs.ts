/**
 * `aloft logs ID [NODE] [--follow] --remote|--runner URL`: an execution's logs
 * from a runner service, stored ones first, then (with --follow) as they are
 * written, until the execution ends.
 */
import type { RunnerClient } from "../remote/runner-client.ts";
import { dim, red } from "./format.ts";

export async function remoteLogs(client: RunnerClient, id: string, node: string | undefined, follow: boolean): Promise<number> {
  let printed = 0;
  let status = "";
  await client.logs(id, { ...(node ? { node } : {}), follow }, (message) => {
    if (message.type === "end") {
      status = message.status;
      return;
    }
    if (message.type !== "log") return;
    const prefix = node ? (message.attempt > 1 ? dim(`[attempt ${message.attempt}] `) : "") : dim(`[${message.nodeId}${message.attempt > 1 ? ` #${message.attempt}` : ""}] `);
    for (const line of message.text.replace(/\n$/, "").split("\n")) process.stdout.write(`${prefix}${line}\n`);
    printed++;
  });
  if (!printed) process.stderr.write(`${dim(`no output recorded for ${node ? `node ${node} of ` : ""}execution ${id}`)}\n`);
  if (follow && status && status !== "succeeded") process.stderr.write(`${red(`execution ${id} ${status}`)}\n`);
  return 0;
}
