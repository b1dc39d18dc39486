// A container's log: stdout and stderr interleaved as they came, each piece
// stamped with when it arrived so that `timestamps`, `sinceSeconds` and
// `tailLines` can be answered, and followers fed as the process writes.
import { StringDecoder } from "node:string_decoder";

interface Piece {
  at: Date;
  text: string;
  /** Whether this piece begins a line (where a timestamp prefix goes). */
  startsLine: boolean;
}

export interface LogView {
  timestamps: boolean;
  tailLines?: number;
  sinceTime?: Date;
  limitBytes?: number;
}

export type OutputStream = "stdout" | "stderr";

export class ContainerLog {
  private readonly pieces: Piece[] = [];
  // Each stream has its own partial character and partial line.
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly atLineStart = { stdout: true, stderr: true };
  private finished = false;
  private readonly followers = new Set<{ onPiece: (piece: Piece) => void; onEnd: () => void }>();

  get ended(): boolean {
    return this.finished;
  }

  append(stream: OutputStream, chunk: Buffer): void {
    if (this.finished) return;
    this.add(stream, this.decoders[stream].write(chunk));
  }

  private add(stream: OutputStream, text: string): void {
    if (text === "") return;
    const at = new Date();
    // One piece per line, so a timestamp can be put at the start of each.
    for (const part of text.split(/(?<=\n)/)) {
      const piece = { at, text: part, startsLine: this.atLineStart[stream] };
      this.atLineStart[stream] = part.endsWith("\n");
      this.pieces.push(piece);
      for (const follower of [...this.followers]) follower.onPiece(piece);
    }
  }

  end(): void {
    if (this.finished) return;
    this.add("stdout", this.decoders.stdout.end());
    this.add("stderr", this.decoders.stderr.end());
    this.finished = true;
    for (const follower of [...this.followers]) follower.onEnd();
    this.followers.clear();
  }

  /** The log as it stands, shaped by the request's options. */
  read(view: LogView): string {
    let pieces = this.pieces;
    if (view.sinceTime) pieces = pieces.filter((piece) => piece.at >= view.sinceTime!);
    if (view.tailLines !== undefined) pieces = lastLines(pieces, view.tailLines);
    return pieces.map((piece) => render(piece, view.timestamps)).join("");
  }

  /** Calls `onText` with every later piece of output, then `onEnd` when the container stops. */
  follow(view: LogView, onText: (text: string) => void, onEnd: () => void): () => void {
    if (this.finished) {
      onEnd();
      return () => {};
    }
    const follower = { onPiece: (piece: Piece) => onText(render(piece, view.timestamps)), onEnd };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }
}

function render(piece: Piece, timestamps: boolean): string {
  return timestamps && piece.startsLine ? `${rfc3339Nano(piece.at)} ${piece.text}` : piece.text;
}

function rfc3339Nano(at: Date): string {
  return at.toISOString().replace(/Z$/, "000000Z");
}

function lastLines(pieces: Piece[], count: number): Piece[] {
  if (count <= 0) return [];
  let lines = 0;
  for (let i = pieces.length - 1; i >= 0; i -= 1) {
    if (pieces[i]!.startsLine) {
      lines += 1;
      if (lines === count) return pieces.slice(i);
    }
  }
  return pieces;
}
