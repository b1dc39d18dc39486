/**
 * One pod's log, delivered once and in order: followed through the log API
 * while the container runs (again, if the stream drops while it still runs),
 * then read whole once the pod has ended, to catch whatever the follow did
 * not get. Every read returns the log from its first byte, so each stream
 * skips the bytes already delivered and no text is repeated or lost.
 */
import { StringDecoder } from "node:string_decoder";
import { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { KubeApiError } from "./api-retry.ts";
import type { KubeApi } from "./kube-api.ts";

export interface PodLogTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * How long after a follow broke a new one is opened, if the container still
 * runs. A follow that ended cleanly most likely ended with the container, so
 * the next one waits longer: the pod's end is probably on its way.
 */
const REFOLLOW_AFTER_ERROR_MS = 500;
const REFOLLOW_AFTER_END_MS = 5000;
/** Follows opened for one pod at most; the read at the end gets the rest. */
const MAX_FOLLOWS = 20;
/** The whole read at the end gives up after this long. */
const FINAL_READ_LIMIT_MS = 60_000;

/** One request for the log; it can be aborted before the server has even answered. */
class LogRead {
  readonly ended: Promise<void>;
  /** The stream broke (or was refused) rather than ended. */
  failed = false;
  private endRead!: () => void;
  private controller: AbortController | undefined;
  private aborted = false;

  constructor() {
    this.ended = new Promise<void>((resolve) => (this.endRead = resolve));
  }

  end(): void {
    this.endRead();
  }

  attach(controller: AbortController): void {
    this.controller = controller;
    if (this.aborted) controller.abort();
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

export class PodLog {
  private delivered = 0;
  private readonly decoder = new StringDecoder("utf8");
  private follow: LogRead | undefined;
  private follows = 0;
  private wanted = false;
  private closed = false;

  constructor(
    private readonly api: KubeApi,
    private readonly target: PodLogTarget,
    private readonly onText: (text: string) => void,
    private readonly onError: (error: unknown) => void = () => {},
    /** Bytes of the log delivered before this reading (kept by the runner that started the pod): skipped. */
    alreadyDelivered = 0,
  ) {
    this.delivered = alreadyDelivered;
  }

  /** Follows the log from now on, until `finish` or `stop`; while a follow is open, does nothing. */
  startFollowing(): void {
    if (this.closed) return;
    this.wanted = true;
    if (!this.follow) this.openFollow();
  }

  /**
   * After the pod ended: waits up to `drainMs` for the follow to end by
   * itself, stops it, then reads the whole log and delivers what is new.
   */
  async finish(drainMs: number): Promise<void> {
    this.wanted = false;
    if (this.closed) return;
    if (this.follow) {
      await within(this.follow.ended, drainMs);
      this.follow?.abort();
    }
    const read = this.open(false);
    await within(read.ended, FINAL_READ_LIMIT_MS);
    read.abort();
    this.closed = true;
    const rest = this.decoder.end();
    if (rest) this.onText(rest);
  }

  /** Stops following and delivers nothing more. */
  stop(): void {
    this.wanted = false;
    this.closed = true;
    this.follow?.abort();
  }

  private openFollow(): void {
    if (this.follows >= MAX_FOLLOWS) return;
    this.follows++;
    const read = this.open(true);
    this.follow = read;
    void read.ended.then(async () => {
      if (this.follow === read) this.follow = undefined;
      if (!this.wanted) return;
      await delay(read.failed ? REFOLLOW_AFTER_ERROR_MS : REFOLLOW_AFTER_END_MS);
      if (this.wanted && !this.closed && !this.follow) this.openFollow();
    });
  }

  /** Opens one read of the log; its bytes are delivered past those already delivered. */
  private open(follow: boolean): LogRead {
    const read = new LogRead();
    let position = 0;
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        const skip = Math.max(0, this.delivered - position);
        position += chunk.length;
        if (!this.closed && skip < chunk.length) this.deliver(chunk.subarray(skip));
        callback();
      },
    });
    const end = () => read.end();
    sink.on("finish", end);
    sink.on("close", end);
    sink.on("error", end);
    // `Log` pipes the response into the sink, and a response that fails ends nothing there: listen to the response too.
    sink.on("pipe", (source) => {
      source.on("error", () => {
        read.failed = true;
        end();
      });
      source.on("close", end);
    });
    const { namespace, pod, container } = this.target;
    this.api.streamLog(namespace, pod, container, sink, follow).then(
      (controller) => read.attach(controller),
      (error: unknown) => {
        // A container that never started has no log (400): nothing to say. Other failures are reported, never fatal.
        if (follow || !(error instanceof KubeApiError && error.failure.status === 400)) this.onError(error);
        read.failed = true;
        read.end();
      },
    );
    return read;
  }

  private deliver(bytes: Buffer): void {
    this.delivered += bytes.length;
    const text = this.decoder.write(bytes);
    if (text) this.onText(text);
  }
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([promise, delay(ms, undefined, { signal: timer.signal }).catch(() => {})]);
  timer.abort();
}
