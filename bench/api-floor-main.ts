// The least `aloft check DIR` can take on TypeScript 7's API, as a process of
// its own started the way the CLI starts (check-vs-tsc.ts builds and runs it):
// the CLI's own start (tsgo started ahead, the session, V8's budget), the
// files opened through aloft's session, then TypeScript's errors of the whole
// program. No aloft analysis. `--trees` also fetches every file's syntax tree
// while tsgo finds the errors, as the check does.
//
//   node api-floor.mjs [--trees]   (in the workspace; prints the error count)
import { startTsgo } from "../compiler/tsgo-start.ts";
import { limitOptimizingCompiler, workflowFiles } from "../runner/cli/check-command.ts";

const files = workflowFiles(["."]);
const started = startTsgo(files, process.cwd());
limitOptimizingCompiler();
const { TypeScriptSession } = await import("../compiler/ts-api.ts");
const session = new TypeScriptSession({ started, overlays: false });
try {
  const opened = session.openAll(files);
  const pending = [...new Set(opened.map((file) => file.project))].map((project) => session.semanticDiagnosticsLater(project));
  if (process.argv.includes("--trees")) for (const file of opened) void file.sourceFile;
  const errors = pending.reduce((count, errorsOfProject) => count + errorsOfProject.collect().length, 0);
  console.log(errors);
} finally {
  session.close();
}
