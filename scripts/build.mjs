// Builds the CLI, the worker, the language server, the pods' agent and the SDK into dist/ with esbuild.
import { chmodSync, existsSync, readdirSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { build } from "esbuild";
import { bundleTypeScriptApi } from "./typescript-api-bundling.mjs";

const AGENT_BANNER = 'import { createRequire as __aloftRequire } from "node:module"; const require = __aloftRequire(import.meta.url);';

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  packages: "external",
  logLevel: "warning",
};

const [split] = await Promise.all([
  // Split so each command loads only its own code (and its own packages) when it runs.
  build({ ...common, packages: undefined, plugins: [bundleTypeScriptApi], entryPoints: { cli: "runner/cli/main.ts", worker: "runner/worker/worker-main.ts", server: "server/main.ts" }, outdir: "dist", splitting: true, metafile: true }),
  // Served to pods as one file: everything inside, nothing to install.
  // Its CommonJS packages (ws) require Node's modules, which an ES module must get from createRequire.
  build({ ...common, entryPoints: { agent: "runner/pod/agent-main.ts" }, outdir: "dist", packages: "bundle", banner: { js: AGENT_BANNER } }),
  build({ ...common, entryPoints: { sdk: "sdk/index.ts" }, outdir: "dist" }),
]);
chmodSync("dist/cli.js", 0o755);

// Chunks of earlier builds are removed only now, after the new ones exist, so
// a CLI started from the new build never misses a file.
const current = new Set(Object.keys(split.metafile.outputs).map((path) => basename(path)));
const hashed = /-[A-Z0-9]{8}\.js(\.map)?$/;
if (existsSync("dist")) {
  for (const entry of readdirSync("dist", { withFileTypes: true })) {
    if (entry.isFile() && hashed.test(entry.name) && !current.has(entry.name)) rmSync(`dist/${entry.name}`);
  }
}
