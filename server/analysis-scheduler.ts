/**
 * When open documents are checked, and which results are published.
 *
 * A check is synchronous (it holds the TypeScript session) and blocks the
 * server while it runs, so an edit waits a pause before its document is
 * checked: as long as the last check took, within bounds. A burst of edits
 * costs one check. After the edited document, every open document whose last
 * check read its file is checked again, since its diagnostics may have
 * changed. A result is published only while its version is still the
 * document's: one computed for text that has since been edited is dropped, so
 * a document always ends with the diagnostics of its latest text and nothing
 * older is ever published after them.
 */

export interface Checked {
  version: number;
}

export interface SchedulerHooks<A extends Checked> {
  /** URIs of the open documents. */
  openDocuments(): string[];
  /** The version of an open document; undefined once it is closed. */
  currentVersion(uri: string): number | undefined;
  /** Checks the current text of `uri`. Must not throw. */
  analyze(uri: string): A;
  /** True when `analysis` (of another document) read the file of `uri`, so an edit of `uri` may change it. */
  reads(analysis: A, uri: string): boolean;
  publish(uri: string, analysis: A): void;
}

export interface Delays {
  /** The shortest pause after an edit before a check. */
  minMs: number;
  /** The longest, however slow the last check was. */
  maxMs: number;
}

/**
 * Edits that arrive while a check runs are queued and start the next one, so
 * the pause only needs to gather a burst of keystrokes; a long pause would
 * add its length to every result.
 */
export const DEFAULT_DELAYS: Delays = { minMs: 30, maxMs: 150 };

export class AnalysisScheduler<A extends Checked> {
  /** Documents due for a check, the next first. */
  readonly #queue: string[] = [];
  readonly #latest = new Map<string, A>();
  readonly #waiters = new Map<string, ((analysis: A | undefined) => void)[]>();
  #timer: NodeJS.Timeout | undefined;
  #draining = false;
  #stopped = false;
  #lastCheckMs = 0;

  constructor(
    private readonly hooks: SchedulerHooks<A>,
    private readonly delays: Delays = DEFAULT_DELAYS,
  ) {}

  /** How long the next check waits after an edit: a check holds the server as long as the last one took. */
  get delayMs(): number {
    return Math.min(Math.max(this.#lastCheckMs, this.delays.minMs), this.delays.maxMs);
  }

  /** A document was opened: it is checked after the pause. */
  opened(uri: string): void {
    this.#putFirst(uri);
    this.#arm();
  }

  /** A document was edited: it is checked after the pause, then the open documents that read it. */
  changed(uri: string): void {
    this.#putFirst(uri);
    for (const other of this.hooks.openDocuments()) {
      if (other === uri || this.#queue.includes(other)) continue;
      const latest = this.#latest.get(other);
      if (!latest || this.hooks.reads(latest, uri)) this.#queue.push(other);
    }
    this.#arm();
  }

  /** Files changed on disk: every open document is checked again. */
  changedOnDisk(): void {
    for (const uri of this.hooks.openDocuments()) if (!this.#queue.includes(uri)) this.#queue.push(uri);
    this.#arm();
  }

  closed(uri: string): void {
    this.#remove(uri);
    this.#latest.delete(uri);
    this.#settle(uri, undefined);
  }

  /**
   * The analysis of the current version of `uri`, once its scheduled check
   * has run; undefined when the document is not open (or closes meanwhile).
   */
  analysisOf(uri: string): Promise<A | undefined> {
    const version = this.hooks.currentVersion(uri);
    if (version === undefined || this.#stopped) return Promise.resolve(undefined);
    const latest = this.#latest.get(uri);
    if (latest?.version === version) return Promise.resolve(latest);
    if (!this.#queue.includes(uri)) this.#queue.unshift(uri);
    if (!this.#timer && !this.#draining) this.#arm();
    return new Promise((resolve) => {
      const waiting = this.#waiters.get(uri) ?? [];
      waiting.push(resolve);
      this.#waiters.set(uri, waiting);
    });
  }

  /** The last published analysis of `uri`, current or not. */
  latest(uri: string): A | undefined {
    return this.#latest.get(uri);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const uri of [...this.#waiters.keys()]) this.#settle(uri, undefined);
  }

  #putFirst(uri: string): void {
    this.#remove(uri);
    this.#queue.unshift(uri);
  }

  #remove(uri: string): void {
    const at = this.#queue.indexOf(uri);
    if (at >= 0) this.#queue.splice(at, 1);
  }

  #arm(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain();
    }, this.delayMs);
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      // A new edit arms the timer again: the loop then stops and the timer restarts it after the pause.
      while (!this.#stopped && this.#timer === undefined) {
        const uri = this.#queue.shift();
        if (uri === undefined) break;
        if (this.hooks.currentVersion(uri) === undefined) continue;
        const started = performance.now();
        const analysis = this.hooks.analyze(uri);
        this.#lastCheckMs = performance.now() - started;
        // Messages that arrived while the check held the thread are handled
        // first: one of them may edit this very document.
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (this.#stopped) break;
        // Edited meanwhile: the edit queued the document again.
        if (this.hooks.currentVersion(uri) !== analysis.version) continue;
        this.#latest.set(uri, analysis);
        this.hooks.publish(uri, analysis);
        this.#settle(uri, analysis);
      }
    } finally {
      this.#draining = false;
    }
  }

  #settle(uri: string, analysis: A | undefined): void {
    const waiting = this.#waiters.get(uri);
    if (!waiting) return;
    this.#waiters.delete(uri);
    for (const resolve of waiting) resolve(analysis);
  }
}
