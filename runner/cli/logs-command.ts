/**
 * `aloft logs ID [NODE] [--follow] [--remote|--runner URL]`: replays the
 * recorded stdout and stderr of an execution's attempts, in the order they
 * were written; from a runner service, --follow stays until it ends.
 */
import { readLog } from "../engine/log-sink.ts";
import { LocalRunner } from "../local-runner.ts";
import { findWorkspace } from "../workspace.ts";
import { findExecution } from "./executions-command.ts";
import { dim } from "./format.ts";
import { remoteLogs } from "./remote-logs.ts";
import { runnerClient, takeRunnerFlags } from "./runner-flags.ts";
import { UsageError } from "./usage.ts";

export async function logsCommand(args: string[]): Promise<number> {
  const flags = takeRunnerFlags(args);
  const follow = flags.rest.includes("--follow");
  const unknown = flags.rest.find((a) => a.startsWith("--") && a !== "--follow");
  if (unknown) throw new UsageError(`aloft logs does not take ${unknown}; it takes --follow, --remote, --runner URL and --token T`);
  const [id, node] = flags.rest.filter((a) => !a.startsWith("--"));
  if (!id) throw new UsageError("aloft logs needs an execution id: aloft logs ID [NODE]");
  if (flags.remote) return remoteLogs(runnerClient(flags, findWorkspace()), id, node, follow);
  if (follow) throw new UsageError("--follow follows an execution on a runner service: add --remote or --runner URL (local logs are complete once aloft run returns)");
  const runner = new LocalRunner(findWorkspace());
  try {
    await findExecution(runner, id);
    const attempts = await runner.store.listAttempts(id, node);
    if (node && !attempts.length) {
      const known = (await runner.store.listNodes(id)).filter((n) => n.attempts > 0).map((n) => n.id);
      if (!known.includes(node)) {
        throw new UsageError(`execution ${id} has no node "${node}" that ran; nodes that ran: ${known.slice(0, 20).join(", ") || "none"}`, 1);
      }
    }
    const lines: { t: number; text: string }[] = [];
    for (const attempt of attempts) {
      const prefix = node ? (attempts.length > 1 ? dim(`[attempt ${attempt.attempt}] `) : "") : dim(`[${attempt.nodeId}${attempt.attempt > 1 ? ` #${attempt.attempt}` : ""}] `);
      for (const chunk of readLog(attempt.logPath)) {
        for (const line of chunk.x.replace(/\n$/, "").split("\n")) lines.push({ t: chunk.t, text: prefix + line });
      }
    }
    lines.sort((a, b) => a.t - b.t);
    for (const line of lines) process.stdout.write(`${line.text}\n`);
    if (!lines.length) process.stderr.write(`${dim(`no output recorded for ${node ? `node ${node} of ` : ""}execution ${id}`)}\n`);
    return 0;
  } finally {
    await runner.close();
  }
}
