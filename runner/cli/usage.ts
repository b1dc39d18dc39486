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
  aloft run [--json] [--skip-check] [--workers N] [--domain D] [--debug NODE] FILE ENTITY [--INPUT VALUE ...]
                                        --debug: NODE (a node id, or a task's name) waits for a debugger
  aloft run --remote [--runner URL] [--token T] [--project P] [--domain D] [--detach] FILE ENTITY [--INPUT VALUE ...]
                                        the same run on a runner service (local processes or Kubernetes)
  aloft run FILE ENTITY --help          list the entity's inputs and their types
  aloft check [--json] [--pretty|--no-pretty] [--fix] [PATH ...]
                                        TypeScript's and aloft's diagnostics (with source lines on a terminal); exit 1 on any error
                                        --fix: write the sure fixes (a misspelt input or option renamed), then check again
  aloft graph FILE WORKFLOW [--format json|mermaid|dot] [--traced]
  aloft executions list [--json] [--limit N] [--domain D] [--status S] [--remote|--runner URL]
  aloft executions get ID [--json] [--remote|--runner URL]
  aloft executions cancel ID [--json] [--remote|--runner URL]
                                        stop a running execution: its attempts are cancelled
  aloft executions resume ID            finish an execution whose runner was killed
  aloft logs ID [NODE] [--follow] [--remote|--runner URL]
  aloft debug ID NODE [--port N] [--json] [--runner URL]
                                        a local port for a debugger, relayed to NODE paused on the runner
  aloft debug ID NODE --local [--no-pause] [--json] [--remote|--runner URL]
                                        run a finished NODE again here with its recorded inputs, paused for a debugger
  aloft lsp [--stdio]                   the language server, on stdio (for editors)
  aloft runner start [--port N] [--host H] [--db sqlite:PATH|postgres://…] [--store file:DIR]
                    [--kubeconfig FILE] [--context NAME] [--namespace NS] [--advertise-url URL]
                    [--max-pods N] [--qps N] [--burst N] [--heartbeat DURATION] [--attempt-token-ttl DURATION]
                    [--workers N] [--replica-id ID] [--lease DURATION]
                                        the runner service (HTTP API and streams under /api/v1/)

domains (development, staging, production...) scope executions within a project;
a run without --domain is in development.
inputs: numbers, booleans and strings as typed; arrays and records as JSON;
File and Dir as local paths. State lives in .aloft/ of the workspace.
A runner is found with --runner URL / --token T, or ALOFT_RUNNER / ALOFT_TOKEN,
or the one started in this workspace (its admin token is in .aloft/runner-token).
`;
