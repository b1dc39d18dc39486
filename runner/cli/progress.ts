/**
 * Live progress of a run. On a terminal, a block of node states redrawn in
 * place under the streaming logs; elsewhere (CI, pipes), one plain line per
 * transition, so logs of a run read top to bottom.
 */
import type { ExecutionEvent } from "../engine/events.ts";
import type { NodeRecord } from "../store/state-store.ts";
import { cyan, dim, formatDuration, green, red, yellow } from "./format.ts";

interface MapProgress {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

export class ProgressView {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly maps = new Map<string, MapProgress>();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly reportedMapQuarter = new Map<string, number>();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly live: boolean = Boolean(out.isTTY),
  ) {
    if (this.live) this.timer = setInterval(() => this.redraw(), 200).unref();
  }

  readonly listener = (event: ExecutionEvent): void => {
    switch (event.type) {
      case "node":
        this.onNode(event.node);
        break;
      case "map-progress":
        this.onMap(event.nodeId, event);
        break;
      case "log":
        this.print(event.text.replace(/\n$/, "").split("\n").map((line) => `${dim(`[${event.nodeId}]`)} ${line}`).join("\n"));
        break;
      case "execution":
        break;
    }
  };

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.redraw();
    this.drawnLines = 0; // leave the final block on screen
  }

  private onNode(node: NodeRecord): void {
    const previous = this.nodes.get(node.id);
    this.nodes.set(node.id, node);
    if (this.live) return;
    if (previous?.status === node.status && previous.attempts === node.attempts) return;
    const line = describeNode(node);
    if (line) this.out.write(`${line}\n`);
  }

  private onMap(nodeId: string, progress: MapProgress): void {
    this.maps.set(nodeId, progress);
    if (this.live) return;
    const done = progress.succeeded + progress.failed;
    const quarter = progress.total ? Math.floor((done / progress.total) * 4) : 4;
    if ((this.reportedMapQuarter.get(nodeId) ?? -1) >= quarter) return;
    this.reportedMapQuarter.set(nodeId, quarter);
    this.out.write(`  ${cyan("map")} ${nodeId}: ${done}/${progress.total} items done${progress.failed ? red(`, ${progress.failed} failed`) : ""}\n`);
  }

  /** Prints `text` above the live block. */
  private print(text: string): void {
    if (!this.live) {
      this.out.write(`${text}\n`);
      return;
    }
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  private redraw(): void {
    if (!this.live) return;
    this.clear();
    this.draw();
  }

  private clear(): void {
    if (this.drawnLines) this.out.write(`\u001b[${this.drawnLines}A\u001b[0J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const lines: string[] = [];
    for (const node of this.nodes.values()) {
      const depth = node.id.split("/").length - 1;
      const map = this.maps.get(node.id);
      const suffix = map ? ` ${bar(map)}` : "";
      lines.push(`${"  ".repeat(depth + 1)}${describeNode(node, true) ?? ""}${suffix}`);
    }
    const rows = this.out.rows ? Math.max(3, this.out.rows - 2) : lines.length;
    const shown = lines.length > rows ? [...lines.slice(0, rows - 1), dim(`  … ${lines.length - rows + 1} more nodes`)] : lines;
    if (shown.length) this.out.write(`${shown.join("\n")}\n`);
    this.drawnLines = shown.length;
  }
}

const ICONS: Record<NodeRecord["status"], string> = {
  pending: dim("·"),
  running: cyan("▸"),
  succeeded: green("✓"),
  failed: red("✗"),
  skipped: dim("-"),
};

function describeNode(node: NodeRecord, live = false): string | undefined {
  const elapsed = node.startedAt ? formatDuration((node.endedAt ?? Date.now()) - node.startedAt) : "";
  const label = `${ICONS[node.status]} ${node.id}`;
  switch (node.status) {
    case "pending":
      if (node.error) return `${yellow("↻")} ${node.id} ${yellow(`retrying after attempt ${node.attempts} failed: ${node.error.message}`)}`;
      return live ? label : undefined;
    case "running":
      return `${label} ${dim(node.attempts > 1 ? `running (attempt ${node.attempts}) ${elapsed}` : `running ${elapsed}`)}`;
    case "succeeded":
      return `${label} ${dim(node.cached ? "cached" : elapsed)}`;
    case "failed":
      return `${label} ${red(node.error?.message.split("\n")[0] ?? "failed")}`;
    case "skipped":
      return live ? `${label} ${dim("skipped")}` : undefined;
  }
}

function bar(map: MapProgress): string {
  const width = 20;
  const done = map.total ? (map.succeeded + map.failed) / map.total : 1;
  const filled = Math.round(done * width);
  const failed = map.failed ? red(` ${map.failed} failed`) : "";
  return `${"█".repeat(filled)}${dim("░".repeat(width - filled))} ${map.succeeded + map.failed}/${map.total}${failed}`;
}
