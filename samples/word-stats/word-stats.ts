/**
 * Word statistics over a folder of text files: a fan-out with `map` and a
 * cached task, then a reduce.
 *
 *   npm run aloft -- run samples/word-stats/word-stats.ts wordStats --docs samples/word-stats/docs
 *
 * `countWords` is cached on its input file's content: run it twice and the
 * second run counts nothing; edit one document and only that one is counted
 * again.
 */
import { map, task, workflow, type Dir, type File } from "aloft";

export type WordCount = { word: string; count: number };

export type DocumentStats = {
  document: string;
  words: number;
  /** Every word and how often it occurs, most frequent first. */
  counts: Record<string, number>;
};

export type CorpusStats = {
  documents: number;
  /** Documents whose count failed (only the tolerant workflow gets this far with any). */
  skipped: string[];
  words: number;
  distinctWords: number;
  topWords: WordCount[];
};

const TOP_WORDS = 10;

/** Words too common to say anything about a text. */
const STOP_WORDS = new Set(
  ("a about after all an and are as at be but by do every for from go has he his in is it its no not of on once one " +
    "or so that the their then there they this to until was when where which who with").split(" "),
);

/** The `.txt` files of `docs`, in name order. */
export const listDocuments = task({ cache: { version: "1" } }, async ({ docs }: { docs: Dir }): Promise<File[]> => {
  const documents = (await docs.files()).filter((file) => file.name.endsWith(".txt"));
  console.log(`listDocuments: ${documents.length} documents in ${docs.name}`);
  return documents;
});

/** Counts one document's words; a document without any is rejected. */
export const countWords = task(
  { retries: 2, cache: { version: "1" }, resources: { cpu: "250m", memory: "256Mi" } },
  async ({ doc }: { doc: File }): Promise<DocumentStats> => {
    const words = wordsOf(await doc.text());
    if (!words.length) throw new Error(`${doc.name} has no words`);
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    const ranked = rank(counts);
    console.log(`countWords ${doc.name}: ${words.length} words, most often: ${ranked.slice(0, 3).map((w) => w.word).join(", ")}`);
    return { document: doc.name, words: words.length, counts: Object.fromEntries(ranked.map((w) => [w.word, w.count])) };
  },
);

/** Merges per-document counts; a `null` stands for a document whose count failed. */
export const summarize = task(
  { cache: { version: "1" } },
  async ({ documents, stats }: { documents: File[]; stats: (DocumentStats | null)[] }): Promise<CorpusStats> => {
    const total = new Map<string, number>();
    const skipped: string[] = [];
    let words = 0;
    stats.forEach((doc, i) => {
      if (!doc) {
        skipped.push(documents[i]?.name ?? `document ${i + 1}`);
        return;
      }
      words += doc.words;
      for (const [word, count] of Object.entries(doc.counts)) total.set(word, (total.get(word) ?? 0) + count);
    });
    const summary = {
      documents: stats.length - skipped.length,
      skipped,
      words,
      distinctWords: total.size,
      topWords: rank(total).slice(0, TOP_WORDS),
    };
    console.log(`summarize: ${words} words in ${summary.documents} documents` + (skipped.length ? `, skipped ${skipped.join(", ")}` : ""));
    return summary;
  },
);

/** Every document must count: one that fails (after its retries) fails the run. */
export const wordStats = workflow(({ docs }: { docs: Dir }) => {
  const documents = listDocuments({ docs });
  const stats = map(countWords, { concurrency: 8 })({ doc: documents });
  return summarize({ documents, stats });
});

/**
 * Tolerates bad documents: up to a quarter of them may fail. Their results
 * are `null`, and the summary lists them as skipped.
 */
export const wordStatsTolerant = workflow(({ docs }: { docs: Dir }) => {
  const documents = listDocuments({ docs });
  const stats = map(countWords, { concurrency: 8, minSuccessRatio: 0.75 })({ doc: documents });
  return summarize({ documents, stats });
});

function wordsOf(text: string): string[] {
  const words = text.toLowerCase().match(/\p{L}[\p{L}\p{N}'’]*/gu) ?? [];
  return words.map((word) => word.replace(/['’]+$/, "")).filter((word) => !STOP_WORDS.has(word));
}

/** Most frequent first; ties in code-point order, so the result never depends on the locale. */
function rank(counts: Map<string, number>): WordCount[] {
  return [...counts]
    .map(([word, count]) => ({ word, count }))
    .sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
}
