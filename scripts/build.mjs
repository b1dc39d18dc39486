// Builds the CLI, the worker, the language server, the pods' agent and the SDK into dist/ with esbuild.
import { chmodSync, readdirSync, rmSync } from "node:fs";
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

// Chunks of an earlier build would linger beside the new ones.
for (const name of readdirSync("dist", { withFileTypes: true }).filter((e) => e.isFile() && /-[A-Z0-9]{8}\.js(\.map)?$/.test(e.name))) rmSync(`dist/${name.name}`);

await Promise.all([
  // Split so each command loads only its own code (and its own packages) when it runs.
  build({ ...common, entryPoints: { cli: "runner/cli/main.ts", worker: "runner/worker/worker-main.ts", server: "server/main.ts" }, outdir: "dist", splitting: true }),
  // Served to pods as one file: everything inside, nothing to install.
  build({ ...common, entryPoints: { agent: "runner/pod/agent-main.ts" }, outdir: "dist", packages: "bundle" }),
  build({ ...common, entryPoints: { sdk: "sdk/index.ts" }, outdir: "dist" }),
]);
chmodSync("dist/cli.js", 0o755);
