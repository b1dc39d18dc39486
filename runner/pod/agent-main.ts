/**
 * What runs in a task's pod. In a one-attempt pod (the default) it runs the
 * attempt its environment names and exits; in a warm worker pod
 * (`ALOFT_AGENT_MODE=worker`) it connects back to the runner and runs the
 * attempts it is sent until the runner lets it go.
 */
import { runOneAttempt } from "./attempt-agent.ts";
import { sayToPodLog } from "./pod-log.ts";
import { WORKER_ENV, WORKER_MODE } from "./worker-messages.ts";
import { runWarmWorker } from "./worker-agent.ts";
import { isRunnerLinkThread } from "./worker-socket.ts";

const say = (line: string) => process.stderr.write(`aloft agent: ${line}\n`);

// The same bundle starts a warm worker's connection thread, which serves the link (worker-socket.ts) and nothing else.
if (!isRunnerLinkThread()) {
  // A task's stray promise must not end the attempt before its result is reported.
  process.on("unhandledRejection", (reason) => say(`unhandled promise rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  // A one-attempt pod's log is its attempt's: its lines go there. A warm worker's lines are its own.
  const exitCode = process.env[WORKER_ENV.mode] === WORKER_MODE ? await runWarmWorker(sayToPodLog) : await runOneAttempt(say);
  // Timers or sockets a task left open must not keep the pod alive.
  process.exit(exitCode);
}
