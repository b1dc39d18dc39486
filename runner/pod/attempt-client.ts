/**
 * The agent's side of the attempt routes: HTTP to the runner with the
 * attempt's token, retried with backoff while the runner is unreachable or
 * busy (it may be restarting), so a finished task's result is not lost.
 * Once the attempt is fetched, the token is renewed at half its life until
 * `close()`, so that a task may run for longer than one token lasts.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { BlobStore } from "../blobs/blob-store.ts";
import { API_PREFIX, type AttemptSpec, type AttemptTokenRenewal } from "../service/protocol.ts";
import type { InspectorEndpoint, JobResult } from "../worker/protocol.ts";

export interface RetryBudget {
  /** Give up once this much time has passed since the first try. */
  totalMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /**
   * How long one try waits for the runner's answer (its status and headers)
   * before it is dropped and tried again on a fresh connection: a kept-alive
   * connection can die without closing. Uploads, answered only once their
   * body is sent, wait as long as that takes.
   */
  answerMs: number;
}

const DEFAULT_BUDGET: RetryBudget = { totalMs: 10 * 60_000, firstDelayMs: 250, maxDelayMs: 10_000, answerMs: 30_000 };
/** Renewing more often would only load the runner: the shortest life it gives a token is 2 s. */
const MIN_RENEWAL_DELAY_MS = 500;

export class AttemptClient {
  private readonly base: string;
  private renewal: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    runnerUrl: string,
    private token: string,
    attemptKey: string,
    private readonly budget: RetryBudget = DEFAULT_BUDGET,
    private readonly say: (line: string) => void = (line) => process.stderr.write(`aloft agent: ${line}\n`),
  ) {
    this.base = `${runnerUrl.replace(/\/+$/, "")}${API_PREFIX}/attempts/${encodeURIComponent(attemptKey)}`;
  }

  async spec(): Promise<AttemptSpec> {
    const spec = (await (await this.request("GET", "")).json()) as AttemptSpec;
    this.renewIn(spec.tokenExpiresInMs);
    return spec;
  }

  /** Stops renewing the token: the attempt is over (reported, or given up). */
  close(): void {
    this.closed = true;
    clearTimeout(this.renewal);
  }

  private renewIn(expiresInMs: number): void {
    if (this.closed || !(expiresInMs > 0)) return;
    clearTimeout(this.renewal);
    // Unreferenced: a renewal still pending must not keep a pod whose work is done alive.
    this.renewal = setTimeout(() => void this.renew(expiresInMs), Math.max(expiresInMs / 2, MIN_RENEWAL_DELAY_MS)).unref();
  }

  private async renew(expiresInMs: number): Promise<void> {
    const expiresAt = Date.now() + expiresInMs / 2;
    try {
      const renewed = (await (await this.request("POST", "/token")).json()) as AttemptTokenRenewal;
      if (this.closed) return;
      this.token = renewed.token;
      this.renewIn(renewed.expiresInMs);
    } catch (error) {
      // The attempt ended meanwhile (409): nothing left to renew.
      if (this.closed || (error instanceof RunnerRefused && error.status === 409)) return;
      const left = Math.round((expiresAt - Date.now()) / 1000);
      this.say(`could not renew the attempt's token (${error instanceof Error ? error.message : String(error)}); ${left > 0 ? `it expires in about ${left} s` : "it has expired"}`);
    }
  }

  async download(digest: string, blobs: BlobStore): Promise<void> {
    await this.withRetries(`download ${digest}`, async () => {
      const response = await this.send("GET", `/blobs/${digest}`);
      if (!response.body) throw new Error("empty body");
      await blobs.putVerified(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), digest);
    });
  }

  /** Uploads the blobs the runner lacks among `digests`. */
  async upload(digests: string[], blobs: BlobStore): Promise<void> {
    if (!digests.length) return;
    const { missing } = (await (await this.request("POST", "/blobs/missing", JSON.stringify({ digests }))).json()) as { missing: string[] };
    for (const digest of missing) {
      const path = blobs.requirePath(digest);
      await this.request("PUT", `/blobs/${digest}`, () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>, "application/octet-stream");
    }
  }

  /** The attempt is paused for a debugger, its inspector listening at `endpoint` in this pod. */
  async announceDebugger(endpoint: InspectorEndpoint): Promise<void> {
    await this.request("POST", "/debugger", JSON.stringify({ endpoint }));
  }

  async report(result: JobResult): Promise<void> {
    await this.request("POST", "/result", JSON.stringify({ result }));
  }

  private async request(method: string, path: string, body?: string | (() => ReadableStream<Uint8Array>), type = "application/json"): Promise<Response> {
    return this.withRetries(`${method} ${path || "/"}`, () => this.send(method, path, body, type));
  }

  private async send(method: string, path: string, body?: string | (() => ReadableStream<Uint8Array>), type = "application/json"): Promise<Response> {
    const payload = typeof body === "function" ? body() : body;
    const streamed = payload !== undefined && typeof payload !== "string";
    const unanswered = new AbortController();
    const timer = streamed ? undefined : setTimeout(() => unanswered.abort(new Error(`no answer within ${this.budget.answerMs / 1000} s`)), this.budget.answerMs);
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { "content-type": type } : {}) },
        body: payload,
        signal: unanswered.signal,
        ...(streamed ? { duplex: "half" } : {}),
      } as RequestInit);
    } finally {
      clearTimeout(timer);
    }
    if (response.ok) return response;
    const text = await response.text();
    const error = new RunnerRefused(response.status, `${method} ${path || "/"}: ${response.status} ${text.slice(0, 500)}`);
    throw error;
  }

  private async withRetries<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let delay = this.budget.firstDelayMs;
    for (let tries = 1; ; tries++) {
      try {
        return await fn();
      } catch (error) {
        const retryable = !(error instanceof RunnerRefused) || error.status === 429 || error.status >= 500;
        if (!retryable || Date.now() - started + delay > this.budget.totalMs) throw error;
        if (tries === 1 || tries % 10 === 0) this.say(`${what} failed (${error instanceof Error ? error.message : String(error)}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 2, this.budget.maxDelayMs);
      }
    }
  }
}

export class RunnerRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "RunnerRefused";
  }
}
