/** `aloft executions list|get ID|cancel ID --remote|--runner URL`: executions as a runner service knows them. */
import type { RunnerClient } from "../remote/runner-client.ts";
import type { ExecutionDetailResponse } from "../service/protocol.ts";
import { reportCancel } from "./cancel-report.ts";
import type { ListOptions } from "./executions-command.ts";
import { bold, dim, formatError, green, red } from "./format.ts";

export async function remoteList(client: RunnerClient, json: boolean, options: ListOptions): Promise<number> {
  const { executions } = await client.listExecutions(options);
  if (json) {
    process.stdout.write(`${JSON.stringify(executions)}\n`);
    return 0;
  }
  if (!executions.length) process.stdout.write(`no${options.status ? ` ${options.status}` : ""} executions${options.domain ? ` in domain ${options.domain}` : ""} on ${client.endpoint.url} that this token may see\n`);
  for (const e of executions) {
    process.stdout.write(`${e.executionId}  ${paint(e.status).padEnd(20)} ${e.entity.padEnd(24)} ${e.createdAt}  ${dim(`${e.project}/${e.domain}`)}\n`);
  }
  return 0;
}

export async function remoteGet(client: RunnerClient, id: string, json: boolean): Promise<number> {
  const detail: ExecutionDetailResponse = await client.getExecution(id);
  if (json) {
    process.stdout.write(`${JSON.stringify(detail)}\n`);
    return 0;
  }
  process.stdout.write(`${bold(detail.executionId)}  ${paint(detail.status)}  ${detail.kind} ${bold(detail.entity)}  ${dim(`${detail.file}, project ${detail.project}, domain ${detail.domain}`)}\n`);
  process.stdout.write(`created ${detail.createdAt}${detail.endedAt ? `, ended ${detail.endedAt}` : ""}\n\n`);
  for (const node of detail.nodes.filter((n) => n.kind !== "item")) {
    const depth = node.id.split("/").length - 1;
    const extra = node.cached ? "cached" : node.attempts > 1 ? `${node.attempts} attempts` : "";
    process.stdout.write(`${"  ".repeat(depth)}${paint(node.status).padEnd(20)} ${node.id.padEnd(32)} ${dim(extra)}\n`);
    if (node.status === "failed" && node.error) process.stdout.write(`${"  ".repeat(depth + 1)}${node.error.message.split("\n")[0]}\n`);
  }
  if (detail.outputs !== null) process.stdout.write(`\n${bold("outputs")}\n${JSON.stringify(detail.outputs, null, 2)}\n`);
  if (detail.error) process.stdout.write(`\n${formatError(detail.error)}\n`);
  return 0;
}

export async function remoteCancel(client: RunnerClient, id: string, json: boolean): Promise<number> {
  const after = await client.cancel(id);
  if (json) process.stdout.write(`${JSON.stringify(after)}\n`);
  return reportCancel(id, after.status, json);
}

function paint(status: string): string {
  return status === "succeeded" ? green(status) : status === "failed" ? red(status) : status;
}
