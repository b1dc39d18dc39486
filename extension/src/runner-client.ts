/**
 * The editor's client of a runner service: the JSON routes it reads and the
 * WebSocket streams it follows, with every failure a `RunnerError` whose
 * message names the runner and says what to do. Submission is the CLI's job
 * (it bundles, traces and uploads), not this client's.
 */
import WebSocket from "ws";
import type {
  API_PREFIX as PROTOCOL_API_PREFIX,
  CancelResponse,
  ErrorResponse,
  EventMessage,
  ExecutionDetailResponse,
  ExecutionListResponse,
  HealthResponse,
  LogStreamMessage,
} from "../../runner/service/protocol.ts";

/** The protocol's prefix, restated: the extension takes only types from the runner (the type keeps the two equal). */
const API_PREFIX: typeof PROTOCOL_API_PREFIX = "/api/v1";

export interface RunnerEndpoint {
  url: string;
  token: string;
}

export class RunnerError extends Error {
  constructor(
    message: string,
    /** The runner's error code (`EXECUTION_NOT_FOUND`...), `RUNNER_UNREACHABLE`, or `STREAM_DROPPED`. */
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.status === 404 || this.code === "EXECUTION_NOT_FOUND";
  }
}

/** A stream being followed: `done` settles when it ends (resolves on `end`, rejects on a drop or error). */
export interface RunnerStream {
  done: Promise<void>;
  close(): void;
}

export class RunnerClient {
  readonly url: string;

  constructor(readonly endpoint: RunnerEndpoint) {
    this.url = endpoint.url.replace(/\/+$/, "");
  }

  async health(): Promise<HealthResponse> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw this.unreachable("/healthz", error);
    }
    if (!response.ok) throw new RunnerError(`${this.url}/healthz answered ${response.status}: is this an aloft runner?`, `HTTP_${response.status}`, response.status);
    return (await response.json()) as HealthResponse;
  }

  listExecutions(limit: number): Promise<ExecutionListResponse> {
    return this.json("GET", `/executions?limit=${limit}`);
  }

  getExecution(id: string): Promise<ExecutionDetailResponse> {
    return this.json("GET", `/executions/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<CancelResponse> {
    return this.json("POST", `/executions/${encodeURIComponent(id)}/cancel`);
  }

  /** A snapshot, then every change (and log chunk), then `end`. */
  events(id: string, onMessage: (message: EventMessage) => void): RunnerStream {
    return this.stream(`/executions/${encodeURIComponent(id)}/events?logs=1`, onMessage);
  }

  /** Every stored log chunk, then live ones until the execution ends. */
  logs(id: string, node: string | undefined, onMessage: (message: LogStreamMessage) => void): RunnerStream {
    const query = new URLSearchParams({ follow: "1", ...(node ? { node } : {}) });
    return this.stream(`/executions/${encodeURIComponent(id)}/logs?${query}`, onMessage);
  }

  private stream<T extends { type: string }>(path: string, onMessage: (message: T) => void): RunnerStream {
    const ws = new WebSocket(`${this.url.replace(/^http/, "ws")}${API_PREFIX}${path}`, { headers: { authorization: `Bearer ${this.endpoint.token}` } });
    let closedByClient = false;
    const done = new Promise<void>((resolve, reject) => {
      let ended = false;
      ws.on("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => reject(this.refusal("GET", path, response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      });
      ws.on("message", (data) => {
        let message: T;
        try {
          message = JSON.parse(String(data)) as T;
        } catch {
          return;
        }
        if (message.type === "error") {
          const { code, message: text } = (message as unknown as ErrorResponse).error;
          ended = true;
          reject(new RunnerError(`the runner at ${this.url} ended the stream: ${text}`, code, code === "EXECUTION_NOT_FOUND" ? 404 : undefined));
          return;
        }
        if (message.type === "end") ended = true;
        onMessage(message);
      });
      ws.on("error", (error) => reject(this.unreachable(path, error)));
      ws.on("close", (code) => {
        if (ended || closedByClient) resolve();
        else reject(new RunnerError(`the stream ${path} from the runner at ${this.url} closed before the execution ended (code ${code})`, "STREAM_DROPPED"));
      });
    });
    return {
      done,
      close: () => {
        closedByClient = true;
        ws.close();
      },
    };
  }

  private async json<T>(method: string, path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${API_PREFIX}${path}`, { method, headers: { authorization: `Bearer ${this.endpoint.token}` }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw this.unreachable(path, error);
    }
    if (!response.ok) throw this.refusal(method, path, response.status, await response.text());
    return (await response.json()) as T;
  }

  private unreachable(path: string, error: unknown): RunnerError {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new RunnerError(`cannot reach the aloft runner at ${this.url} (${cause}) for ${path}: is it running, and is the URL right?`, "RUNNER_UNREACHABLE");
  }

  private refusal(method: string, path: string, status: number, text: string): RunnerError {
    let code = `HTTP_${status}`;
    let message = text.slice(0, 500);
    try {
      ({ code, message } = (JSON.parse(text) as ErrorResponse).error);
    } catch {
      // Not one of the runner's JSON errors (a proxy's page, say): keep the text.
    }
    const hint = status === 401 ? " (the token is wrong or revoked: aloft: Set Runner Token)" : "";
    return new RunnerError(`the runner at ${this.url} refused ${method} ${API_PREFIX}${path}: ${message}${hint}`, code, status);
  }
}
