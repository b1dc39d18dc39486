/**
 * A synchronous connection to `tsgo --api --async`, the transport under
 * `TypeScriptSession` (see ts-api.ts).
 *
 * tsgo's own synchronous transport answers one request at a time, inline. Its
 * asynchronous one (JSON-RPC over stdio) handles every request on its own
 * goroutine: a long request, like the type errors of a whole program, runs on
 * TypeScript's diagnostics checker while other questions are answered by its
 * query checker, on another core, over the same loaded program. This class
 * keeps the synchronous calling style the compiler is written in (`request`),
 * and adds `send`/`receive`: a request sent now whose answer is collected later.
 *
 * Requests tsgo makes of us (its file-system callbacks) are answered whenever
 * we are reading, including while waiting for an unrelated answer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync, writeSync } from "node:fs";

/** A request tsgo may make of us: its parameters in, a JSON value out (`null`: no answer, use the disk). */
export type TsgoCallback = (params: unknown) => unknown;

/** A request sent with `send`, whose answer `receive` collects. */
export interface SentRequest {
  readonly id: number;
  readonly method: string;
}

interface Message {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** Pipes in non-blocking mode (a parent's IPC channel can leave them so) answer EAGAIN: wait a moment and retry. */
const pause = new Int32Array(new SharedArrayBuffer(4));
const HEADER_END = Buffer.from("\r\n\r\n", "ascii");
const CONTENT_LENGTH = /content-length:\s*(\d+)/i;
/**
 * How tsgo writes an answer that is binary data (a syntax tree), base64 in
 * JSON: `{"jsonrpc":"2.0","id":N,"result":{"data":"…"}}`. Base64 needs no
 * escaping, so such an answer is read without parsing its JSON.
 */
const BINARY_ANSWER_START = Buffer.from('{"jsonrpc":"2.0","id":', "ascii");
const BINARY_ANSWER_DATA = Buffer.from(',"result":{"data":"', "ascii");
const BINARY_ANSWER_END = Buffer.from('"}}', "ascii");
/** Answers shorter than this are parsed as they are: the shortcut pays off on syntax trees. */
const BINARY_ANSWER_MIN_LENGTH = 4096;

/** Named pipes made so far (Windows), for unique names. */
let pipes = 0;

/** Every live tsgo, ended when this process exits so none outlives it. */
const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

interface PipeHandle {
  _handle?: { fd?: number; reading?: boolean; setBlocking?(blocking: boolean): void; readStop?(): number };
  pause?(): void;
  unref?(): void;
}

export class TsgoConnection {
  readonly #child: ChildProcess;
  readonly #readFd: number;
  readonly #writeFd: number;
  /** On Windows, the named pipe both are. */
  #pipeFd: number | undefined;
  readonly #callbacks: ReadonlyMap<string, TsgoCallback>;
  #buffer = Buffer.allocUnsafe(1 << 16);
  #start = 0;
  #end = 0;
  #nextId = 1;
  /** Requests sent and not yet received; answers that came while reading for another are kept here. */
  readonly #awaited = new Map<number, Message | undefined>();
  #closed = false;

  /** `env`: tsgo's environment (this process's unless given). */
  constructor(executable: string, args: readonly string[], callbacks: ReadonlyMap<string, TsgoCallback>, env: NodeJS.ProcessEnv = process.env) {
    this.#callbacks = callbacks;
    const callbackArgs = callbacks.size ? [`--callbacks=${[...callbacks.keys()].join(",")}`] : [];
    const tsgoArgs = ["--api", "--async", ...args, ...callbackArgs];
    if (process.platform === "win32") {
      // Windows pipes of a child have no file descriptors: tsgo listens on a named pipe instead.
      const pipe = `\\\\.\\pipe\\aloft-tsgo-${process.pid}-${++pipes}`;
      this.#child = spawn(executable, [...tsgoArgs, "--pipe", pipe], { stdio: ["ignore", "ignore", "inherit"], env });
      this.#readFd = this.#writeFd = this.#openPipe(pipe);
      this.#pipeFd = this.#readFd;
      this.#child.unref();
      live.add(this.#child);
      return;
    }
    this.#child = spawn(executable, tsgoArgs, { stdio: ["pipe", "pipe", "inherit"], env });
    const output = this.#child.stdout as unknown as PipeHandle;
    const input = this.#child.stdin as unknown as PipeHandle;
    const readFd = output._handle?.fd;
    const writeFd = input._handle?.fd;
    if (typeof readFd !== "number" || readFd < 0 || typeof writeFd !== "number" || writeFd < 0) {
      this.#child.kill("SIGKILL");
      throw new Error("cannot reach tsgo's standard input and output as file descriptors");
    }
    this.#readFd = readFd;
    this.#writeFd = writeFd;
    // Read and written with readSync/writeSync only: Node's streams must not consume them.
    output._handle?.setBlocking?.(true);
    input._handle?.setBlocking?.(true);
    output.pause?.();
    // Node's stream started reading as it was made: whenever the event loop
    // ran (a caller awaiting between requests), it would take tsgo's answers
    // from under readSync.
    if (output._handle) output._handle.reading = false;
    output._handle?.readStop?.();
    output.unref?.();
    input.unref?.();
    this.#child.unref();
    live.add(this.#child);
  }

  /** Sends a request and waits for its answer. */
  request(method: string, params: unknown): unknown {
    return this.receive(this.send(method, params));
  }

  /** Sends a request without waiting: tsgo starts on it at once, beside whatever else it is doing. */
  send(method: string, params: unknown): SentRequest {
    return this.sendAll(method, [params])[0]!;
  }

  /** `send` of several requests of one method, written to tsgo at once. */
  sendAll(method: string, paramsList: readonly unknown[]): SentRequest[] {
    this.#ensureOpen();
    const sent: SentRequest[] = [];
    const messages: Buffer[] = [];
    for (const params of paramsList) {
      const id = this.#nextId++;
      this.#awaited.set(id, undefined);
      messages.push(encode({ jsonrpc: "2.0", id, method, params }));
      sent.push({ id, method });
    }
    this.#writeBytes(messages.length === 1 ? messages[0]! : Buffer.concat(messages));
    return sent;
  }

  /** Waits for the answer to a sent request. Throws tsgo's error message when it failed. */
  receive(sent: SentRequest): unknown {
    if (!this.#awaited.has(sent.id)) throw new Error(`no answer is awaited for request ${sent.id} (${sent.method})`);
    for (;;) {
      const answer = this.#awaited.get(sent.id);
      if (answer) {
        this.#awaited.delete(sent.id);
        if (answer.error) throw new Error(`tsgo ${sent.method}: ${answer.error.message}`);
        return answer.result ?? undefined;
      }
      this.#handle(this.#read());
    }
  }

  /** The answer to `sent` is not wanted any more: it is dropped when it comes. */
  abandon(sent: SentRequest): void {
    this.#awaited.delete(sent.id);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    live.delete(this.#child);
    if (this.#pipeFd !== undefined) closeSync(this.#pipeFd);
    this.#child.kill("SIGKILL");
    (this.#child.stdout as unknown as { destroy?(): void } | null)?.destroy?.();
    (this.#child.stdin as unknown as { destroy?(): void } | null)?.destroy?.();
  }

  /** Opens the named pipe tsgo creates, once it has (waiting up to 5 s). */
  #openPipe(pipe: string): number {
    for (let attempt = 0; attempt < 500; attempt++) {
      try {
        return openSync(pipe, "r+");
      } catch {
        if (this.#child.exitCode !== null) throw new Error(`tsgo exited with code ${this.#child.exitCode} before opening ${pipe}`);
        Atomics.wait(pause, 0, 0, 10);
      }
    }
    this.#child.kill("SIGKILL");
    throw new Error(`tsgo did not open ${pipe} within 5 s`);
  }

  #ensureOpen(): void {
    if (this.#closed) throw new Error("the connection to tsgo is closed");
  }

  #handle(message: Message): void {
    if (message.method !== undefined) {
      if (message.id !== undefined) this.#answerCallback(message);
      return; // a notification: nothing asks for them
    }
    if (typeof message.id === "number" && this.#awaited.has(message.id)) this.#awaited.set(message.id, message);
  }

  #answerCallback(message: Message): void {
    const callback = this.#callbacks.get(message.method!);
    try {
      if (!callback) throw new Error(`no callback named ${message.method}`);
      this.#write({ jsonrpc: "2.0", id: message.id, result: callback(message.params) ?? null });
    } catch (error) {
      this.#write({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: error instanceof Error ? error.message : String(error) } });
    }
  }

  #write(message: object): void {
    this.#writeBytes(encode(message));
  }

  #writeBytes(data: Buffer): void {
    for (let written = 0; written < data.length; ) {
      try {
        written += writeSync(this.#writeFd, data, written, data.length - written);
      } catch (error) {
        if (!wouldBlock(error)) throw error;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }

  /** The next whole message tsgo wrote. */
  #read(): Message {
    for (;;) {
      // Only the bytes read so far: past them the buffer holds old messages.
      const headerEnd = this.#buffer.subarray(0, this.#end).indexOf(HEADER_END, this.#start);
      if (headerEnd >= 0) {
        const header = this.#buffer.toString("ascii", this.#start, headerEnd);
        const match = CONTENT_LENGTH.exec(header);
        if (!match) throw new Error(`tsgo sent a message without Content-Length: ${JSON.stringify(header)}`);
        const bodyStart = headerEnd + HEADER_END.length;
        const bodyEnd = bodyStart + Number(match[1]);
        if (bodyEnd <= this.#end) {
          this.#start = bodyEnd;
          return this.#binaryAnswer(bodyStart, bodyEnd) ?? (JSON.parse(this.#buffer.toString("utf8", bodyStart, bodyEnd)) as Message);
        }
        this.#makeRoom(bodyEnd - this.#start);
      } else {
        this.#makeRoom(0);
      }
      this.#fill();
    }
  }

  /** The message in the buffer's bytes `start` to `end`, when it is a binary answer (see BINARY_ANSWER_START). */
  #binaryAnswer(start: number, end: number): Message | undefined {
    const buffer = this.#buffer;
    if (end - start < BINARY_ANSWER_MIN_LENGTH || !buffer.subarray(start, start + BINARY_ANSWER_START.length).equals(BINARY_ANSWER_START)) return undefined;
    let at = start + BINARY_ANSWER_START.length;
    let id = 0;
    for (; at < end && buffer[at]! >= 0x30 && buffer[at]! <= 0x39; at++) id = id * 10 + buffer[at]! - 0x30;
    const dataStart = at + BINARY_ANSWER_DATA.length;
    const dataEnd = end - BINARY_ANSWER_END.length;
    if (at === start + BINARY_ANSWER_START.length || !buffer.subarray(at, dataStart).equals(BINARY_ANSWER_DATA) || !buffer.subarray(dataEnd, end).equals(BINARY_ANSWER_END)) return undefined;
    // Base64 has no quote nor backslash: the data ends where the message says.
    if (buffer.indexOf(0x22, dataStart) !== dataEnd || buffer.subarray(dataStart, dataEnd).includes(0x5c)) return undefined;
    return { id, result: { data: buffer.toString("latin1", dataStart, dataEnd) } };
  }

  /** Moves the unread bytes to the front, in a buffer that can hold `needed` bytes and more. */
  #makeRoom(needed: number): void {
    const unread = this.#end - this.#start;
    if (this.#start === 0 && this.#buffer.length > Math.max(needed, unread)) return;
    const target = this.#buffer.length > Math.max(needed, unread) * 2 ? this.#buffer : Buffer.allocUnsafe(Math.max(needed, unread) * 2 + (1 << 16));
    this.#buffer.copy(target, 0, this.#start, this.#end);
    this.#buffer = target;
    this.#start = 0;
    this.#end = unread;
  }

  #fill(): void {
    for (;;) {
      try {
        const count = readSync(this.#readFd, this.#buffer, this.#end, this.#buffer.length - this.#end, null);
        if (count === 0) throw this.#endedError();
        this.#end += count;
        return;
      } catch (error) {
        if (!wouldBlock(error)) throw error;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }

  #endedError(): Error {
    const { exitCode, signalCode } = this.#child;
    const how = signalCode ? `was killed by ${signalCode}` : exitCode !== null ? `exited with code ${exitCode}` : "closed its output";
    return new Error(`tsgo ${how}`);
  }
}

/** A message as the protocol frames it: a Content-Length header, then its JSON. */
function encode(message: object): Buffer {
  const body = JSON.stringify(message);
  const length = Buffer.byteLength(body, "utf8");
  const header = `Content-Length: ${length}\r\n\r\n`;
  const data = Buffer.allocUnsafe(header.length + length);
  data.write(header, 0, "ascii");
  data.write(body, header.length, "utf8");
  return data;
}

function wouldBlock(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === "EAGAIN" || code === "EWOULDBLOCK";
}
