/**
 * A client of the runner service's API: JSON routes, blob transfer and the
 * WebSocket streams, with every failure turned into an `AloftError` that says
 * which runner, which request, and what to do.
 */
import { createReadStream } from "node:fs";
import { type Duplex, Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import WebSocket, { createWebSocketStream } from "ws";
import { AloftError } from "../../compiler/errors.ts";
import { blobsNeededBy } from "../blobs/blob-references.ts";
import type { BlobStore } from "../blobs/blob-store.ts";
import type { WireValue } from "../data/wire.ts";
import {
  API_PREFIX,
  type CancelResponse,
  type ErrorResponse,
  type EventMessage,
  type ExecutionDetailResponse,
  type ExecutionListResponse,
  type LogStreamMessage,
  type MissingBlobsResponse,
  type SubmitRequest,
  type SubmitResponse,
} from "../service/protocol.ts";

export interface RunnerEndpoint {
  url: string;
  token: string;
}

/** Blobs uploaded at once: enough to fill the link, few enough not to swamp the runner. */
const UPLOAD_CONCURRENCY = 4;

export class RunnerClient {
  private readonly base: string;

  constructor(readonly endpoint: RunnerEndpoint) {
    this.base = endpoint.url.replace(/\/+$/, "");
  }

  listExecutions(query: { limit?: number; status?: string; domain?: string } = {}): Promise<ExecutionListResponse> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
    return this.json("GET", `/executions${params.size ? `?${params}` : ""}`);
  }

  getExecution(id: string): Promise<ExecutionDetailResponse> {
    return this.json("GET", `/executions/${encodeURIComponent(id)}`);
  }

  submit(request: SubmitRequest): Promise<SubmitResponse> {
    return this.json("POST", "/executions", request);
  }

  cancel(id: string): Promise<CancelResponse> {
    return this.json("POST", `/executions/${encodeURIComponent(id)}/cancel`);
  }

  /** Uploads whichever of `digests` the runner lacks, from the local blob store; resolves with how many were sent. */
  async uploadMissing(blobs: BlobStore, digests: string[], project?: string): Promise<{ sent: number; bytes: number }> {
    const query = project ? `?project=${encodeURIComponent(project)}` : "";
    const { missing } = await this.json<MissingBlobsResponse>("POST", `/blobs/missing${query}`, { digests: [...new Set(digests)] });
    let next = 0;
    let bytes = 0;
    const worker = async () => {
      for (let i = next++; i < missing.length; i = next++) {
        const digest = missing[i]!;
        const path = blobs.requirePath(digest);
        const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
        const response = await this.fetch("PUT", `/blobs/${digest}${query}`, { body, headers: { "content-type": "application/octet-stream" }, duplex: "half" });
        bytes += ((await response.json()) as { size: number }).size;
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, missing.length) }, worker));
    return { sent: missing.length, bytes };
  }

  /** Downloads blobs the local store lacks (outputs to show or open). */
  async download(blobs: BlobStore, digests: string[]): Promise<void> {
    for (const digest of new Set(digests)) {
      if (blobs.has(digest)) continue;
      const response = await this.fetch("GET", `/blobs/${digest}`);
      await blobs.putVerified(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), digest);
    }
  }

  /** Downloads every blob `values` need that the local store lacks: files, and directories' manifests with their entries. */
  async downloadNeededBy(blobs: BlobStore, values: Iterable<WireValue | undefined>): Promise<void> {
    const needed = await blobsNeededBy(values, async (manifest) => {
      await this.download(blobs, [manifest]);
      return blobs.readManifest(manifest);
    });
    await this.download(blobs, needed);
  }

  /** Follows an execution's events until it ends, the stream breaks, or `signal` aborts (which resolves). */
  events(id: string, options: { logs?: boolean; signal?: AbortSignal }, onMessage: (message: EventMessage) => void): Promise<void> {
    return this.stream(`/executions/${encodeURIComponent(id)}/events${options.logs ? "?logs=1" : ""}`, onMessage, options.signal);
  }

  /** One connection to a paused attempt's inspector, relayed by the runner (its bytes both ways). */
  openDebuggerTunnel(id: string, node: string): Promise<Duplex> {
    const path = `/executions/${encodeURIComponent(id)}/debugger?node=${encodeURIComponent(node)}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.base.replace(/^http/, "ws")}${API_PREFIX}${path}`, { headers: { authorization: `Bearer ${this.endpoint.token}` } });
      ws.on("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => reject(this.refusal("GET", path, response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      });
      ws.once("error", (error) => reject(this.unreachable(path, error)));
      ws.once("open", () => resolve(createWebSocketStream(ws)));
    });
  }

  logs(id: string, options: { node?: string; follow?: boolean }, onMessage: (message: LogStreamMessage) => void): Promise<void> {
    const params = new URLSearchParams();
    if (options.node) params.set("node", options.node);
    if (options.follow) params.set("follow", "1");
    return this.stream(`/executions/${encodeURIComponent(id)}/logs${params.size ? `?${params}` : ""}`, onMessage);
  }

  private stream<T extends { type: string }>(path: string, onMessage: (message: T) => void, signal?: AbortSignal): Promise<void> {
    const url = `${this.base.replace(/^http/, "ws")}${API_PREFIX}${path}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.endpoint.token}` } });
      let ended = false;
      if (signal) {
        const stop = () => {
          ended = true;
          ws.close(1000, "done");
        };
        if (signal.aborted) stop();
        else signal.addEventListener("abort", stop, { once: true });
      }
      ws.on("unexpected-response", (_request, response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => reject(this.refusal("GET", path, response.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      });
      ws.on("message", (data) => {
        if (signal?.aborted) return;
        let message: T;
        try {
          message = JSON.parse(String(data)) as T;
        } catch {
          return;
        }
        if (message.type === "end") ended = true;
        if (message.type === "error") {
          const error = (message as unknown as ErrorResponse).error;
          reject(new AloftError({ code: error.code, message: `the runner at ${this.base} ended the stream: ${error.message}` }));
          return;
        }
        onMessage(message);
      });
      ws.on("error", (error) => reject(this.unreachable(path, error)));
      ws.on("close", (code, reason) => {
        if (ended) resolve();
        else reject(new AloftError({ code: "STREAM_DROPPED", message: `the stream ${path} from the runner at ${this.base} closed before the execution ended (code ${code}${reason.length ? `: ${reason}` : ""})` }));
      });
    });
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init = body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
    return (await (await this.fetch(method, path, init)).json()) as T;
  }

  private async fetch(method: string, path: string, init: { body?: RequestInit["body"]; headers?: Record<string, string>; duplex?: "half" } = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${API_PREFIX}${path}`, {
        ...init,
        method,
        headers: { authorization: `Bearer ${this.endpoint.token}`, ...init.headers },
      } as RequestInit);
    } catch (error) {
      throw this.unreachable(path, error);
    }
    if (!response.ok) throw this.refusal(method, path, response.status, await response.text());
    return response;
  }

  private unreachable(path: string, error: unknown): AloftError {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return new AloftError({
      code: "RUNNER_UNREACHABLE",
      message: `cannot reach the aloft runner at ${this.base} (${cause}) for ${path}; is it running (aloft runner start), and is the URL right (--runner URL or ALOFT_RUNNER)?`,
    });
  }

  private refusal(method: string, path: string, status: number, text: string): AloftError {
    let code = `HTTP_${status}`;
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as ErrorResponse;
      code = parsed.error.code;
      message = parsed.error.message;
    } catch {
      // Not one of the runner's JSON errors (a proxy's page, say): keep the text.
    }
    const hint = status === 401 ? " (check --token or ALOFT_TOKEN)" : "";
    return new AloftError({ code, message: `the runner at ${this.base} refused ${method} ${API_PREFIX}${path}: ${message}${hint}` });
  }
}
