import assert from "node:assert/strict";
import { it } from "node:test";
import { AnalysisScheduler, type SchedulerHooks } from "./analysis-scheduler.ts";

interface FakeAnalysis {
  uri: string;
  version: number;
}

/** Open documents with versions, a log of checks and publications, and who reads whom. */
function setup(options: { reads?: Record<string, string[]>; onAnalyze?: (uri: string, version: number) => void; checkMs?: number } = {}) {
  const versions = new Map<string, number>();
  const analyzed: string[] = [];
  const published: string[] = [];
  const hooks: SchedulerHooks<FakeAnalysis> = {
    openDocuments: () => [...versions.keys()],
    currentVersion: (uri) => versions.get(uri),
    analyze: (uri) => {
      const version = versions.get(uri)!;
      analyzed.push(`${uri}@${version}`);
      const until = performance.now() + (options.checkMs ?? 0);
      while (performance.now() < until); // a check holds the thread, as the real one does
      options.onAnalyze?.(uri, version);
      return { uri, version };
    },
    reads: (analysis, uri) => options.reads?.[analysis.uri]?.includes(uri) ?? false,
    publish: (uri, analysis) => published.push(`${uri}@${analysis.version}`),
  };
  const scheduler = new AnalysisScheduler(hooks, { minMs: 5, maxMs: 40 });
  const open = (uri: string) => {
    versions.set(uri, 1);
    scheduler.opened(uri);
  };
  const edit = (uri: string) => {
    versions.set(uri, versions.get(uri)! + 1);
    scheduler.changed(uri);
  };
  const close = (uri: string) => {
    versions.delete(uri);
    scheduler.closed(uri);
  };
  return { scheduler, versions, analyzed, published, open, edit, close };
}

const settle = (ms = 120) => new Promise((resolve) => setTimeout(resolve, ms));

it("checks a burst of edits once, with the last text", async () => {
  const { open, edit, analyzed, published } = setup();
  open("a");
  for (let i = 0; i < 10; i++) edit("a");
  await settle();
  assert.deepEqual(analyzed, ["a@11"]);
  assert.deepEqual(published, ["a@11"]);
});

it("drops a result whose document was edited while it was checked, and checks the new text", async () => {
  let editDuringCheck: (() => void) | undefined;
  const { scheduler, open, edit, analyzed, published } = setup({
    onAnalyze: (_uri, version) => {
      if (version === 1) editDuringCheck?.();
    },
  });
  // The edit is a message that came in while the check held the thread: handled right after it.
  editDuringCheck = () => setImmediate(() => edit("a"));
  open("a");
  await settle();
  assert.deepEqual(analyzed, ["a@1", "a@2"]);
  assert.deepEqual(published, ["a@2"]);
  assert.equal(scheduler.latest("a")?.version, 2);
});

it("after an edit, checks again the open documents that read the edited one, after it", async () => {
  const { open, edit, analyzed, published } = setup({ reads: { workflow: ["tasks"], other: [] } });
  open("tasks");
  open("workflow");
  open("other");
  await settle();
  analyzed.length = 0;
  published.length = 0;
  edit("tasks");
  await settle();
  assert.deepEqual(analyzed, ["tasks@2", "workflow@1"]);
  assert.deepEqual(published, ["tasks@2", "workflow@1"]);
});

it("answers a request with the analysis of the current version, once it is checked", async () => {
  const { scheduler, open, edit } = setup();
  open("a");
  edit("a");
  const analysis = await scheduler.analysisOf("a");
  assert.deepEqual(analysis, { uri: "a", version: 2 });
  assert.equal(await scheduler.analysisOf("a"), analysis, "a current analysis is answered as it is");
  assert.equal(await scheduler.analysisOf("never-opened"), undefined);
});

it("forgets a document that closes before its check, and answers its waiters with nothing", async () => {
  const { scheduler, open, close, analyzed, published } = setup();
  open("a");
  const waiting = scheduler.analysisOf("a");
  close("a");
  assert.equal(await waiting, undefined);
  await settle();
  assert.deepEqual(analyzed, []);
  assert.deepEqual(published, []);
});

it("waits after an edit as long as the last check took, within bounds", async () => {
  const slow = setup({ checkMs: 25 });
  assert.equal(slow.scheduler.delayMs, 5);
  slow.open("a");
  await settle();
  assert.ok(slow.scheduler.delayMs >= 25 && slow.scheduler.delayMs <= 40, String(slow.scheduler.delayMs));
  const slower = setup({ checkMs: 60 });
  slower.open("a");
  await settle();
  assert.equal(slower.scheduler.delayMs, 40);
});

it("stops: no check runs after it, and waiters are answered", async () => {
  const { scheduler, open, analyzed } = setup();
  open("a");
  const waiting = scheduler.analysisOf("a");
  scheduler.stop();
  assert.equal(await waiting, undefined);
  await settle();
  assert.deepEqual(analyzed, []);
});
