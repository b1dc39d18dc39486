/**
 * Log chunks as terminal text: each line prefixed with its node's id (one
 * colour per node, stderr marked), chunks cut mid-line held until the line
 * ends, and `\r\n` endings as a terminal wants. The task's own ANSI colours
 * pass through unchanged.
 */
const RESET = "\u001b[0m";
const DIM = "\u001b[2m";
const RED = "\u001b[31m";
const NODE_COLOURS = ["\u001b[36m", "\u001b[35m", "\u001b[33m", "\u001b[34m", "\u001b[32m", "\u001b[96m", "\u001b[95m", "\u001b[93m"];

export class LogLines {
  private readonly partial = new Map<string, string>();
  private readonly colours = new Map<string, string>();

  /** Terminal text for the complete lines `text` ends; what is left of an unfinished line waits for the next chunk of that node and stream. */
  push(nodeId: string, stream: "stdout" | "stderr", text: string): string {
    const key = `${nodeId}\u0000${stream}`;
    const lines = ((this.partial.get(key) ?? "") + text).split(/\r?\n/);
    const rest = lines.pop()!;
    if (rest) this.partial.set(key, rest);
    else this.partial.delete(key);
    return lines.map((line) => this.line(nodeId, stream, line)).join("");
  }

  /** Unfinished lines, written as they are (the execution ended). */
  flush(): string {
    const text = [...this.partial].map(([key, line]) => {
      const [nodeId, stream] = key.split("\u0000") as [string, "stdout" | "stderr"];
      return this.line(nodeId, stream, line);
    });
    this.partial.clear();
    return text.join("");
  }

  private line(nodeId: string, stream: "stdout" | "stderr", text: string): string {
    let colour = this.colours.get(nodeId);
    if (!colour) {
      colour = NODE_COLOURS[this.colours.size % NODE_COLOURS.length]!;
      this.colours.set(nodeId, colour);
    }
    const bar = stream === "stderr" ? `${RED}┃${RESET}` : `${DIM}│${RESET}`;
    return `${RESET}${colour}${nodeId}${RESET} ${bar} ${text}${RESET}\r\n`;
  }
}

/** A line of the terminal's own (a status, an ending), set apart from the logs. */
export function noticeLine(text: string): string {
  return `${RESET}${DIM}── ${text}${RESET}\r\n`;
}
