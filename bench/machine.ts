// What the benchmarks ran on, printed beside their figures: ratios measured
// on different machines differ, and these say why. A checker that allocates
// more than tsc pays for it where fresh memory is dear (some virtual
// machines fault each page in from the host at tens of times the usual cost).
import { availableParallelism, cpus, totalmem } from "node:os";

/** Microseconds to touch one fresh 4 KiB page (the median of three 64 MiB rounds). */
export function freshPageMicros(): number {
  const pages = 16_384;
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    // Zeroed by the allocator's mapping, not by writing: no page is touched before the loop.
    const memory = Buffer.alloc(pages * 4096);
    const start = process.hrtime.bigint();
    for (let at = 0; at < memory.length; at += 4096) memory[at] = 1;
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / pages);
  }
  return rounds.sort((a, b) => a - b)[1]!;
}

export function machineLine(): string {
  const model = cpus()[0]?.model.trim() || "unknown CPU";
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  return `machine: ${model}, ${availableParallelism()} cores, ${memory}, Node ${process.versions.node}; a fresh 4 KiB page costs ${freshPageMicros().toFixed(1)} µs to touch`;
}
