// Builds the CLI, the worker, the language server and the SDK into dist/ with esbuild.
import { chmodSync } from "node:fs";
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  packages: "external",
  logLevel: "warning",
};

await Promise.all([
  build({ ...common, entryPoints: { cli: "runner/cli/main.ts", worker: "runner/worker/worker-main.ts", server: "server/main.ts", agent: "runner/pod/agent-main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { sdk: "sdk/index.ts" }, outdir: "dist" }),
]);
chmodSync("dist/cli.js", 0o755);
