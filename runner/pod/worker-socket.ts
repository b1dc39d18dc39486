/**
 * A warm worker's connection to its runner, kept on a thread of its own.
 * Tasks run on the main thread, and one busy with a long synchronous
 * computation would leave the runner's heartbeat pings unanswered: the
 * runner would take the pod for lost. Here the socket answers whatever the
 * main thread is doing; messages wait for it in between.
 *
 * The thread also gives up on a runner it has not heard from (pings
 * included) for several heartbeats: a connection can die without closing,
 * and the pod would otherwise run on forever.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import WebSocket from "ws";
import { API_PREFIX } from "../service/protocol.ts";
import { WORKER_CONNECT_PATH } from "./worker-messages.ts";

/** How long a worker keeps trying to reach a runner that is not answering yet. */
const CONNECT_BUDGET_MS = 60_000;
/** Heartbeats the worker may miss before it takes its runner for gone: the runner notices a silent worker sooner. */
const MISSED_HEARTBEATS = 4;
const ROLE = "aloft-worker-socket";

interface SocketSettings {
  role: typeof ROLE;
  runnerUrl: string;
  token: string;
  heartbeatMs: number;
}

type FromSocket = { type: "message"; data: string } | { type: "say"; line: string } | { type: "ended"; code: number };
type ToSocket = { type: "send"; data: string };

export interface RunnerLink {
  send(data: string): void;
  /** Resolves with the worker's exit code once the connection is over (0: the runner let it go or is gone). */
  readonly ended: Promise<number>;
}

/**
 * Connects from a thread of its own (this same module, started again there).
 * `onMessage` hears each message the runner sends, on this thread.
 */
export function linkToRunner(settings: Omit<SocketSettings, "role">, onMessage: (data: string) => void, say: (line: string) => void): RunnerLink {
  // The pod's node runs the bootstrap with --input-type, which a thread started from a file must not inherit.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
  const thread = new Worker(new URL(import.meta.url), { execArgv, workerData: { ...settings, role: ROLE } satisfies SocketSettings });
  const ended = new Promise<number>((resolve) => {
    thread.on("message", (message: FromSocket) => {
      if (message.type === "message") onMessage(message.data);
      else if (message.type === "say") say(message.line);
      else if (message.type === "ended") resolve(message.code);
    });
    thread.on("error", (error) => {
      say(`the thread of the connection to the runner failed: ${error.stack ?? error.message}`);
      resolve(3);
    });
    thread.on("exit", () => resolve(0));
  });
  return { send: (data) => thread.postMessage({ type: "send", data } satisfies ToSocket), ended };
}

/** True on the connection's own thread: the agent's entry runs `serveRunnerLink` there instead of itself. */
export function isRunnerLinkThread(): boolean {
  return !isMainThread && (workerData as Partial<SocketSettings> | undefined)?.role === ROLE;
}

export async function serveRunnerLink(): Promise<void> {
  const settings = workerData as SocketSettings;
  const port = parentPort!;
  const tell = (message: FromSocket) => port.postMessage(message);
  const say = (line: string) => tell({ type: "say", line });
  const socket = await connect(settings, (data) => tell({ type: "message", data }), say);
  if (typeof socket === "number") return tell({ type: "ended", code: socket });
  port.on("message", (message: ToSocket) => {
    if (message.type === "send" && socket.readyState === WebSocket.OPEN) socket.send(message.data);
  });
  socket.on("close", () => tell({ type: "ended", code: 0 }));
  watchRunner(socket, settings.heartbeatMs, say);
}

function watchRunner(socket: WebSocket, heartbeatMs: number, say: (line: string) => void): void {
  if (!(heartbeatMs > 0)) return;
  let heardAt = Date.now();
  const heard = () => (heardAt = Date.now());
  socket.on("ping", heard);
  socket.on("message", heard);
  const watch = setInterval(() => {
    if (Date.now() - heardAt <= MISSED_HEARTBEATS * heartbeatMs) return;
    say(`the runner has not been heard from for ${Math.round((Date.now() - heardAt) / 1000)} s; this worker ends`);
    socket.terminate();
  }, heartbeatMs);
  socket.on("close", () => clearInterval(watch));
}

/** The worker's socket, or an exit code when the runner refuses it or cannot be reached. */
async function connect(settings: SocketSettings, onMessage: (data: string) => void, say: (line: string) => void): Promise<WebSocket | number> {
  const url = `${settings.runnerUrl.replace(/\/+$/, "").replace(/^http/, "ws")}${API_PREFIX}${WORKER_CONNECT_PATH}`;
  const started = Date.now();
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const outcome = await new Promise<WebSocket | { refused: number; text: string } | { error: string }>((resolve) => {
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${settings.token}` } });
      // On before the socket opens: the first job can come in the same packet as the upgrade's answer.
      socket.on("message", (data) => onMessage(String(data)));
      socket.once("open", () => resolve(socket));
      socket.once("unexpected-response", (_request, response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ refused: response.statusCode ?? 0, text }));
      });
      socket.once("error", (error) => resolve({ error: error.message }));
    });
    if (outcome instanceof WebSocket) return outcome;
    if ("refused" in outcome && outcome.refused < 500 && outcome.refused !== 429) {
      say(`the runner refused this worker (${outcome.refused}): ${outcome.text.slice(0, 500)}`);
      return 3;
    }
    const why = "refused" in outcome ? `${outcome.refused} ${outcome.text.slice(0, 200)}` : outcome.error;
    if (Date.now() - started > CONNECT_BUDGET_MS) {
      say(`cannot reach the runner at ${url}: ${why}`);
      return 3;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

// Started again on the connection's thread (as this module, or inside the agent's bundle): serve the link there.
if (isRunnerLinkThread()) await serveRunnerLink();
