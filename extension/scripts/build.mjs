// Bundles the extension into dist/extension.js (one CommonJS file for VS Code's extension host, which provides `vscode`; `ws` inside)
// and the graph webview's script into dist/graph-view.js (one browser script, dagre inside).
import { build } from "esbuild";

const production = process.argv.includes("--production");
const common = { bundle: true, target: "es2022", sourcemap: production ? false : "linked", minify: production, logLevel: "warning" };

await Promise.all([
  build({
    ...common,
    entryPoints: { extension: "src/extension.ts" },
    outdir: "dist",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
  }),
  build({
    ...common,
    entryPoints: { "graph-view": "src/webview/graph-view.ts" },
    outdir: "dist",
    platform: "browser",
    format: "iife",
  }),
]);
