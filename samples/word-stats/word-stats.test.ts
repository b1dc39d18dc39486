// Called directly, `map` runs its task over the items in this process, with
// the same concurrency and minSuccessRatio rules as in a run.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Dir, File } from "aloft";
import { countWords, wordStats, wordStatsTolerant } from "./word-stats.ts";

const shipped = join(import.meta.dirname, "docs");

describe("word-stats sample", () => {
  it("counts words case-insensitively, without stop words, most frequent first", async () => {
    const doc = await File.write("apples.txt", "The apples, the Apples! Pears and apples' cores.\n");
    const stats = await countWords({ doc });
    assert.deepEqual(stats, { document: "apples.txt", words: 5, counts: { apples: 3, cores: 1, pears: 1 } });
  });

  it("rejects a document without words, naming it", async () => {
    const doc = await File.write("blank.txt", "  \n\n");
    await assert.rejects(countWords({ doc }), /blank\.txt has no words/);
  });

  it("summarizes the shipped documents, the same way every time", async () => {
    const summary = await wordStats({ docs: Dir.from(shipped) });
    assert.equal(summary.documents, 8);
    assert.deepEqual(summary.skipped, []);
    assert.ok(summary.words > 300 && summary.distinctWords > 200, JSON.stringify(summary));
    assert.equal(summary.topWords.length, 10);
    const counts = summary.topWords.map((w) => w.count);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.deepEqual(await wordStats({ docs: Dir.from(shipped) }), summary);
  });

  it("fails the strict workflow on a blank document", async () => {
    const docs = withBlank(1);
    await assert.rejects(wordStats({ docs }), /blank-1\.txt has no words/);
  });

  it("skips a blank document in the tolerant workflow", async () => {
    const summary = await wordStatsTolerant({ docs: withBlank(1) });
    assert.equal(summary.documents, 8);
    assert.deepEqual(summary.skipped, ["blank-1.txt"]);
    assert.deepEqual(summary.topWords, (await wordStats({ docs: Dir.from(shipped) })).topWords);
  });

  it("fails the tolerant workflow when too many documents fail", async () => {
    await assert.rejects(wordStatsTolerant({ docs: withBlank(4) }), /minSuccessRatio/);
  });
});

/** The shipped documents plus `count` blank ones, in a fresh folder. */
function withBlank(count: number): Dir {
  const dir = mkdtempSync(join(tmpdir(), "word-stats-"));
  cpSync(shipped, dir, { recursive: true });
  for (let i = 1; i <= count; i++) writeFileSync(join(dir, `blank-${i}.txt`), "\n");
  return Dir.from(dir);
}
