/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export const USAGE = `aloft — typed batch workflows in TypeScript

usage:
  aloft run [--json] [--skip-check] [--workers N] FILE ENTITY [--INPUT VALUE ...]
  aloft run FILE ENTITY --help          list the entity's inputs and their types
  aloft check [--json] [PATH ...]       TypeScript's and aloft's diagnostics; exit 1 on any error
  aloft graph FILE WORKFLOW [--format json|mermaid|dot] [--traced]
  aloft executions list [--json] [--limit N]
  aloft executions get ID [--json]
  aloft executions resume ID            finish an execution whose runner was killed
  aloft logs ID [NODE]
  aloft lsp [--stdio]                   the language server, on stdio (for editors)
  aloft runner start [--port N] [--host H] [--db sqlite:PATH|postgres://…]   the runner service (HTTP API under /api/v1/)

inputs: numbers, booleans and strings as typed; arrays and records as JSON;
File and Dir as local paths. State lives in .aloft/ of the workspace.
`;
